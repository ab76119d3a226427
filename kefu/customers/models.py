"""Customer archive — 客户档案 (CRM-1): customers and their phone numbers.

Customer information is confidential (SEC-1): phones are masked on every page, API answer and
export unless the viewer holds the reveal right, and every change is audited through the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Right
from django.db.models.lookups import GreaterThanOrEqual

from .choices import CustomerType


class Customer(models.Model):
    """Customer — 客户: one end consumer, 代理商, 加盟商 or enterprise, with its grade and region.

    ``code`` (客户编号, ``C000123``) is given by ``customer_create`` from the row id, so it is
    unique without a counter table and tells nothing a user could not already see. ``grade`` holds
    a grade code of the customer policy (重点客户, 大客户, 普通 by default): grades are policy data,
    so the column has no fixed choices.
    """

    code = models.CharField("客户编号", max_length=20, unique=True)
    name = models.CharField("客户名称", max_length=100)
    customer_type = models.CharField(
        "客户类型", max_length=20, choices=CustomerType.choices, default=CustomerType.CONSUMER
    )
    grade = models.CharField("客户等级", max_length=20)
    region = models.CharField("地区", max_length=60, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="建档人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "客户"
        verbose_name_plural = "客户"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["region"], name="customer_region_idx"),
            models.Index(fields=["grade"], name="customer_grade_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_not_blank"),
            models.CheckConstraint(condition=~Q(grade=""), name="customer_grade_not_blank"),
            models.CheckConstraint(
                condition=Q(customer_type__in=CustomerType.values), name="customer_type_valid"
            ),
        ]
        permissions = [
            ("import_customer", "导入客户档案"),
            ("export_customer", "导出客户档案"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerPhone(models.Model):
    """CustomerPhone — 客户电话: one phone number of a customer, stored as normalised digits.

    ``phone`` is unique: a number belongs to one customer, which is how a caller is recognised and
    duplicates are found. ``last4`` (尾号) is kept in its own indexed column because agents search
    by the last four digits a caller reads out. The field is called ``phone`` so the platform's
    masking and the audited reveal (``kefu.core.access``) apply to it unchanged.
    """

    customer = models.ForeignKey(
        Customer, verbose_name="客户", on_delete=models.CASCADE, related_name="phones"
    )
    phone = models.CharField("电话", max_length=20, unique=True)
    last4 = models.CharField("尾号", max_length=4, db_index=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户电话"
        verbose_name_plural = "客户电话"
        ordering = ["customer_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last4=Right("phone", 4)), name="customerphone_last4_matches"
            ),
            # The shortest accepted number is a 7-digit local landline.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("phone"), 7),
                name="customerphone_phone_min_length",
            ),
        ]

    def __str__(self) -> str:
        return self.phone
