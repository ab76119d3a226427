"""Complaints — 客户投诉处理 (CMP-1..11): the 记录卡, the 调查报告, the step history, the findings.

A complaint is a service request of kind 投诉 (``tickets.Ticket``) that runs the formal procedure
of [000] 篇二 客户投诉处理办法 on top: the ticket keeps the customer, the contact, the 7-day
deadline (CMP-6) and the replies; the complaint keeps the acceptance decision, the route, the
investigation and its approvals. Rows are written by ``services`` only; the rule engine is
``procedure.py``; the constraints below repeat what a single row can say of its rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    ComplainantType,
    Demand,
    Ground,
    ProcedureStatus,
    ReplyVia,
    Route,
    Sanction,
    SanctionTrigger,
    StepDecision,
)

ZERO = Decimal("0")


class Complaint(models.Model):
    """Complaint — 客户投诉记录卡 (CMP-1..4): one complaint and where it stands in the procedure.

    The card holds what 第十五条 asks: the complainant, the customer's demands, the acceptance
    time and number (``TS2026-0001``, given when it is accepted), the handling department's
    opinion. ``status`` is the current step (``ProcedureStatus``); ``accepted`` is None until the
    acceptance decision (CMP-3); a refusal keeps its reason, which is shown in the reply.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name="工单", on_delete=models.PROTECT, related_name="complaint"
    )
    number = models.CharField("受理编号", max_length=20, null=True, blank=True, unique=True)
    complainant_type = models.CharField(
        "投诉客户类型", max_length=20, choices=ComplainantType.choices
    )
    complainant_name = models.CharField("投诉客户名称", max_length=100)
    ground = models.CharField("投诉范围", max_length=30, choices=Ground.choices)
    demands = models.JSONField("客户要求", default=list)
    amount_involved = models.DecimalField("涉及金额", max_digits=12, decimal_places=2, default=ZERO)
    status = models.CharField(
        "处理环节", max_length=30, choices=ProcedureStatus.choices, default=ProcedureStatus.RECORDED
    )
    accepted = models.BooleanField("受理决定", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField("不受理原因", blank=True)
    route = models.CharField("处理途径", max_length=20, choices=Route.choices, blank=True)
    route_reason = models.TextField("分派说明", blank=True)
    investigating_department = models.ForeignKey(
        "org.Department",
        verbose_name="受理部门（负责调查）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigated_complaints",
    )
    leadership_decision = models.TextField("领导裁定意见", blank=True)
    handling_opinion = models.TextField("受理部门处理意见", blank=True)
    reply_via = models.CharField("答复方式", max_length=10, choices=ReplyVia.choices, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
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
        verbose_name = "客户投诉"
        verbose_name_plural = "客户投诉"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="complaint_status_idx"),
            models.Index(fields=["ground"], name="complaint_ground_idx"),
            models.Index(
                fields=["investigating_department", "status"], name="complaint_dept_status_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProcedureStatus.values), name="complaint_status_valid"
            ),
            models.CheckConstraint(condition=Q(ground__in=Ground.values), name="complaint_ground"),
            models.CheckConstraint(
                condition=Q(complainant_type__in=ComplainantType.values),
                name="complaint_complainant_type",
            ),
            models.CheckConstraint(
                condition=~Q(complainant_name=""), name="complaint_complainant_named"
            ),
            models.CheckConstraint(
                condition=Q(amount_involved__gte=0), name="complaint_amount_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(route="") | Q(route__in=Route.values), name="complaint_route_valid"
            ),
            # CMP-3: only a complaint waiting for its decision has none.
            models.CheckConstraint(
                condition=Q(status=ProcedureStatus.RECORDED, accepted__isnull=True)
                | (~Q(status=ProcedureStatus.RECORDED) & Q(accepted__isnull=False)),
                name="complaint_decided_unless_recorded",
            ),
            # CMP-4: an accepted complaint has its acceptance time and number.
            models.CheckConstraint(
                condition=~Q(accepted=True)
                | (Q(number__isnull=False) & Q(accepted_at__isnull=False)),
                name="complaint_accepted_numbered",
            ),
            # CMP-3: a refusal is never without its reason.
            models.CheckConstraint(
                condition=~Q(accepted=False) | ~Q(rejection_reason=""),
                name="complaint_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(route=Route.INVESTIGATION, investigating_department__isnull=False)
                | (~Q(route=Route.INVESTIGATION) & Q(investigating_department__isnull=True)),
                name="complaint_investigation_has_department",
            ),
            models.CheckConstraint(
                condition=Q(status=ProcedureStatus.CLOSED, closed_at__isnull=False)
                & ~Q(reply_via="")
                | (~Q(status=ProcedureStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="complaint_closed_when_replied",
            ),
        ]
        permissions = [
            ("view_statistics", "查看投诉统计"),
            ("view_findings", "查看投诉责任认定"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.ticket.number} {self.complainant_name}"

    @property
    def demand_labels(self) -> list[str]:
        return [Demand(d).label for d in self.demands if d in Demand.values]

    @property
    def is_open(self) -> bool:
        return self.status != ProcedureStatus.CLOSED

    @property
    def current_step(self) -> str:
        """当前环节, e.g. "待行政人事部审核"."""
        return ProcedureStatus(self.status).label

    @property
    def waiting_for(self) -> str:
        """Who acts at the current step, e.g. "受理部门负责人" (empty once closed)."""
        from .procedure import waiting_for

        return waiting_for(self.status)


class AcceptanceCounter(models.Model):
    """AcceptanceCounter — 受理编号计数: the last number given in a year (``TS2026-0001``).

    A counter row updated under ``F()`` gives each accepted complaint its own number on every
    database, without reading the highest number and racing another writer for it.
    """

    prefix = models.CharField("前缀", max_length=8)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "受理编号计数"
        verbose_name_plural = "受理编号计数"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="complaint_counter_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last}"


class InvestigationReport(models.Model):
    """InvestigationReport — 投诉调查报告 (CMP-5, [000] 第十、十七条), the current version.

    A returned report is rewritten in place (``version`` counts the submissions); every
    submission's full content is in the audit trail, so no earlier version is lost (SEC-3).
    """

    complaint = models.OneToOneField(
        Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="report"
    )
    version = models.PositiveIntegerField("版本", default=1)
    scope_true = models.BooleanField("投诉范围（数量、金额等）是否属实")
    reasons_sound = models.BooleanField("投诉理由是否合理")
    demand_legitimate = models.BooleanField("客户要求是否正当")
    aim = models.TextField("投诉目的")
    cause = models.TextField("发生原因")
    course = models.TextField("具体经过")
    conclusion = models.TextField("结论")
    countermeasures = models.TextField("对策")
    prevention = models.TextField("防范措施")
    loss_amount = models.DecimalField("损失金额", max_digits=12, decimal_places=2, default=ZERO)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("填报时间")

    class Meta:
        verbose_name = "投诉调查报告"
        verbose_name_plural = "投诉调查报告"
        constraints = [
            models.CheckConstraint(condition=Q(loss_amount__gte=0), name="report_loss_nonneg"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
        ]

    def __str__(self) -> str:
        return f"投诉调查报告 {self.complaint_id} v{self.version}"


class ResponsibilityShare(models.Model):
    """ResponsibilityShare — 责任划分 (CMP-8): one responsible unit of a report and its share.

    The smallest unit that can be named: a department, a team in it, or a person. The shares of
    one report add up to 100 % (checked by ``report.report_problems`` before anything is stored).
    """

    report = models.ForeignKey(
        InvestigationReport,
        verbose_name="调查报告",
        on_delete=models.CASCADE,
        related_name="shares",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name="责任班组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    percent = models.DecimalField("责任比例（%）", max_digits=5, decimal_places=2)
    sanction_trigger = models.CharField(
        "处分判定项目", max_length=40, choices=SanctionTrigger.choices, blank=True
    )
    sanction = models.CharField("处分建议", max_length=30, choices=Sanction.choices, blank=True)

    class Meta:
        verbose_name = "责任划分"
        verbose_name_plural = "责任划分"
        ordering = ["report_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100), name="share_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(sanction_trigger="") | Q(sanction_trigger__in=SanctionTrigger.values),
                name="share_trigger_valid",
            ),
            models.CheckConstraint(
                condition=Q(sanction="")
                | (Q(sanction__in=Sanction.values) & ~Q(sanction=Sanction.FINE)),
                name="share_sanction_valid",
            ),
            models.UniqueConstraint(
                fields=["report", "employee"],
                condition=Q(employee__isnull=False),
                name="share_person_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.team_id}/{self.employee_id} {self.percent}%"


class ComplaintStep(models.Model):
    """ComplaintStep — 处理记录: one step taken (受理, 分派, 审核同意/退回 …), who, when, comment.

    The history the detail page and the printed 记录卡 show; the audit trail holds the same event
    hash-chained (SEC-3).
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField("环节", max_length=30, choices=ProcedureStatus.choices)
    action = models.CharField("操作", max_length=30)
    approval_step = models.CharField("审核环节", max_length=20, blank=True)
    decision = models.CharField("结果", max_length=10, choices=StepDecision.choices)
    comment = models.TextField("意见", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("经办人姓名", max_length=40)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "投诉处理记录"
        verbose_name_plural = "投诉处理记录"
        ordering = ["complaint_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=StepDecision.values), name="step_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(step__in=ProcedureStatus.values), name="step_status_valid"
            ),
            # A return is never without its comment (退回须写明意见).
            models.CheckConstraint(
                condition=~Q(decision=StepDecision.RETURN) | ~Q(comment=""),
                name="step_return_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step} {self.decision}"


class ResponsibilityFinding(models.Model):
    """ResponsibilityFinding — 投诉责任认定 (CMP-7..11): made when an investigated complaint closes.

    One row per responsible unit: its share of the responsibility and of the loss, the CMP-10
    item and the proposed sanction, and for a service complaint against a 客服 (CMP-11) the
    occurrence in the month and the fine. ``month`` is the closing month: 行政人事部 reviews last
    month's closed cases by the 10th (CMP-7) and the performance module reads findings by it.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name="投诉", on_delete=models.PROTECT, related_name="findings"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name="责任班组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_findings",
    )
    share_percent = models.DecimalField("责任比例（%）", max_digits=5, decimal_places=2)
    loss_amount = models.DecimalField("投诉损失金额", max_digits=12, decimal_places=2)
    loss_share = models.DecimalField("分摊损失金额", max_digits=12, decimal_places=2)
    sanction_trigger = models.CharField(
        "处分判定项目", max_length=40, choices=SanctionTrigger.choices, blank=True
    )
    proposed_sanction = models.CharField("处分建议", max_length=30, choices=Sanction.choices)
    is_service_attitude = models.BooleanField("客服服务投诉（CMP-11）", default=False)
    service_month = models.DateField("服务投诉计次月份", null=True, blank=True)
    occurrence = models.PositiveSmallIntegerField("当月第几次", null=True, blank=True)
    fine_amount = models.DecimalField("罚款金额", max_digits=10, decimal_places=2, default=ZERO)
    month = models.DateField("结案月份")
    created_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = "投诉责任认定"
        verbose_name_plural = "投诉责任认定"
        ordering = ["-month", "complaint_id", "id"]
        indexes = [
            models.Index(fields=["month", "department"], name="finding_month_dept_idx"),
            models.Index(fields=["employee", "service_month"], name="finding_service_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100),
                name="finding_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(loss_share__gte=0) & Q(loss_amount__gte=0) & Q(fine_amount__gte=0),
                name="finding_amounts_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(proposed_sanction__in=Sanction.values), name="finding_sanction_valid"
            ),
            # CMP-11 is about a person: a service finding names the 客服 and its occurrence.
            models.CheckConstraint(
                condition=Q(is_service_attitude=False)
                | (
                    Q(employee__isnull=False)
                    & Q(occurrence__isnull=False)
                    & Q(service_month__isnull=False)
                ),
                name="finding_service_names_person",
            ),
            models.CheckConstraint(
                condition=~Q(proposed_sanction=Sanction.FINE)
                | (Q(is_service_attitude=True) & Q(fine_amount__gt=0)),
                name="finding_fine_is_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.department_id}/{self.employee_id} {self.share_percent}%"
