"""Department fund — 部门基金（爱心基金） (PERF-7): every confirmed fine credits the fund of the
fined person's department; spending on team activities needs approval; the ledger and its balance
are readable by every member of the department (transparency is the rule)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kefu.org.models import Department

from .choices import FundEntryKind, FundEntryStatus


class FundEntry(models.Model):
    """FundEntry — 部门基金流水: one signed line of a department's fund.

    ``amount`` > 0 credits the fund (罚款收入, 其他收入), < 0 debits it (活动支出, 罚款冲销). Only
    effective lines count in the balance. A fine line points at its ledger incident; its reversal
    points at the reversal incident, so each incident moves the fund at most once.
    """

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="fund_entries"
    )
    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, choices=FundEntryKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    description = models.CharField("摘要", max_length=200)
    incident = models.OneToOneField(
        "performance.Incident",
        verbose_name="奖惩事件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_entry",
    )
    status = models.CharField(
        "状态", max_length=20, choices=FundEntryStatus.choices, default=FundEntryStatus.EFFECTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    reject_reason = models.TextField("驳回理由", blank=True)

    class Meta:
        verbose_name = "部门基金流水"
        verbose_name_plural = "部门基金流水"
        ordering = ["-day", "-id"]
        permissions = [
            ("request_spending", "申请部门基金支出"),
            ("record_income", "登记部门基金收入"),
            ("export_fund", "导出部门基金台账"),
        ]
        indexes = [models.Index(fields=["department", "status", "day"], name="fund_dept_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FundEntryKind.values), name="fund_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FundEntryStatus.values), name="fund_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=[FundEntryKind.FINE, FundEntryKind.INCOME]) & Q(amount__gt=0))
                | (
                    Q(kind__in=[FundEntryKind.SPENDING, FundEntryKind.FINE_REVERSAL])
                    & Q(amount__lt=0)
                ),
                name="fund_amount_sign",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[FundEntryKind.FINE, FundEntryKind.FINE_REVERSAL])
                | Q(incident__isnull=False),
                name="fund_fine_has_incident",
            ),
            models.CheckConstraint(
                condition=Q(kind=FundEntryKind.SPENDING) | Q(status=FundEntryStatus.EFFECTIVE),
                name="fund_only_spending_waits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.day} {self.get_kind_display()} {self.amount}"
