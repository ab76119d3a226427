"""销售与提成 models — the daily sales report (销售日报明细), the inquiry counts (询单数), the
unpaid orders and their chasing (未付款订单、催付记录) and the reasons of lost sales (未成交原因).

Commission is not stored: it is computed from these rows with the policy in force on the month's
last day (``rules.commission_for``), and the month close freezes it through the payroll source
("commission" column of PayrollLine). Sales lines and inquiry counts of a locked month cannot be
added or changed (``ensure_month_open``), so a closed month's figures never move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import ChaseChannel, InquirySource, LineSource, UnpaidStatus


class SalesLine(models.Model):
    """SalesLine — 销售日报明细: one item of one order sold by one agent on one day (PERF-1).

    The natural key is (订单号, 商品): importing the same order export again adds nothing.
    """

    agent = models.ForeignKey(
        "org.Employee", verbose_name="客服", on_delete=models.PROTECT, related_name="sales_lines"
    )
    day = models.DateField("日期", db_index=True)
    order_no = models.CharField("订单号", max_length=40)
    item = models.CharField("商品", max_length=120)
    quantity = models.PositiveIntegerField("数量")
    unit_price = models.DecimalField("单价", max_digits=12, decimal_places=2)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    customer_name = models.CharField("买家", max_length=60, blank=True)
    remarks = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=LineSource.choices)
    import_job = models.ForeignKey(
        "core.BackgroundJob",
        verbose_name="导入任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "销售日报明细"
        verbose_name_plural = "销售日报明细"
        ordering = ["-day", "order_no", "item"]
        indexes = [models.Index(fields=["agent", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["order_no", "item"], name="sales_line_order_item"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_line_amount_ge_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sales_line_price_ge_0"),
            models.CheckConstraint(condition=~Q(order_no=""), name="sales_line_order_not_blank"),
        ]
        permissions = [
            ("view_team_salesline", "查看本人以外的销售日报（按数据范围）"),
            ("import_salesline", "导入订单（销售日报）"),
            ("view_commission", "查看提成"),
        ]

    def __str__(self) -> str:
        return f"{self.order_no} {self.item}"


class InquiryCount(models.Model):
    """InquiryCount — 询单数: how many inquiries one agent received on one day (PERF-2).

    One row per (agent, day, source); the chat tool's count (``import``) wins over the count of
    咨询 service requests (``tickets``) for the same agent and day.
    """

    agent = models.ForeignKey(
        "org.Employee", verbose_name="客服", on_delete=models.PROTECT, related_name="inquiry_counts"
    )
    day = models.DateField("日期", db_index=True)
    count = models.PositiveIntegerField("询单数")
    source = models.CharField("来源", max_length=10, choices=InquirySource.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "询单数"
        verbose_name_plural = "询单数"
        ordering = ["-day", "agent_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "day", "source"], name="inquiry_count_agent_day_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.day} {self.count}"


class UnpaidOrder(models.Model):
    """UnpaidOrder — 未付款订单: an order waiting for the buyer's payment (等待买家付款).

    From the order export (status 等待买家付款, with 拍下时间) or entered by hand. ``deadline`` =
    拍下时间 + the ``sales.unpaid_chase_minutes`` of the policy in force on the day it was placed;
    an order neither chased, paid nor closed by then is 超时未催付 and the check proposes the
    ledger fine ``unpaid_order_not_chased`` (``incident``) for the responsible agent.
    """

    order_no = models.CharField("订单号", max_length=40, unique=True)
    agent = models.ForeignKey(
        "org.Employee", verbose_name="客服", on_delete=models.PROTECT, related_name="unpaid_orders"
    )
    placed_at = models.DateTimeField("拍下时间", db_index=True)
    deadline = models.DateTimeField("催付时限")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2, default=0)
    items = models.CharField("商品", max_length=200, blank=True)
    customer_name = models.CharField("买家", max_length=60, blank=True)
    status = models.CharField(
        "交易状态", max_length=10, choices=UnpaidStatus.choices, default=UnpaidStatus.WAITING
    )
    paid_at = models.DateTimeField("付款时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    chased_at = models.DateTimeField("首次催付时间", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=LineSource.choices)
    incident = models.ForeignKey(
        "performance.Incident",
        verbose_name="超时未催付奖惩提议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_job = models.ForeignKey(
        "core.BackgroundJob",
        verbose_name="导入任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "未付款订单"
        verbose_name_plural = "未付款订单"
        ordering = ["-placed_at", "order_no"]
        indexes = [
            models.Index(fields=["agent", "placed_at"]),
            models.Index(fields=["deadline"], name="unpaid_deadline_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(order_no=""), name="unpaid_order_not_blank"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="unpaid_amount_ge_0"),
        ]
        permissions = [
            ("chase_unpaidorder", "登记催付、标记已付款"),
            ("check_unpaidorder", "检查超时未催付（生成奖惩提议）"),
        ]

    def __str__(self) -> str:
        return self.order_no


class ChaseRecord(models.Model):
    """ChaseRecord — 催付记录: one chasing of an unpaid order (time, 方式, 备注)."""

    order = models.ForeignKey(
        UnpaidOrder, verbose_name="未付款订单", on_delete=models.CASCADE, related_name="chases"
    )
    chased_at = models.DateTimeField("催付时间")
    channel = models.CharField("催付方式", max_length=12, choices=ChaseChannel.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "催付记录"
        verbose_name_plural = "催付记录"
        ordering = ["order_id", "chased_at"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.chased_at:%Y-%m-%d %H:%M}"


class LostInquiry(models.Model):
    """LostInquiry — 询单未成交原因: an inquiry that did not become an order and why (RPT-6).

    ``reason`` is a code of the policy's ``sales.lost_sale_reasons``; ``reason_name`` keeps the
    name in force when it was recorded so a later renaming never rewrites an old report.
    """

    agent = models.ForeignKey(
        "org.Employee", verbose_name="客服", on_delete=models.PROTECT, related_name="lost_inquiries"
    )
    day = models.DateField("日期", db_index=True)
    reason = models.CharField("未成交原因", max_length=30)
    reason_name = models.CharField("原因名称", max_length=40)
    customer_name = models.CharField("买家", max_length=60, blank=True)
    item = models.CharField("咨询商品", max_length=120, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "询单未成交原因"
        verbose_name_plural = "询单未成交原因"
        ordering = ["-day", "-created_at"]
        indexes = [models.Index(fields=["agent", "day"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.day} {self.reason}"
