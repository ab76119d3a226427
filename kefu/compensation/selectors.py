"""Compensation reads — 赔偿查询, scoped to what the viewer may see (ORG-5), the instalment
schedule of one compensation and the payroll source (CMP-9).

Everyone sees their own compensations; 组长 and above with ``view_team_compensation`` see their
role's scope (team, department, all). The month close reads the payroll lines unscoped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kefu.core.params import query_choice, query_id
from kefu.core.policy import fine_policy
from kefu.org.selectors import employee_of, employee_scope_filter
from kefu.performance.payroll import PayLine
from kefu.performance.periods import month_start, next_month

from .choices import CompensationStatus
from .models import Compensation, CompensationInstalment
from .rules import ZERO, month_instalments, monthly_cap, project_schedule
from .services import (
    MONEY,
    VIEW,
    VIEW_TEAM,
    debts_by_employee,
    open_in_month,
    paid_before_annotation,
)


def parse_month(value: str | None) -> dt.date | None:
    """``2026-10`` (or a full date) → the first day of that month; None when not a month."""
    value = (value or "").strip()[:10]
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(f"{value}-01")
        return dt.date.fromisoformat(value).replace(day=1) if value else None
    except ValueError:
        return None


def _paid_total() -> Coalesce:
    paid = (
        CompensationInstalment.objects.filter(compensation=OuterRef("pk"))
        .order_by()
        .values("compensation")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)


def compensations_for_user(user: Any) -> QuerySet[Compensation]:
    """赔偿 ``user`` may read: their own, or their role's scope with ``view_team_compensation``."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW):
        return Compensation.objects.none()
    qs = Compensation.objects.all()
    if user.has_perm(VIEW_TEAM):
        scope = employee_scope_filter(user)
        if scope != Q():
            qs = qs.filter(employee__in=_scoped_employee_ids(scope))
    else:
        me = employee_of(user)
        if me is None:
            return Compensation.objects.none()
        qs = qs.filter(employee_id=me.pk)
    return qs.select_related(
        "employee", "employee__department", "complaint", "complaint__ticket"
    ).annotate(paid=_paid_total())


def _scoped_employee_ids(scope: Q) -> Any:
    from kefu.org.models import Employee

    return Employee.objects.filter(scope).values("pk")


def filter_compensations(qs: QuerySet[Compensation], params: Any) -> QuerySet[Compensation]:
    """List filters from the URL: ``month`` (YYYY-MM), ``status``, ``employee`` (工号/姓名/id)."""
    month = parse_month(params.get("month"))
    if month:
        qs = qs.filter(month=month)
    status = query_choice(params, "status", CompensationStatus.values)
    if status:
        qs = qs.filter(status=status)
    who = (params.get("employee") or "").strip()[:40]
    if who:
        pk = query_id(who) if who.isdigit() and len(who) < 7 else None
        cond = Q(employee__employee_no=who) | Q(employee__name__contains=who)
        qs = qs.filter(cond | Q(employee_id=pk) if pk else cond)
    return qs.order_by("-month", "employee__employee_no", "id")


@dataclass(frozen=True)
class ScheduleRow:
    """ScheduleRow — 扣款计划的一行: a booked (已扣) or projected (预计) month."""

    month: dt.date
    amount: Decimal
    projected: bool
    cap: Decimal
    remaining: Decimal


def last_booked_month() -> dt.date | None:
    """The latest month with any instalment (months up to it are booked)."""
    return CompensationInstalment.objects.aggregate(m=Max("month"))["m"]


def compensation_schedule(comp: Compensation) -> list[ScheduleRow]:
    """The instalment schedule of one compensation: the booked months, then the projection under
    the person's cap (all their open compensations together, oldest first) until it is paid."""
    rows: list[ScheduleRow] = []
    today = timezone.localdate()
    ratio = fine_policy(today).penalty_cap_ratio
    cap = monthly_cap(monthly_bonus=comp.employee.monthly_bonus, cap_ratio=ratio)
    remaining = comp.amount
    for inst in comp.instalments.order_by("month"):
        remaining -= inst.amount
        booked_cap = monthly_cap(
            monthly_bonus=comp.employee.monthly_bonus,
            cap_ratio=fine_policy(inst.month).penalty_cap_ratio,
        )
        rows.append(ScheduleRow(inst.month, inst.amount, False, booked_cap, remaining))
    if remaining <= 0:
        return rows
    last = last_booked_month()
    start = max(comp.month, next_month(last) if last else comp.month)
    others = list(
        Compensation.objects.filter(employee_id=comp.employee_id, status=CompensationStatus.OPEN)
        .annotate(paid_before=_paid_total())
        .values("id", "employee_id", "month", "amount", "created_at", "paid_before")
    )
    debts = debts_by_employee(others).get(comp.employee_id, [])
    for month, paid in project_schedule(debts, cap=cap, start=start):
        if comp.pk in paid:
            remaining -= paid[comp.pk]
            rows.append(ScheduleRow(month, paid[comp.pk], True, cap, remaining))
            if remaining <= 0:
                break
    return rows


def compensation_payroll_lines(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> list[PayLine]:
    """Payroll source "compensation": 赔偿扣款（本月） = −the month's instalment (the booked rows
    once the month is booked, else the projection) and 赔偿结转下月 = −what remains after it, for
    everyone with an open compensation. Three queries whatever the number of people."""
    month = month_start(month)
    booked = CompensationInstalment.objects.filter(month=month).exists()
    qs = Compensation.objects.filter(open_in_month(month))
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    in_month = CompensationInstalment.objects.filter(
        compensation=OuterRef("pk"), month=month
    ).values("amount")[:1]
    rows = list(
        qs.annotate(
            paid_before=paid_before_annotation(month),
            paid_now=Coalesce(
                Subquery(in_month, output_field=MONEY), Value(ZERO), output_field=MONEY
            ),
        ).values(
            "id",
            "employee_id",
            "month",
            "amount",
            "created_at",
            "paid_before",
            "paid_now",
            "employee__monthly_bonus",
        )
    )
    ratio = fine_policy(month).penalty_cap_ratio
    lines: list[PayLine] = []
    bonus = {r["employee_id"]: r["employee__monthly_bonus"] for r in rows}
    booked_now: dict[int, Decimal] = {}
    for r in rows:
        booked_now[r["employee_id"]] = booked_now.get(r["employee_id"], ZERO) + r["paid_now"]
    for employee_id, debts in sorted(debts_by_employee(rows).items()):
        if booked:
            now = booked_now[employee_id]
        else:
            cap = monthly_cap(monthly_bonus=bonus[employee_id], cap_ratio=ratio)
            now = sum(month_instalments(debts, cap=cap, month=month).values(), ZERO)
        owed = sum((d.remaining for d in debts), ZERO)
        if now:
            lines.append(PayLine(employee_id, "compensation", -now, "投诉赔偿分期扣款"))
        if owed - now > 0:
            lines.append(PayLine(employee_id, "carry_over", -(owed - now), "投诉赔偿结转下月"))
    return lines
