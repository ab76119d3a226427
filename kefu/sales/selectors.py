"""Sales reads — 销售与提成查询, always scoped to what the actor may see (ORG-5).

Everyone with ``sales.view_salesline`` sees their own rows; ``sales.view_team_salesline`` widens
that to the role's data scope (team, department, all). The month figures (``month_figures``) and
the rankings (``month_awards``) use a constant number of queries whatever the head count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.policy import commission_policy
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.org.selectors import employee_of, employee_scope_filter
from kefu.performance.choices import IncidentSource, IncidentStatus
from kefu.performance.models import Incident
from kefu.performance.periods import month_end, month_start, previous_month
from kefu.tickets.choices import Kind
from kefu.tickets.models import Ticket

from . import rules
from .choices import InquirySource
from .models import InquiryCount, SalesLine
from .policy import sales_policy

VIEW_LINE = "sales.view_salesline"
VIEW_TEAM = "sales.view_team_salesline"
VIEW_INQUIRY = "sales.view_inquirycount"
VIEW_COMMISSION = "sales.view_commission"
ADD_LINE = "sales.add_salesline"
IMPORT_LINE = "sales.import_salesline"
ADD_INQUIRY = "sales.add_inquirycount"
# Ticket kinds that are inquiries (询单): 咨询. The ticket kinds have no separate 售前 kind; a
# pre-sales question is recorded as 咨询.
INQUIRY_KINDS = (Kind.INQUIRY,)


# --- scope ------------------------------------------------------------------------------------
def visible_employees(user: Any, perm: str = VIEW_LINE) -> QuerySet[Employee]:
    """The people whose sales ``user`` may see: nobody, oneself, or the role's scope."""
    if not (user and user.is_authenticated and user.has_perm(perm)):
        return Employee.objects.none()
    if user.has_perm(VIEW_TEAM):
        return Employee.objects.filter(employee_scope_filter(user))
    me = employee_of(user)
    return Employee.objects.filter(pk=me.pk) if me else Employee.objects.none()


def lines_for_user(user: Any) -> QuerySet[SalesLine]:
    """销售日报明细 ``user`` may see, with the agent and team joined."""
    return SalesLine.objects.filter(agent__in=visible_employees(user)).select_related(
        "agent", "agent__team"
    )


def inquiries_for_user(user: Any) -> QuerySet[InquiryCount]:
    """询单数 rows ``user`` may see."""
    return InquiryCount.objects.filter(
        agent__in=visible_employees(user, VIEW_INQUIRY)
    ).select_related("agent", "agent__team")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def filter_agent_team(qs: QuerySet[Any], params: dict[str, str]) -> QuerySet[Any]:
    """The sales lists' ``agent`` (id) and ``team`` (id) filters; a bad value filters nothing."""
    if agent := _int(params.get("agent", "")):
        qs = qs.filter(agent_id=agent)
    if team := _int(params.get("team", "")):
        qs = qs.filter(agent__team_id=team)
    return qs


def filter_days_agent_team(qs: QuerySet[Any], params: dict[str, str]) -> QuerySet[Any]:
    """``from``/``to`` (日期, on ``day``) plus ``filter_agent_team``."""
    start, end = _date(params.get("from", "")), _date(params.get("to", ""))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return filter_agent_team(qs, params)


def filter_lines(qs: QuerySet[Any], params: dict[str, str]) -> QuerySet[Any]:
    """Filters of the list pages and the API: from/to (日期), agent (id), team (id), q."""
    qs = filter_days_agent_team(qs, params)
    q = (params.get("q") or "").strip()
    if q and qs.model is SalesLine:
        qs = qs.filter(
            Q(order_no__icontains=q) | Q(item__icontains=q) | Q(customer_name__icontains=q)
        )
    elif q:
        qs = qs.filter(Q(agent__name__icontains=q) | Q(agent__employee_no__iexact=q))
    return qs


# --- month figures ----------------------------------------------------------------------------
def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI),
    )


def ticket_inquiries(
    start: dt.date, end: dt.date, agent_ids: Sequence[int] | QuerySet[Any] | None = None
) -> list[tuple[int, dt.date, int]]:
    """(agent, day, count) of 咨询 service requests received by each agent (首问负责人) — one query."""
    lo, hi = _bounds(start, end)
    qs = Ticket.objects.filter(
        kind__in=INQUIRY_KINDS,
        received_at__gte=lo,
        received_at__lt=hi,
        first_responsible__isnull=False,
    )
    if agent_ids is not None:
        qs = qs.filter(first_responsible_id__in=agent_ids)
    rows = (
        qs.annotate(on=TruncDate("received_at", tzinfo=SHANGHAI))
        .values_list("first_responsible_id", "on")
        .annotate(n=Count("id"))
    )
    return [(a, d, n) for a, d, n in rows]


def inquiry_totals(
    start: dt.date, end: dt.date, agent_ids: Sequence[int] | QuerySet[Any] | None = None
) -> dict[int, int]:
    """Inquiries per agent over [start, end]: per day the chat tool's count, else the stored
    tickets count (frozen by the close), else the live count of 咨询 tickets. Two queries."""
    stored = InquiryCount.objects.filter(day__gte=start, day__lte=end)
    if agent_ids is not None:
        stored = stored.filter(agent_id__in=agent_ids)
    imported, frozen = [], {}
    for agent, day, count, source in stored.values_list("agent_id", "day", "count", "source"):
        if source == InquirySource.IMPORT:
            imported.append((agent, day, count))
        else:
            frozen[(agent, day)] = count
    live = {(a, d): n for a, d, n in ticket_inquiries(start, end, agent_ids)}
    live.update(frozen)
    return rules.merge_inquiries(imported, [(a, d, n) for (a, d), n in live.items()])


def sales_totals(
    start: dt.date, end: dt.date, agent_ids: Sequence[int] | QuerySet[Any] | None = None
) -> dict[int, tuple[Decimal, int]]:
    """(sales, distinct orders) per agent over [start, end] — one query."""
    qs = SalesLine.objects.filter(day__gte=start, day__lte=end)
    if agent_ids is not None:
        qs = qs.filter(agent_id__in=agent_ids)
    rows = qs.values("agent_id").annotate(
        total=Sum("amount"), orders=Count("order_no", distinct=True)
    )
    return {r["agent_id"]: (r["total"] or rules.ZERO, r["orders"]) for r in rows}


def month_figures(
    month: dt.date, agent_ids: Sequence[int] | QuerySet[Any] | None = None
) -> dict[int, rules.Commission]:
    """提成 of every agent with sales or inquiries in ``month`` (PERF-2), with the policy in force
    on the month's last day. Constant number of queries (5)."""
    start = month_start(month)
    end = month_end(start)
    cp, sp = commission_policy(end), sales_policy(end)
    sales = sales_totals(start, end, agent_ids)
    inquiries = inquiry_totals(start, end, agent_ids)
    figures: dict[int, rules.Commission] = {}
    for agent in set(sales) | set(inquiries):
        total, orders = sales.get(agent, (rules.ZERO, 0))
        figures[agent] = rules.commission_for(
            sales=total,
            orders=orders,
            inquiries=inquiries.get(agent, 0),
            threshold=cp.conversion_threshold,
            rate_below=cp.rate_below,
            rate_at_or_above=cp.rate_at_or_above,
            no_inquiry=sp.no_inquiry_conversion,
        )
    return figures


@dataclass
class CommissionRow:
    """One line of the 提成 page."""

    employee: Employee
    figures: rules.Commission
    rank: int | None


def commission_rows_for_user(
    user: Any, month: dt.date, *, team: int | None = None, q: str = ""
) -> list[CommissionRow]:
    """The month's commission of everyone ``user`` may see who sold or had inquiries; the rank is
    the company-wide sales rank among customer-service agents."""
    if not user.has_perm(VIEW_COMMISSION):
        return []
    people = visible_employees(user, VIEW_COMMISSION)
    if team:
        people = people.filter(team_id=team)
    if q:
        people = people.filter(Q(name__icontains=q) | Q(employee_no__iexact=q))
    figures = month_figures(month, people.values("id"))
    start = month_start(month)
    ranks = {p: r for p, r, _ in rules.competition_ranks(_group_sales(start, Role.AGENT))}
    employees = Employee.objects.filter(pk__in=figures).select_related("team")
    rows = [CommissionRow(e, figures[e.pk], ranks.get(e.pk)) for e in employees]
    rows.sort(key=lambda r: (-r.figures.sales, r.employee.employee_no))
    return rows


# --- rankings and awards (PERF-3) -------------------------------------------------------------
def _group_sales(start: dt.date, role: Role, end: dt.date | None = None) -> dict[int, Decimal]:
    """Sales per member of a role group over [start, end or month end] — one query."""
    end = end or month_end(start)
    rows = (
        SalesLine.objects.filter(day__gte=start, day__lte=end, agent__user__groups__name=role.label)
        .values("agent_id")
        .annotate(total=Sum("amount"))
    )
    return {r["agent_id"]: r["total"] for r in rows}


@dataclass
class Award:
    """One award of a month's rankings — booked in the ledger or projected."""

    kind: str  # top_seller / rv_monthly / rv_weekly
    label: str
    period: str
    day: dt.date  # the last day of the period: the award's booking day
    employee_id: int
    rank: int
    sales: Decimal
    amount: Decimal
    rule_code: str
    source: str
    evidence_ref: str
    streak: int = 1
    employee: Employee | None = None
    booked: bool = False


@dataclass
class MonthAwards:
    """The month's rankings: 销售冠军, 回访部月排名 and 周冠军."""

    top_sellers: list[Award] = field(default_factory=list)
    return_visit: list[Award] = field(default_factory=list)
    weekly: list[Award] = field(default_factory=list)

    @property
    def all(self) -> list[Award]:
        return [*self.top_sellers, *self.return_visit, *self.weekly]


def _previous_tops(start: dt.date, months: int) -> list[set[int]]:
    """Top sellers of the ``months`` months before ``start``, most recent first — one query."""
    if months <= 0:
        return []
    first = start
    for _ in range(months):
        first = previous_month(first)
    rows = (
        SalesLine.objects.filter(
            day__gte=first,
            day__lt=start,
            agent__user__groups__name=Role.AGENT.label,
        )
        .annotate(m=TruncMonth("day"))
        .values("m", "agent_id")
        .annotate(total=Sum("amount"))
    )
    by_month: dict[dt.date, dict[int, Decimal]] = defaultdict(dict)
    for r in rows:
        m = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        by_month[m][r["agent_id"]] = r["total"]
    tops, m = [], start
    for _ in range(months):
        m = previous_month(m)
        tops.append(rules.top_of(by_month.get(m, {})))
    return tops


def month_awards(month: dt.date) -> MonthAwards:
    """销售冠军 and 回访部 awards of ``month`` with their amounts (policy in force on the period's
    last day) and whether each is already booked. A constant number of queries."""
    start = month_start(month)
    end = month_end(start)
    cp, sp = commission_policy(end), sales_policy(end)
    key = f"{start:%Y-%m}"
    result = MonthAwards()
    agents = _group_sales(start, Role.AGENT)
    tops_before = _previous_tops(start, len(cp.top_seller_awards) - 1)
    for person in sorted(rules.top_of(agents)):
        streak = rules.streak_of(person, tops_before)
        result.top_sellers.append(
            Award(
                kind="top_seller",
                label="月度销售冠军",
                period=key,
                day=end,
                employee_id=person,
                rank=1,
                sales=agents[person],
                amount=rules.top_seller_award(streak, list(cp.top_seller_awards)),
                rule_code="top_seller",
                source=IncidentSource.SALES,
                evidence_ref=f"sales.top_seller:{key}:{person}",
                streak=streak,
            )
        )
    visitors = _group_sales(start, Role.RETURN_VISITOR)
    names = {1: "冠军", 2: "亚军", 3: "季军"}
    for person, rank, total in rules.competition_ranks(visitors):
        if rank > 3:
            break
        amount = rules.rank_award(
            rank,
            champion=cp.return_visit_monthly_champion,
            runner_up=sp.return_visit_runner_up,
            third=cp.return_visit_third_place,
        )
        result.return_visit.append(
            Award(
                kind="rv_monthly",
                label=f"回访部月度{names[rank]}",
                period=key,
                day=end,
                employee_id=person,
                rank=rank,
                sales=total,
                amount=amount,
                rule_code="return_visit_champion",
                source=IncidentSource.RETURN_VISIT,
                evidence_ref=f"sales.rv_monthly:{key}:{rank}:{person}",
            )
        )
    weeks = rules.weeks_ending_in(start)
    if weeks:
        daily = (
            SalesLine.objects.filter(
                day__gte=weeks[0].monday,
                day__lte=weeks[-1].sunday,
                agent__user__groups__name=Role.RETURN_VISITOR.label,
            )
            .values("agent_id", "day")
            .annotate(total=Sum("amount"))
        )
        per_week: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in daily:
            for w in weeks:
                if w.monday <= r["day"] <= w.sunday:
                    per_week[w.label][r["agent_id"]] += r["total"]
        for w in weeks:
            totals = per_week.get(w.label, {})
            for person in sorted(rules.top_of(totals)):
                amount = commission_policy(w.sunday).return_visit_weekly_champion
                result.weekly.append(
                    Award(
                        kind="rv_weekly",
                        label="回访部周冠军",
                        period=w.label,
                        day=w.sunday,
                        employee_id=person,
                        rank=1,
                        sales=totals[person],
                        amount=amount,
                        rule_code="return_visit_champion",
                        source=IncidentSource.RETURN_VISIT,
                        evidence_ref=f"sales.rv_weekly:{w.label}:{person}",
                    )
                )
    everyone = result.all
    if everyone:
        people = Employee.objects.in_bulk({a.employee_id for a in everyone})
        booked = set(
            Incident.objects.filter(
                evidence_ref__in=[a.evidence_ref for a in everyone], reverses__isnull=True
            )
            .exclude(status=IncidentStatus.REVOKED)
            .values_list("evidence_ref", flat=True)
        )
        for a in everyone:
            a.employee = people.get(a.employee_id)
            a.booked = a.evidence_ref in booked
    return result


def awards_for_user(user: Any, month: dt.date) -> MonthAwards:
    """The rankings are public inside the company (公司公开表扬): everyone who may open the
    commission page sees them."""
    if not user.has_perm(VIEW_COMMISSION):
        return MonthAwards()
    return month_awards(month)


def current_month() -> dt.date:
    return month_start(timezone.localdate())
