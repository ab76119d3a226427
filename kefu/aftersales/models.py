"""After-sales — 售后服务 (AS-1..3): the product catalogue and what each customer has installed.

An installation (安装/销售记录) is the root of after-sales work: its warranty end decides whether
parts and labour are free (AS-1), its warranty card must be issued within a month (AS-3), repair
orders are raised against it (AS-2) and the return-visit plan is generated from it (AS-4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import InstallationKind


class Product(models.Model):
    """Product — 产品: one model in the catalogue with the manufacturer's warranty (AS-1).

    ``manufacturer_warranty_months`` is the manufacturer's own warranty; the company's minimum
    (1 year by policy) applies when it is shorter.
    """

    code = models.CharField("产品编码", max_length=30, unique=True)
    name = models.CharField("产品名称", max_length=100)
    model_no = models.CharField("型号", max_length=60, blank=True)
    category = models.CharField("类别", max_length=40, blank=True)
    manufacturer = models.CharField("生产厂家", max_length=100, blank=True)
    manufacturer_warranty_months = models.PositiveSmallIntegerField("厂家保修期（月）", default=0)
    is_active = models.BooleanField("在售", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "产品"
        verbose_name_plural = "产品"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="product_code_not_blank"),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_blank"),
            models.CheckConstraint(
                condition=Q(manufacturer_warranty_months__lte=240),
                name="product_warranty_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Installation(models.Model):
    """Installation — 安装/销售记录: a product or project delivered to a customer (AS-1, AS-3).

    ``warranty_end`` is stored (computed by the service from the acceptance date, the policy's
    minimum warranty and the manufacturer's) so warranty lookups, the visit-plan generator and
    lists filter on it with an index instead of recomputing per row.
    """

    number = models.CharField("安装编号", max_length=20, unique=True)
    kind = models.CharField(
        "类型", max_length=10, choices=InstallationKind.choices, default=InstallationKind.PRODUCT
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="installations",
    )
    product = models.ForeignKey(
        Product,
        verbose_name="产品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installations",
    )
    project_name = models.CharField("工程项目名称", max_length=100, blank=True)
    serial_number = models.CharField("序列号", max_length=60, blank=True, db_index=True)
    order_no = models.CharField("订单号", max_length=40, blank=True, db_index=True)
    address = models.CharField("安装地址", max_length=200, blank=True)
    acceptance_date = models.DateField("验收日期")
    warranty_months = models.PositiveSmallIntegerField("保修期（月）")
    warranty_end = models.DateField("保修截止日期", db_index=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="负责部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        "org.Employee",
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "安装记录"
        verbose_name_plural = "安装记录"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="installation_customer_idx"),
            models.Index(fields=["acceptance_date"], name="installation_accepted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InstallationKind.values), name="installation_kind_valid"
            ),
            # A product installation names its product; a project names the project.
            models.CheckConstraint(
                condition=(Q(kind=InstallationKind.PRODUCT) & Q(product__isnull=False))
                | (Q(kind=InstallationKind.PROJECT) & ~Q(project_name="")),
                name="installation_product_or_project",
            ),
            models.CheckConstraint(
                condition=Q(warranty_end__gt=F("acceptance_date")),
                name="installation_warranty_after_acceptance",
            ),
            models.CheckConstraint(
                condition=Q(warranty_months__gte=1) & Q(warranty_months__lte=240),
                name="installation_warranty_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.product or self.project_name}"
