"""销售与提成 models — the daily sales report (销售日报明细) and the inquiry counts (询单数).

Commission is not stored: it is computed from these rows with the policy in force on the month's
last day (``rules.commission_for``), and the month close freezes it through the payroll source
("commission" column of PayrollLine). Sales lines and inquiry counts of a locked month cannot be
added or changed (``ensure_month_open``), so a closed month's figures never move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import InquirySource, LineSource


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
