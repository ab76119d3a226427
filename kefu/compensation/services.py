"""Compensation writes — 导入责任认定与分期扣款入账 (CMP-9, CMP-11, PERF-10).

``compensation_import_month`` reads a month's responsibility findings of closed complaints and
turns them into what they cost: a 赔偿 per responsible person for a loss, a CMP-11 fine for a
service complaint against a 客服, a PERF-10 处分 line (money by 第二十四条 行政罚扣折算) for a
proposed sanction against a named person. ``compensation_book_month`` writes the month's 分期扣款
under the cap. Both are idempotent: the month close runs them again before it takes the payroll
snapshot. They are system jobs as well as page actions: the pages and the API check the
``import_compensation`` right, the close calls them with its own actor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kefu.complaints.models import ResponsibilityFinding
from kefu.complaints.selectors import responsibility_findings_for_month
from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.core.policy import fine_policy
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee
from kefu.org.selectors import department_descendant_ids
from kefu.performance.choices import IncidentSource, MonthCloseStatus
from kefu.performance.models import MonthClose
from kefu.performance.periods import month_start
from kefu.performance.services.booking import incident_book

from .choices import Basis, CompensationStatus
from .models import Compensation, CompensationInstalment
from .rules import (
    SANCTION_RULES,
    ZERO,
    Debt,
    allocate_by_base_points,
    month_instalments,
    monthly_cap,
    sanction_money,
)

VIEW = "compensation.view_compensation"
VIEW_TEAM = "compensation.view_team_compensation"
IMPORT = "compensation.import_compensation"
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _check_month(month: dt.date) -> dt.date:
    month = month_start(month)
    if month > timezone.localdate().replace(day=1):
        raise DomainError(
            "future_month", "不能导入未来月份的责任认定", fields={"month": "不能晚于本月"}
        )
    return month


def _complaint_label(finding: ResponsibilityFinding) -> str:
    complaint = finding.complaint
    return complaint.number or complaint.ticket.number


def _unit_members(finding: ResponsibilityFinding) -> tuple[str, list[Employee]]:
    """The responsible unit (team if named, else department with its sub-departments) and its
    active members by 工号."""
    active = Employee.objects.filter(status=EmployeeStatus.ACTIVE).order_by("employee_no")
    if finding.team_id:
        return finding.team.name, list(active.filter(team_id=finding.team_id))
    ids = department_descendant_ids(finding.department_id)
    return finding.department.name, list(active.filter(department_id__in=ids))


def _compensations_of(
    finding: ResponsibilityFinding, now: dt.datetime
) -> tuple[list[Compensation], str]:
    """The finding's 赔偿 rows (not saved) and a problem note when the loss cannot be allocated."""
    loss = finding.loss_share
    common = {
        "finding": finding,
        "complaint_id": finding.complaint_id,
        "month": finding.month.replace(day=1),
        "created_at": now,
    }
    if finding.employee_id:
        person = finding.employee
        return [
            Compensation(
                employee=person,
                amount=loss,
                basis=Basis.FINDING_SHARE,
                unit_name=person.name,
                unit_base_points=person.base_points,
                base_points=person.base_points,
                **common,
            )
        ], ""
    unit_name, members = _unit_members(finding)
    parts = allocate_by_base_points(loss, [m.base_points for m in members])
    total_points = sum((m.base_points for m in members), Decimal("0"))
    rows = [
        Compensation(
            employee=m,
            amount=part,
            basis=Basis.BASE_POINTS,
            unit_name=unit_name,
            unit_base_points=total_points,
            base_points=m.base_points,
            **common,
        )
        for m, part in zip(members, parts, strict=True)
        if part > 0
    ]
    if not rows:
        return [], f"{unit_name}无在职人员或基点数为0，损失 ¥{loss:,.2f} 未能分摊"
    return rows, ""


def _book_incidents(*, actor: Any, finding: ResponsibilityFinding) -> tuple[int, int]:
    """The CMP-11 fine and the PERF-10 sanction of a finding against a named person."""
    if not finding.employee_id:
        return 0, 0
    person = finding.employee
    day = timezone.localdate(finding.created_at)
    link = reverse("complaints:complaint_detail", args=[finding.complaint_id])
    label = _complaint_label(finding)
    fines = sanctions = 0
    if finding.is_service_attitude:
        incident_book(
            actor=actor,
            employee=person,
            day=day,
            rule_code="service_complaint",
            source=IncidentSource.COMPLAINT,
            money=finding.fine_amount,
            occurrence=finding.occurrence,
            evidence_ref=f"complaints.finding:{finding.pk}:fine",
            evidence_link=link,
            description=f"投诉 {label}：客服服务投诉，本月第 {finding.occurrence} 次",
        )
        fines = 1
    if finding.proposed_sanction in SANCTION_RULES:
        policy = fine_policy(day)
        money = sanction_money(
            finding.proposed_sanction,
            monthly_bonus=person.monthly_bonus,
            minor=policy.minor_demerit_ratio,
            major=policy.major_demerit_ratio,
            warning=policy.warning_ratio,
        )
        incident_book(
            actor=actor,
            employee=person,
            day=day,
            rule_code=finding.proposed_sanction,
            source=IncidentSource.COMPLAINT,
            money=money,
            evidence_ref=f"complaints.finding:{finding.pk}:sanction",
            evidence_link=link,
            description=f"投诉 {label}：{finding.get_proposed_sanction_display()}（行政罚扣折算）",
        )
        sanctions = 1
    return fines, sanctions


@transaction.atomic
def compensation_import_month(*, month: dt.date, actor: Any) -> str:
    """导入责任认定 — turn a closing month's findings into 赔偿, 罚款 and 处分 (idempotent).

    A finding already imported is not allocated again (its people are those of the first
    import); the ledger lines are idempotent by their evidence reference. Returns a short
    Chinese summary for the month close and the page.
    """
    month = _check_month(month)
    findings = list(responsibility_findings_for_month(month))
    done = set(
        Compensation.objects.filter(finding__month=month).values_list("finding_id", flat=True)
    )
    now = timezone.now()
    created: list[Compensation] = []
    notes: list[str] = []
    fines = sanctions = 0
    for finding in findings:
        if finding.loss_share > 0 and finding.pk not in done:
            rows, note = _compensations_of(finding, now)
            created.extend(rows)
            if note:
                notes.append(f"投诉 {_complaint_label(finding)}：{note}")
        f, s = _book_incidents(actor=actor, finding=finding)
        fines += f
        sanctions += s
    Compensation.objects.bulk_create(created)
    for row in created:
        audit.record(
            actor=_user(actor),
            action="compensation.created",
            obj=row,
            after={
                "employee": row.employee_id,
                "finding": row.finding_id,
                "month": row.month.isoformat(),
                "amount": str(row.amount),
                "basis": row.basis,
            },
        )
    total = sum((r.amount for r in created), ZERO)
    summary = (
        f"{month:%Y年%m月}责任认定 {len(findings)} 条：新增赔偿 {len(created)} 人次 ¥{total:,.2f}，"
        f"服务投诉罚款 {fines} 条，处分 {sanctions} 条"
    )
    if notes:
        summary += "；" + "；".join(notes)
    return summary


def paid_before_annotation(month: dt.date) -> Coalesce:
    """Σ of a compensation's instalments before ``month`` (a correlated sub-query)."""
    paid = (
        CompensationInstalment.objects.filter(compensation=OuterRef("pk"), month__lt=month)
        .order_by()
        .values("compensation")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)


def open_in_month(month: dt.date) -> Q:
    """Compensations that take part in ``month``: started by then and not paid off before it."""
    booked_from = CompensationInstalment.objects.filter(month__gte=month).values("compensation_id")
    return Q(month__lte=month) & (Q(status=CompensationStatus.OPEN) | Q(pk__in=booked_from))


def debts_by_employee(rows: list[dict[str, Any]]) -> dict[int, list[Debt]]:
    """``values()`` rows (id, employee_id, month, amount, created_at, paid_before) → debts."""
    debts: dict[int, list[Debt]] = defaultdict(list)
    for r in rows:
        debts[r["employee_id"]].append(
            Debt(
                key=r["id"],
                month=r["month"],
                remaining=r["amount"] - r["paid_before"],
                order=(r["created_at"],),
            )
        )
    return debts


@transaction.atomic
def compensation_book_month(*, month: dt.date, actor: Any) -> int:
    """分期扣款入账 — write ``month``'s instalments under each person's cap (idempotent).

    The month's rows are computed again from what was paid before it (so a compensation
    imported since the last run is included) and the fully paid ones become 已扣完. A constant
    number of queries whatever the number of people. Refused once the month is 已结账, or when
    a later month is already booked. Returns the number of instalments.
    """
    month = month_start(month)
    if MonthClose.objects.filter(month=month, status=MonthCloseStatus.CLOSED).exists():
        raise ConflictError("month_closed", f"{month:%Y年%m月}已结账，分期扣款不能再改")
    if CompensationInstalment.objects.filter(month__gt=month).exists():
        raise ConflictError("later_month_booked", "已有更晚月份的分期扣款，不能重算本月")
    ratio = fine_policy(month).penalty_cap_ratio
    rows = list(
        Compensation.objects.filter(open_in_month(month))
        .annotate(paid_before=paid_before_annotation(month))
        .values(
            "id",
            "employee_id",
            "month",
            "amount",
            "created_at",
            "paid_before",
            "employee__monthly_bonus",
        )
    )
    bonus = {r["employee_id"]: r["employee__monthly_bonus"] for r in rows}
    amounts = {r["id"]: r["amount"] - r["paid_before"] for r in rows}
    now = timezone.now()
    instalments: list[CompensationInstalment] = []
    for employee_id, debts in debts_by_employee(rows).items():
        cap = monthly_cap(monthly_bonus=bonus[employee_id], cap_ratio=ratio)
        for key, amount in month_instalments(debts, cap=cap, month=month).items():
            instalments.append(
                CompensationInstalment(
                    compensation_id=key, month=month, amount=amount, created_at=now
                )
            )
    CompensationInstalment.objects.filter(month=month).delete()
    CompensationInstalment.objects.bulk_create(instalments, batch_size=500)
    paid_now = {i.compensation_id: i.amount for i in instalments}
    done = [k for k, rest in amounts.items() if rest - paid_now.get(k, ZERO) <= 0]
    Compensation.objects.filter(pk__in=done).update(status=CompensationStatus.PAID)
    Compensation.objects.filter(pk__in=[k for k in amounts if k not in set(done)]).update(
        status=CompensationStatus.OPEN
    )
    total = sum(paid_now.values(), ZERO)
    audit.record(
        actor=_user(actor),
        action="compensation.month_booked",
        object_type="compensation.month",
        object_id=month.isoformat(),
        after={"instalments": len(instalments), "total": str(total), "paid_off": len(done)},
    )
    return len(instalments)
