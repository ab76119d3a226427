"""Score-card reads — 考核计分卡查询 (PERF-4): who may see which card, and the cards of a month.

Figures of a month come from one of two places:

- an **open** month (no close, or not yet closed) is computed: the month's counted ledger points
  per person in one grouped query, the rules of the policy versions in force on the month's
  *last day* (``scorecard_policy(month_end)``, ``performance_policy(month_end)``, the latter also
  choosing each department's scheme), then the pure rules of ``scorecard.py``;
- a **closed** month (MonthClose status 已结账) is read from its PayrollLine snapshot and never
  recomputed, so a later policy change or a correction booked next month does not move it.

Every function runs a fixed number of queries whatever the number of people (the month close
scores the whole company through ``scorecard_payroll.scorecard_payroll_lines``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kefu.core import access_cache
from kefu.core.errors import DomainError
from kefu.core.policy import scorecard_policy
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.org.selectors import employee_of, employees_for_user

from .choices import COUNTED_STATUSES, IncidentCategory, IncidentStatus, MonthCloseStatus
from .departments import DepartmentHistory, department_history
from .full_attendance import leave_costing_full_attendance
from .models import Incident, MonthClose, PayrollLine
from .periods import month_end, month_start, previous_month
from .policy import PerformancePolicy, performance_policy
from .scorecard import (
    POINTS10,
    POINTS100,
    ZERO,
    CardRules,
    ScoreCard,
    SupervisorAdjust,
    frozen_card,
    is_low_month,
    rules_from_policy,
    score_card,
    supervisor_adjust,
)

VIEW_OWN = "performance.view_incident"
VIEW_TEAM = "performance.view_team_incident"
HISTORY_MONTHS = 6
SUPERVISOR_GROUP = Role.SUPERVISOR.label
# Lines that take 全勤奖 away must still be live: a revoked original (cancelled by its reversal)
# and the reversal itself do not.
LIVE_STATUSES = (IncidentStatus.CONFIRMED, IncidentStatus.APPEALED)


# --- months -------------------------------------------------------------------------------------
def parse_month(value: str | None) -> dt.date | None:
    """``YYYY-MM`` (or a full date) → the first day of that month; None when not a month."""
    text = (value or "").strip()[:10]
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2999:
            return month_start(day)
    return None


def month_or_current(value: str | None) -> dt.date:
    """The month asked for, or the current one (a junk value falls back to it)."""
    return parse_month(value) or month_start(timezone.localdate())


def month_or_error(value: str | None) -> dt.date:
    """For the API: an absent month is the current one, a malformed one is refused (422)."""
    if not (value or "").strip():
        return month_start(timezone.localdate())
    month = parse_month(value)
    if month is None:
        raise DomainError("invalid_month", "月份格式应为 YYYY-MM", fields={"month": "格式 YYYY-MM"})
    return month


def months_back(month: dt.date, n: int) -> list[dt.date]:
    """The ``n`` months ending with ``month``, oldest first."""
    months = [month]
    while len(months) < n:
        months.insert(0, previous_month(months[0]))
    return months


def closed_months(months: Iterable[dt.date]) -> set[dt.date]:
    """Which of ``months`` are closed (已结账) — their cards are the snapshot (one query)."""
    return set(
        MonthClose.objects.filter(
            month__in=list(months), status=MonthCloseStatus.CLOSED
        ).values_list("month", flat=True)
    )


def active_in_month(month: dt.date) -> Q:
    """Employees employed at some time in ``month`` (as the month close counts them)."""
    return Q(hire_date__lte=month_end(month)) & (Q(left_on__isnull=True) | Q(left_on__gte=month))


@dataclass(frozen=True)
class MonthRules:
    """The rules of a month: policy versions in force on its last day."""

    month: dt.date
    performance: PerformancePolicy
    rules: dict[str, CardRules]
    breaking: tuple[str, ...]

    def scheme_of(self, department_code: str | None) -> str:
        return self.performance.scheme_for(department_code)

    def rules_of(self, department_code: str | None) -> CardRules:
        return self.rules[self.scheme_of(department_code)]


@dataclass
class Memo:
    """What one request has already read: month rules, supervisors, closed months, standings."""

    rules: dict[dt.date, MonthRules] = field(default_factory=dict)
    sup_ids: set[int] | None = None
    closed: dict[dt.date, bool] = field(default_factory=dict)
    standings: dict[tuple[dt.date, int], DepartmentStanding] = field(default_factory=dict)
    history: DepartmentHistory | None = None

    def departments(self, day: dt.date) -> DepartmentHistory:
        """The department moves saved after ``day`` (read once, from the earliest day asked)."""
        if self.history is None or self.history.since > day:
            self.history = department_history(day)
        return self.history

    def supervisors(self) -> set[int]:
        if self.sup_ids is None:
            # Every card page asks (PERF-4: a 客服主管's card differs); roles change rarely and
            # clear the access cache (kefu/core/access_cache.py), so it is kept per process.
            self.sup_ids = set(access_cache.cached_value(("supervisor_ids",), _supervisor_ids))
        return self.sup_ids

    def closed_months(self, months: Iterable[dt.date]) -> set[dt.date]:
        months = list(months)
        unknown = [m for m in months if m not in self.closed]
        if unknown:
            shut = closed_months(unknown)
            self.closed.update({m: m in shut for m in unknown})
        return {m for m in months if self.closed[m]}


def month_rules(month: dt.date, cache: Memo | None = None) -> MonthRules:
    """MonthRules of ``month`` (memoised in ``cache`` when given)."""
    if cache is not None and month in cache.rules:
        return cache.rules[month]
    end = month_end(month)
    perf = performance_policy(end)
    card = scorecard_policy(end)
    found = MonthRules(
        month=month,
        performance=perf,
        rules={s: rules_from_policy(s, card, perf.ten_point_base) for s in (POINTS100, POINTS10)},
        breaking=tuple(r.code for r in perf.rules if r.breaks_full_attendance),
    )
    if cache is not None:
        cache.rules[month] = found
    return found


# --- people -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """What scoring needs of an employee."""

    id: int
    department_id: int
    department_code: str
    hire_date: dt.date | None = None

    @classmethod
    def of(cls, employee: Employee) -> Person:
        return cls(
            employee.pk, employee.department_id, employee.department.code, employee.hire_date
        )

    def on(self, history: DepartmentHistory, day: dt.date) -> Person:
        """This person with the department they belonged to on ``day`` (PERF-4: the scheme and
        the 客服主管's department are those of the month, not today's)."""
        dept, code = history.on(self.id, self.department_id, self.department_code, day)
        if dept == self.department_id:
            return self
        return Person(self.id, dept or 0, code, self.hire_date)


def in_month(people: Sequence[Person], month: dt.date, cache: Memo) -> list[Person]:
    """``people`` with their departments at the end of ``month`` (no query for this month)."""
    end = month_end(month)
    history = cache.departments(end)
    if not history.moves:
        return list(people)
    return [p.on(history, end) for p in people]


def people_of_month(month: dt.date, employee_ids: Sequence[int] | None = None) -> list[Person]:
    """Everyone employed in ``month`` (or those of ``employee_ids``), as Persons (one query)."""
    qs = Employee.objects.filter(active_in_month(month))
    if employee_ids is not None:
        qs = qs.filter(pk__in=list(employee_ids))
    return [
        Person(pk, dept, code, hired)
        for pk, dept, code, hired in qs.values_list(
            "pk", "department_id", "department__code", "hire_date"
        ).order_by("pk")
    ]


def _supervisor_ids() -> frozenset[int]:
    return frozenset(supervisor_ids())


def supervisor_ids() -> set[int]:
    """Employees holding the 客服主管 role (few; one query)."""
    return set(
        Employee.objects.filter(user__groups__name=SUPERVISOR_GROUP).values_list("pk", flat=True)
    )


# --- computing a month --------------------------------------------------------------------------
def _counted(month: dt.date) -> QuerySet[Incident]:
    return Incident.objects.filter(month=month, status__in=COUNTED_STATUSES)


def month_points(
    month: dt.date, breaking: Sequence[str], employee_ids: Sequence[int] | None = None
) -> dict[int, tuple[Decimal, bool]]:
    """Per employee: the sum of counted points booked in ``month`` and whether a live line of a
    rule in ``breaking`` (breaks 全勤奖) is among them — one grouped query."""
    qs = _counted(month)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    live_breaking = Q(
        rule__in=list(breaking), status__in=LIVE_STATUSES, reverses__isnull=True
    ) & ~Q(category=IncidentCategory.REVERSAL)
    rows = (
        qs.order_by()
        .values_list("employee_id")
        .annotate(points=Sum("points"), breaks=Count("pk", filter=live_breaking))
    )
    return {emp: (points or ZERO, bool(breaks)) for emp, points, breaks in rows}


@dataclass
class DepartmentStanding:
    """客服主管奖惩的依据: the department's scored people (百分制, supervisors left out)."""

    department_id: int
    adjust: SupervisorAdjust
    low_names: list[str] = field(default_factory=list)


def department_standings(
    month: dt.date,
    department_ids: Iterable[int],
    *,
    mr: MonthRules,
    closed: bool,
    memo: Memo,
) -> dict[int, DepartmentStanding]:
    """Per department: how many scored people reach the base / fall below the dismissal line,
    and the supervisor's ± it gives (two queries; departments already read are reused)."""
    wanted = sorted(set(department_ids))
    dept_ids = [d for d in wanted if (month, d) not in memo.standings]
    if not dept_ids:
        return {d: memo.standings[(month, d)] for d in wanted}
    sup_ids = memo.supervisors()
    rules = mr.rules[POINTS100]
    scores: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    if closed:
        rows = PayrollLine.objects.filter(
            month=month, scheme=POINTS100, employee__department_id__in=dept_ids
        ).exclude(employee_id__in=sup_ids)
        for dept, score, name in rows.values_list(
            "employee__department_id", "score", "employee__name"
        ):
            scores[dept].append((score, name))
    else:
        # Members in that month: today's members and whoever moved since, at the month's end.
        end = month_end(month)
        history = memo.departments(end)
        moved = sorted(history.moved_ids())
        members = Q(department_id__in=dept_ids) | Q(pk__in=moved)
        people = [
            (pk, *history.on(pk, dept, code, end), name)
            for pk, dept, code, name in Employee.objects.filter(active_in_month(month))
            .filter(members)
            .exclude(pk__in=sup_ids)
            .values_list("pk", "department_id", "department__code", "name")
        ]
        points = dict(
            _counted(month)
            .filter(Q(employee__department_id__in=dept_ids) | Q(employee_id__in=moved))
            .order_by()
            .values_list("employee_id")
            .annotate(points=Sum("points"))
        )
        for pk, dept, code, name in people:
            if dept in dept_ids and mr.scheme_of(code) == POINTS100:
                scores[dept].append((rules.base + (points.get(pk) or ZERO), name))
    for dept in dept_ids:
        got = scores.get(dept, [])
        memo.standings[(month, dept)] = DepartmentStanding(
            department_id=dept,
            adjust=supervisor_adjust([s for s, _ in got], rules),
            low_names=sorted(n for s, n in got if s < rules.dismissal_below),
        )
    return {d: memo.standings[(month, d)] for d in wanted}


def _low_months_before(
    month: dt.date,
    people: Sequence[Person],
    count: int,
    closed: set[dt.date],
    cache: Memo,
) -> dict[int, list[bool]]:
    """十分制: for each person, whether each of the ``count`` months before ``month`` (oldest
    first) was a low month of that scheme (snapshot for closed months, computed otherwise)."""
    if count <= 0 or not people:
        return {}
    months = months_back(previous_month(month), count)
    scores = scheme_scores(people, months, closed, cache)
    result: dict[int, list[bool]] = {}
    for p in people:
        flags = []
        for m in months:
            got = scores.get((p.id, m))
            flags.append(
                got is not None
                and got[0] == POINTS10
                and is_low_month(got[1], month_rules(m, cache).rules[POINTS10])
            )
        result[p.id] = flags
    return result


def scheme_scores(
    people: Sequence[Person],
    months: Sequence[dt.date],
    closed: set[dt.date],
    cache: Memo,
) -> dict[tuple[int, dt.date], tuple[str, Decimal]]:
    """(scheme, score) per (person, month): the snapshot of closed months, computed for open
    ones (months before the person was hired are left out). Two queries at most."""
    ids = [p.id for p in people]
    out: dict[tuple[int, dt.date], tuple[str, Decimal]] = {}
    shut = [m for m in months if m in closed]
    open_ = [m for m in months if m not in closed]
    if shut:
        for emp, m, scheme, score in PayrollLine.objects.filter(
            month__in=shut, employee_id__in=ids
        ).values_list("employee_id", "month", "scheme", "score"):
            out[(emp, m)] = (scheme, score)
    if open_:
        points: dict[tuple[int, dt.date], Decimal] = {
            (emp, m): pts or ZERO
            for emp, m, pts in Incident.objects.filter(
                month__in=open_, status__in=COUNTED_STATUSES, employee_id__in=ids
            )
            .order_by()
            .values_list("employee_id", "month")
            .annotate(points=Sum("points"))
        }
        history = cache.departments(month_end(min(open_)))
        for m in open_:
            mr = month_rules(m, cache)
            for p in people:
                if p.hire_date is not None and p.hire_date > month_end(m):
                    continue
                rules = mr.rules_of(p.on(history, month_end(m)).department_code)
                out[(p.id, m)] = (rules.scheme, rules.base + points.get((p.id, m), ZERO))
    return out


@dataclass
class PersonCard:
    """One person's card of a month, with where it came from."""

    employee_id: int
    month: dt.date
    card: ScoreCard
    frozen: bool = False
    is_supervisor: bool = False
    standing: DepartmentStanding | None = None
    # Approved leave of a type that does not keep 全勤奖 (full_attendance.py), by name.
    leave_types: tuple[str, ...] = ()


def cards_for(
    month: dt.date,
    people: Sequence[Person],
    *,
    all_people: bool = False,
    cache: Memo | None = None,
) -> dict[int, PersonCard]:
    """The cards of ``people`` in ``month`` (a fixed number of queries).

    ``all_people``: ``people`` is everyone of the month, so the ledger is read without an id list
    (the month close's case).
    """
    cache = Memo() if cache is None else cache
    if not people:
        return {}
    mr = month_rules(month, cache)
    people = in_month(people, month, cache)
    longest = max(r.low_months_for_severe for r in mr.rules.values())
    closed = cache.closed_months(months_back(month, max(longest, 1)))
    sup_ids = cache.supervisors()
    ids = None if all_people else [p.id for p in people]
    if month in closed:
        return _frozen_cards(month, people, mr, cache)
    points = month_points(month, mr.breaking, ids)
    on_leave = leave_costing_full_attendance(month, mr.performance.full_attendance_kept_leave, ids)
    supervisors = [
        p for p in people if p.id in sup_ids and mr.scheme_of(p.department_code) == POINTS100
    ]
    standings = department_standings(
        month, {p.department_id for p in supervisors}, mr=mr, closed=False, memo=cache
    )
    ten = [p for p in people if mr.scheme_of(p.department_code) == POINTS10]
    low_before = _low_months_before(
        month, ten, mr.rules[POINTS10].low_months_for_severe - 1, closed, cache
    )
    result = {}
    for p in people:
        pts, breaks = points.get(p.id, (ZERO, False))
        leave = tuple(on_leave.get(p.id, ()))
        standing = standings.get(p.department_id) if p.id in sup_ids else None
        card = score_card(
            mr.rules_of(p.department_code),
            points=pts,
            breaks_full_attendance=breaks or bool(leave),
            low_months_before=low_before.get(p.id, ()),
            supervisor=standing.adjust if standing is not None else None,
        )
        result[p.id] = PersonCard(p.id, month, card, False, p.id in sup_ids, standing, leave)
    return result


def _frozen_cards(
    month: dt.date, people: Sequence[Person], mr: MonthRules, memo: Memo
) -> dict[int, PersonCard]:
    """A closed month: the PayrollLine snapshot as cards (people without one have no card)."""
    ids = [p.id for p in people]
    rows = PayrollLine.objects.filter(month=month, employee_id__in=ids).values_list(
        "employee_id", "scheme", "score", "amounts", "flags"
    )
    by_id = {p.id: p for p in people}
    lines = list(rows)
    sup_depts = {by_id[e].department_id for e, *_ in lines if e in memo.supervisors()}
    sup_ids = memo.supervisors()
    standings = department_standings(month, sup_depts, mr=mr, closed=True, memo=memo)
    result = {}
    for emp, scheme, score, amounts, flags in lines:
        rules = mr.rules.get(scheme) or mr.rules[POINTS100]
        card = frozen_card(rules, score=score, amounts=amounts or {}, flags=flags or [])
        standing = standings.get(by_id[emp].department_id) if emp in sup_ids else None
        result[emp] = PersonCard(emp, month, card, True, emp in sup_ids, standing)
    return result


# --- who sees what ------------------------------------------------------------------------------
def scorecard_people_for_user(
    user: Any,
    *,
    month: dt.date,
    team_id: int | None = None,
    department_id: int | None = None,
    q: str = "",
) -> QuerySet[Employee]:
    """People whose card ``user`` may see in ``month``: everyone in scope with
    view_team_incident (组长: team, 主管/经理: department, 人事/总经理: all), else only oneself."""
    if user.has_perm(VIEW_TEAM):
        qs = employees_for_user(user, q=q, department_id=department_id, team_id=team_id)
    elif user.has_perm(VIEW_OWN) and employee_of(user) is not None:
        qs = employees_for_user(user).filter(pk=employee_of(user).pk)  # type: ignore[union-attr]
        if team_id:
            qs = qs.filter(team_id=team_id)
        if department_id:
            qs = qs.filter(department_id=department_id)
    else:
        return Employee.objects.none()
    return qs.filter(active_in_month(month))


def scorecard_employee_for_user(user: Any, employee_id: int) -> Employee:
    """The employee whose card is asked for; Employee.DoesNotExist when it is not the user's own
    and the user may not see others' cards in that scope (pages answer 404)."""
    me = employee_of(user)
    if me is not None and me.pk == employee_id and user.has_perm(VIEW_OWN):
        return me
    if not user.has_perm(VIEW_TEAM):
        raise Employee.DoesNotExist
    return employees_for_user(user).get(pk=employee_id)
