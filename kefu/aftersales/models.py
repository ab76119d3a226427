"""After-sales — 售后服务 (AS-1..3): the product catalogue and what each customer has installed.

An installation (安装/销售记录) is the root of after-sales work: its warranty end decides whether
parts and labour are free (AS-1), its warranty card must be issued within a month (AS-3), repair
orders are raised against it (AS-2) and the return-visit plan is generated from it (AS-4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import InstallationKind, PriceKind, RepairStatus


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


class PriceItem(models.Model):
    """PriceItem — 价目表: a spare part or a labour item charged outside warranty (AS-1).

    ``product`` empty = a general item (e.g. 上门工时) usable for any product.
    """

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=PriceKind.choices)
    product = models.ForeignKey(
        Product,
        verbose_name="适用产品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_items",
    )
    unit = models.CharField("单位", max_length=10, default="个")
    unit_price = models.DecimalField("单价", max_digits=10, decimal_places=2)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "价目"
        verbose_name_plural = "价目表"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="priceitem_code_not_blank"),
            models.CheckConstraint(condition=~Q(name=""), name="priceitem_name_not_blank"),
            models.CheckConstraint(condition=Q(kind__in=PriceKind.values), name="priceitem_kind"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="priceitem_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WarrantyCard(models.Model):
    """WarrantyCard — 保修卡 (AS-3): issued once per installation, within a month of acceptance."""

    installation = models.OneToOneField(
        Installation, verbose_name="安装记录", on_delete=models.PROTECT, related_name="card"
    )
    number = models.CharField("保修卡号", max_length=20, unique=True)
    issued_on = models.DateField("发放日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发放人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "保修卡"
        verbose_name_plural = "保修卡"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class NumberCounter(models.Model):
    """The last sequence number handed out per key — 编号流水 (``WX20261122``, ``AZ20261122``)."""

    key = models.CharField(primary_key=True, max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号流水"
        verbose_name_plural = "编号流水"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class RepairOrder(models.Model):
    """RepairOrder — 维修单 (AS-2, TKT-8): a fault report and its way to a signed-off repair.

    Deadlines of the three clocks are stored when the report time is set, the breach flags when
    a stage is recorded late or the scan finds a deadline passed, so lists filter on them with an
    index. ``next_check_at`` is when the scan must look again (None: nothing more can happen).
    ``in_warranty`` is decided on the report date and decides the charges.
    """

    number = models.CharField("维修单号", max_length=20, unique=True)
    status = models.CharField(
        "状态", max_length=12, choices=RepairStatus.choices, default=RepairStatus.REPORTED
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", on_delete=models.PROTECT, related_name="+"
    )
    installation = models.ForeignKey(
        Installation,
        verbose_name="安装记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_orders",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="来源工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fault = models.TextField("故障描述")
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("维修地址", max_length=200, blank=True)
    reported_at = models.DateTimeField("报修时间")
    in_warranty = models.BooleanField("保修期内", default=False)
    technician = models.ForeignKey(
        "org.Employee",
        verbose_name="维修人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("派工时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    fixed_at = models.DateTimeField("修复时间", null=True, blank=True)
    spare_at = models.DateTimeField("备用机/备件到位时间", null=True, blank=True)
    remote_at = models.DateTimeField("远程解决时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by_name = models.CharField("客户签收人", max_length=40, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    work_done = models.TextField("维修内容", blank=True)
    remote_note = models.TextField("远程解决说明", blank=True)
    charge_total = models.DecimalField("收费合计", max_digits=12, decimal_places=2, default=0)
    arrival_due = models.DateTimeField("到场期限")
    fixed_due = models.DateTimeField("修复期限")
    spare_due = models.DateTimeField("备品替代期限")
    arrival_breached = models.BooleanField("到场超时", default=False)
    fixed_breached = models.BooleanField("修复超时", default=False)
    spare_breached = models.BooleanField("备品替代超时", default=False)
    breached = models.BooleanField("超时", default=False)
    notified = models.JSONField("已发送的时限通知", default=list, blank=True)
    next_check_at = models.DateTimeField("下次时限检查", null=True, blank=True)
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
        verbose_name = "维修单"
        verbose_name_plural = "维修单"
        ordering = ["-id"]
        permissions = [("export_repairorder", "导出维修单")]
        # The list is newest first (by id), optionally by status / breach / technician: each
        # filter has an index ending in id, so "WHERE x = ? ORDER BY id DESC LIMIT 20" reads 20
        # index entries at a million rows. The scan reads only rows with a due check.
        indexes = [
            models.Index(fields=["status", "-id"], name="repair_status_idx"),
            models.Index(fields=["breached", "-id"], name="repair_breached_idx"),
            models.Index(fields=["technician", "-id"], name="repair_technician_idx"),
            models.Index(fields=["customer", "-id"], name="repair_customer_idx"),
            models.Index(fields=["reported_at"], name="repair_reported_idx"),
            models.Index(
                fields=["next_check_at"],
                name="repair_next_check_idx",
                condition=Q(next_check_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RepairStatus.values), name="repairorder_status_valid"
            ),
            models.CheckConstraint(condition=~Q(fault=""), name="repairorder_fault_not_blank"),
            models.CheckConstraint(
                condition=Q(charge_total__gte=0), name="repairorder_charge_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("reported_at")),
                name="repairorder_arrival_after_report",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != RepairStatus.CLOSED


class RepairPart(models.Model):
    """RepairPart — 维修用料: a part or labour item used, priced from the price list (AS-2).

    ``unit_price`` is copied from the price list when recorded; ``amount`` is 0 in warranty.
    """

    order = models.ForeignKey(
        RepairOrder, verbose_name="维修单", on_delete=models.CASCADE, related_name="parts"
    )
    price_item = models.ForeignKey(
        PriceItem, verbose_name="价目", on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2)
    unit_price = models.DecimalField("单价", max_digits=10, decimal_places=2)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "维修用料"
        verbose_name_plural = "维修用料"
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repairpart_qty_gt_0"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="repairpart_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.price_item_id} × {self.quantity}"


def _photo_path(instance: RepairPhoto, filename: str) -> str:
    # Not the uploaded name: names can carry personal data and odd characters.
    return f"repairs/{instance.order_id}/{instance.token}{instance.extension}"


class RepairPhoto(models.Model):
    """RepairPhoto — 现场照片: an image or PDF of the on-site work, checked by content."""

    order = models.ForeignKey(
        RepairOrder, verbose_name="维修单", on_delete=models.CASCADE, related_name="photos"
    )
    token = models.CharField("存储标识", max_length=32, unique=True)
    extension = models.CharField("扩展名", max_length=8)
    file = models.FileField("文件", upload_to=_photo_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["order_id", "id"]

    def __str__(self) -> str:
        return self.name
