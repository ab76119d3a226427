"""Performance models — 绩效奖惩台账 (PERF-4..8, CMP-7, CMP-11, WFM-7/8/10).

The ledger (Incident) holds every reward and penalty as a signed line: points and money. It is
append-only in substance: a revocation or a correction is a *reversal entry* (``reverses`` set,
amounts negated) booked in the first open month, never an edit of the original's amounts. A month
is locked by its MonthClose; the figures of a closed month are the PayrollLine snapshot taken when
the GM approved it, so a closed month never changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from kefu.org.models import Employee

from .choices import (
    AppealStatus,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    MonthCloseStatus,
    Scheme,
)

ZERO = Decimal("0")


class Incident(models.Model):
    """Incident — 奖惩事件: one line of the incident ledger.

    ``day`` is when it happened; ``month`` (first day of a month) is the period it is booked in —
    the event's month, or the first open month when that one is already closed. ``rule`` is the
    code of the policy catalogue rule (``performance.rules``) and ``rule_name`` its name at the
    time; points and money are signed (negative = 扣分/罚款) and come from the policy version in
    force on ``day`` (``policy_version``). ``source`` + ``evidence_ref`` identify the evidence
    (``attendance.attendanceday:12:late``), so reading another module's findings again never
    books them twice.
    """

    employee = models.ForeignKey(
        Employee,
        verbose_name="员工",
        on_delete=models.PROTECT,
        related_name="performance_incidents",
    )
    day = models.DateField("发生日期")
    month = models.DateField("计入月份")
    rule = models.CharField("规则代码", max_length=60)
    rule_name = models.CharField("规则", max_length=120)
    category = models.CharField("类别", max_length=20, choices=IncidentCategory.choices)
    points = models.DecimalField("分值", max_digits=8, decimal_places=2, default=ZERO)
    money = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, default=ZERO)
    quantity = models.DecimalField("数量", max_digits=10, decimal_places=2, default=ZERO)
    occurrence = models.PositiveSmallIntegerField("当月第几次", null=True, blank=True)
    dismissal_proposed = models.BooleanField("建议辞退", default=False)
    source = models.CharField(
        "来源", max_length=30, choices=IncidentSource.choices, default=IncidentSource.MANUAL
    )
    evidence_ref = models.CharField("证据编号", max_length=120, blank=True)
    evidence_link = models.CharField("证据链接", max_length=300, blank=True)
    description = models.TextField("说明", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.PROPOSED
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name="冲销的事件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    policy_version = models.PositiveIntegerField("制度版本", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "奖惩事件"
        verbose_name_plural = "奖惩事件"
        ordering = ["-day", "-id"]
        permissions = [
            ("view_team_incident", "查看本范围奖惩事件"),
            ("record_incident", "登记奖惩事件"),
            ("confirm_incident", "确认奖惩事件"),
            ("decide_appeal", "处理申诉"),
            ("import_incidents", "导入各模块事件"),
        ]
        indexes = [
            models.Index(fields=["month", "employee"], name="incident_month_emp_idx"),
            models.Index(fields=["employee", "rule", "month"], name="incident_rule_idx"),
            models.Index(fields=["status", "month"], name="incident_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=IncidentCategory.values), name="incident_category_valid"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="incident_month_first_day"),
            # A reversal is a confirmed line of its own kind that points at what it cancels.
            models.CheckConstraint(
                condition=(
                    Q(category=IncidentCategory.REVERSAL)
                    & Q(reverses__isnull=False)
                    & Q(status=IncidentStatus.CONFIRMED)
                )
                | (~Q(category=IncidentCategory.REVERSAL) & Q(reverses__isnull=True)),
                name="incident_reversal_shape",
            ),
            # Reading a module's findings twice never books them twice.
            models.UniqueConstraint(
                fields=["source", "evidence_ref"],
                condition=~Q(evidence_ref="") & Q(reverses__isnull=True),
                name="incident_evidence_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.rule_name} {self.points}/{self.money}"


class Appeal(models.Model):
    """Appeal — 申诉: an employee contests a confirmed incident within the policy's window; the
    manager (客服部经理) upholds, revokes or corrects it (the last two book reversal entries)."""

    incident = models.ForeignKey(
        Incident, verbose_name="奖惩事件", on_delete=models.PROTECT, related_name="appeals"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申诉理由")
    filed_at = models.DateTimeField("申诉时间")
    status = models.CharField(
        "状态", max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)
    corrected_points = models.DecimalField(
        "更正后分值", max_digits=8, decimal_places=2, null=True, blank=True
    )
    corrected_money = models.DecimalField(
        "更正后金额", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"
            ),
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(status=AppealStatus.PENDING),
                name="appeal_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status=AppealStatus.PENDING)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="appeal_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"申诉 {self.incident_id} {self.get_status_display()}"


class MonthClose(models.Model):
    """MonthClose — 月结 (CMP-7, PERF-8): by the 10th the manager reviews the month's proposals
    and score cards, the GM approves, then the month is locked. A month with no row is open."""

    month = models.DateField("月份", unique=True)
    status = models.CharField(
        "状态", max_length=20, choices=MonthCloseStatus.choices, default=MonthCloseStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人（经理）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人（总经理）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    closed_at = models.DateTimeField("结账时间", null=True, blank=True)
    job = models.ForeignKey(
        "core.BackgroundJob",
        verbose_name="结账任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "月结"
        verbose_name_plural = "月结"
        ordering = ["-month"]
        permissions = [
            ("review_month", "月结审核（经理）"),
            ("approve_month", "月结批准（总经理）"),
            ("export_payroll", "导出工资核算表"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MonthCloseStatus.values), name="monthclose_status_valid"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthclose_first_day"),
            models.CheckConstraint(
                condition=~Q(status=MonthCloseStatus.CLOSED)
                | (Q(closed_at__isnull=False) & Q(approved_by__isnull=False)),
                name="monthclose_closed_is_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"


class PayrollLine(models.Model):
    """PayrollLine — 工资核算输入: one employee's figures of a closed month, frozen at closing.

    ``amounts`` maps a payroll column key (``kefu.performance.payroll.COLUMNS``) to a signed
    decimal string; ``net`` is their sum. ``flags`` lists what the card proposes (口头警告,
    处罚, 严重处罚, 建议辞退 …). Score-card pages of a closed month read these rows.
    """

    month = models.DateField("月份")
    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="payroll_lines"
    )
    department_name = models.CharField("部门", max_length=100, blank=True)
    team_name = models.CharField("班组", max_length=100, blank=True)
    scheme = models.CharField("考核方案", max_length=20, choices=Scheme.choices)
    score = models.DecimalField("考核分", max_digits=8, decimal_places=2)
    amounts = models.JSONField("金额明细", default=dict)
    net = models.DecimalField("合计（元）", max_digits=12, decimal_places=2)
    flags = models.JSONField("提示", default=list)
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "工资核算输入"
        verbose_name_plural = "工资核算输入"
        ordering = ["month", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "employee"], name="payroll_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.employee_id} {self.net}"
