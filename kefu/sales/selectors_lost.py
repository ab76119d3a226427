"""Lost-sale reads — 询单转化与未成交原因 (RPT-6), scoped to the actor like the sales lines.

``lost_report_for_user`` gives per agent of a month the inquiries, orders and conversion (the
commission figures, ``selectors.month_figures``) and the count of each 未成交原因 — a constant
number of queries for any head count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from kefu.org.models import Employee
from kefu.performance.periods import month_end, month_start

from . import rules
from .models import LostInquiry
from .policy import sales_policy
from .selectors import filter_days_agent_team, month_figures, visible_employees

VIEW_LOST = "sales.view_lostinquiry"


def lost_for_user(user: Any) -> QuerySet[LostInquiry]:
    """未成交原因 records ``user`` may see."""
    return LostInquiry.objects.filter(agent__in=visible_employees(user, VIEW_LOST)).select_related(
        "agent", "agent__team"
    )


def filter_lost(qs: QuerySet[LostInquiry], params: dict[str, str]) -> QuerySet[LostInquiry]:
    """Filters: from/to (日期), agent, team, reason, q (买家/商品/姓名/工号)."""
    qs = filter_days_agent_team(qs, params)
    if reason := (params.get("reason") or "").strip()[:30]:
        qs = qs.filter(reason=reason)
    if text := (params.get("q") or "").strip():
        qs = qs.filter(
            Q(customer_name__icontains=text)
            | Q(item__icontains=text)
            | Q(agent__name__icontains=text)
            | Q(agent__employee_no__iexact=text)
        )
    return qs


@dataclass
class LostRow:
    """One agent's month: 询单数, 订单数, 转化率, and the count of each 未成交原因."""

    employee: Employee
    figures: rules.Commission | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return sum(self.counts.values())


@dataclass
class LostReport:
    """The month's report: the reasons (columns, code → name) and the rows."""

    month: dt.date
    reasons: list[tuple[str, str]]
    rows: list[LostRow]

    def total(self, code: str) -> int:
        return sum(r.counts.get(code, 0) for r in self.rows)

    @property
    def lines(self) -> list[tuple[LostRow, list[int]]]:
        """Each row with its counts in the order of ``reasons`` (for a table)."""
        return [(r, [r.counts.get(code, 0) for code, _ in self.reasons]) for r in self.rows]

    @property
    def totals(self) -> list[int]:
        return [self.total(code) for code, _ in self.reasons]

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self.rows)


def lost_report_for_user(
    user: Any, month: dt.date, *, team: int | None = None, q: str = ""
) -> LostReport:
    """询单转化与未成交原因 of ``month`` for everyone ``user`` may see who had inquiries, orders or
    a recorded lost sale. Reasons: the policy's list in force on the month's last day, then any
    other reason recorded in the month (an older version's)."""
    start = month_start(month)
    end = month_end(start)
    reasons = [(r.code, r.name) for r in sales_policy(end).lost_sale_reasons]
    if not user.has_perm(VIEW_LOST):
        return LostReport(start, reasons, [])
    people = visible_employees(user, VIEW_LOST)
    if team:
        people = people.filter(team_id=team)
    if q:
        people = people.filter(Q(name__icontains=q) | Q(employee_no__iexact=q))
    counts = (
        LostInquiry.objects.filter(day__gte=start, day__lte=end, agent__in=people)
        .values_list("agent_id", "reason", "reason_name")
        .annotate(n=Count("id"))
    )
    per_agent: dict[int, dict[str, int]] = {}
    known = {code for code, _ in reasons}
    for agent, code, name, n in counts:
        per_agent.setdefault(agent, {})
        per_agent[agent][code] = per_agent[agent].get(code, 0) + n
        if code not in known:
            reasons.append((code, name))
            known.add(code)
    figures = month_figures(start, people.values("id"))
    ids = set(figures) | set(per_agent)
    employees = Employee.objects.filter(pk__in=ids).select_related("team")
    rows = [LostRow(e, figures.get(e.pk), per_agent.get(e.pk, {})) for e in employees]
    rows.sort(key=lambda r: (-r.lost, r.employee.employee_no))
    return LostReport(start, reasons, rows)
