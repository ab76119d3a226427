"""Ledger reads — 奖惩台账查询, always scoped to the reader (ORG-5).

Everyone sees their own incidents and appeals; holders of 查看本范围奖惩事件
(performance.view_team_incident: 组长, 主管, 经理, 人事, 领导) see those of the people in their
scope (``kefu.org.selectors.employee_scope_filter``). Lists join employee, team and department in
one query (no N+1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from kefu.core.params import query_id
from kefu.core.policy import fine_policy
from kefu.org.models import Employee
from kefu.org.selectors import employee_of, employee_scope_filter

from .choices import AppealStatus, IncidentCategory, IncidentSource, IncidentStatus
from .models import Appeal, Incident
from .policy import CatalogueRule, performance_policy
from .rules import escalated_fine

VIEW_TEAM = "performance.view_team_incident"
FILTER_KEYS = ("month", "team", "employee", "category", "status", "source", "q")


def _employee_filter(user: Any, prefix: str) -> Q:
    """Q over a model with an ``employee`` FK, keeping the people ``user`` may see."""
    if not (user and getattr(user, "is_authenticated", False)):
        return Q(pk__in=[])
    if not user.has_perm(VIEW_TEAM):
        me = employee_of(user)
        return Q(**{f"{prefix}_id": me.pk}) if me is not None else Q(pk__in=[])
    scope = employee_scope_filter(user)
    if not scope:  # Scope.ALL
        return Q()
    return Q(**{f"{prefix}_id__in": Employee.objects.filter(scope).values("pk")})


def incidents_for_user(user: Any) -> QuerySet[Incident]:
    """The ledger lines ``user`` may see, newest first, with employee/team/department joined."""
    if not user.has_perm("performance.view_incident"):
        return Incident.objects.none()
    return (
        Incident.objects.filter(_employee_filter(user, "employee"))
        .select_related("employee", "employee__team", "employee__department")
        .order_by("-day", "-id")
    )


def incident_get_for_user(user: Any, pk: int) -> Incident:
    """One line, or Incident.DoesNotExist when missing or outside the reader's scope."""
    return (
        incidents_for_user(user)
        .select_related("reverses", "recorded_by", "confirmed_by")
        .get(pk=pk)
    )


def parse_month(value: str) -> dt.date | None:
    """ "2026-11" → 2026-11-01; None for anything else."""
    try:
        year, month = value.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None


def filter_incidents(qs: QuerySet[Incident], params: dict[str, str]) -> QuerySet[Incident]:
    """Apply the list's filters (month = booking month 计入月份, team, employee, category, status,
    source, q = 姓名/工号); unknown values are ignored."""
    month = parse_month(params.get("month", ""))
    if month is not None:
        qs = qs.filter(month=month)
    team = query_id(params.get("team"))
    if team:
        qs = qs.filter(employee__team_id=team)
    employee = query_id(params.get("employee"))
    if employee:
        qs = qs.filter(employee_id=employee)
    if params.get("category") in IncidentCategory.values:
        qs = qs.filter(category=params["category"])
    if params.get("status") in IncidentStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("source") in IncidentSource.values:
        qs = qs.filter(source=params["source"])
    q = (params.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(
            Q(employee__name__icontains=q)
            | Q(employee__employee_no__icontains=q)
            | Q(rule_name__icontains=q)
        )
    return qs


def appeals_for_user(user: Any) -> QuerySet[Appeal]:
    """The appeals ``user`` may see (own, or of the scope), pending first then newest."""
    if not user.has_perm("performance.view_appeal"):
        return Appeal.objects.none()
    pending_first = Case(
        When(status=AppealStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Appeal.objects.filter(_employee_filter(user, "employee"))
        .select_related(
            "incident", "employee", "employee__team", "employee__department", "decided_by"
        )
        .annotate(pending_first=pending_first)
        .order_by("pending_first", "-filed_at", "-id")
    )


def appeal_get_for_user(user: Any, pk: int) -> Appeal:
    return appeals_for_user(user).get(pk=pk)


def filter_appeals(qs: QuerySet[Appeal], params: dict[str, str]) -> QuerySet[Appeal]:
    if params.get("status") in AppealStatus.values:
        qs = qs.filter(status=params["status"])
    month = parse_month(params.get("month", ""))
    if month is not None:
        qs = qs.filter(incident__month=month)
    return qs


def appeals_of(incident: Incident) -> list[Appeal]:
    """An incident's appeal history, oldest first."""
    return list(
        Appeal.objects.filter(incident=incident)
        .select_related("decided_by__employee", "employee")
        .order_by("filed_at", "id")
    )


# --- the catalogue ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogueRow:
    """One rule of the catalogue with its escalation steps (50 / 100 / 辞退) — 奖惩条目."""

    rule: CatalogueRule
    category_label: str
    escalation_steps: list[str]


def escalation_steps(rule: CatalogueRule, day: dt.date) -> list[str]:
    """ "¥50.00", "¥100.00", "辞退" for an escalating rule (from the ``fines`` policy of ``day``)."""
    if not rule.escalation:
        return []
    esc = getattr(fine_policy(day), rule.escalation)
    steps = []
    for n in range(1, esc.dismissal_on + 1):
        fine, dismissal = escalated_fine(
            n, first=esc.first, multiplier=esc.multiplier, dismissal_on=esc.dismissal_on
        )
        steps.append("辞退" if dismissal else f"¥{fine:,.2f}")
    return steps


def catalogue(day: dt.date, *, manual_only: bool = False) -> list[CatalogueRow]:
    """The rule catalogue of the policy in force on ``day``."""
    labels = dict(IncidentCategory.choices)
    return [
        CatalogueRow(r, labels.get(r.category, r.category), escalation_steps(r, day))
        for r in performance_policy(day).rules
        if r.manual or not manual_only
    ]


@dataclass(frozen=True)
class RulePreview:
    """What the form shows beside the chosen rule: range, default, this month's occurrence."""

    rule: CatalogueRule
    points: Decimal
    money: Decimal
    occurrence: int | None
    escalated_money: Decimal | None
    dismissal: bool
    steps: list[str]
    category_label: str


def rule_preview(*, rule_code: str, day: dt.date, employee_id: int | None) -> RulePreview | None:
    """Defaults of ``rule_code`` in the policy in force on ``day`` and, for an escalating rule, the
    person's next occurrence in that month (本月第N次) with its fine."""
    from .services.booking import month_occurrences

    rule = performance_policy(day).rule(rule_code)
    if rule is None:
        return None
    occurrence = None
    escalated = None
    dismissal = False
    if employee_id:
        occurrence = month_occurrences(employee_id=employee_id, rule=rule.code, day=day) + 1
    if rule.escalation and occurrence:
        esc = getattr(fine_policy(day), rule.escalation)
        escalated, dismissal = escalated_fine(
            occurrence, first=esc.first, multiplier=esc.multiplier, dismissal_on=esc.dismissal_on
        )
    return RulePreview(
        rule=rule,
        points=rule.points,
        money=escalated if escalated is not None else rule.money,
        occurrence=occurrence,
        escalated_money=escalated,
        dismissal=dismissal,
        steps=escalation_steps(rule, day),
        category_label=dict(IncidentCategory.choices).get(rule.category, rule.category),
    )
