"""请假 reads — leave the viewer may see, the days leave holds (for swaps, the roster solver and
attendance), balances (年假, 调休) and the coverage a leave would leave short.

``approved_leave_days`` has the signature of the workforce fixed-days source:
``fn(employee_ids, start, end) → {(employee_id, day): "leave"}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.org.models import ApprovalStep, Employee
from kefu.org.selectors import employee_of, employee_scope_filter

from .choices import HOLDING_STATUSES, TAKEN_STATUSES, LeaveStatus
from .models import LeaveRequest
from .policy import LeavePolicy

VIEW = "leave.view_leaverequest"
ADD = "leave.add_leaverequest"
VIEW_TEAM = "leave.view_team_leaverequest"
LEAVE_CODE = "leave"

TABS = (("mine", "我的请假"), ("team", "班组请假"))


def _days_of(
    rows: Iterable[LeaveRequest], ids: set[int], start: dt.date, end: dt.date
) -> set[tuple[int, dt.date]]:
    out: set[tuple[int, dt.date]] = set()
    for leave in rows:
        if leave.applicant_id not in ids:
            continue
        for day in leave.leave_dates():
            if start <= day <= end:
                out.add((leave.applicant_id, day))
    return out


def _in_range(ids: list[int], start: dt.date, end: dt.date, statuses: Any) -> QuerySet:
    return LeaveRequest.objects.filter(
        applicant_id__in=ids, start_day__lte=end, end_day__gte=start, status__in=statuses
    ).only("applicant_id", "start_day", "end_day", "returned_on", "hours", "days")


def approved_leave_days(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee id, day) → ``"leave"`` for every day of approved leave (after 销假, only the days
    before the return) — the roster solver's fixed days. One query."""
    ids = list(employee_ids)
    if not ids:
        return {}
    # Part-day leave of half a day or less keeps the shift (see services._whole_days).
    rows = [r for r in _in_range(ids, start, end, TAKEN_STATUSES) if r.hours is None or r.days >= 1]
    return dict.fromkeys(_days_of(rows, set(ids), start, end), LEAVE_CODE)


def approved_leave_types(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee id, day) → the leave type's Chinese name (事假, 病假 …) for every day of approved
    leave — the 考勤月报's leave columns (registered with ``kefu.attendance.hooks``). One query."""
    ids = set(employee_ids)
    if not ids:
        return {}
    rows = LeaveRequest.objects.filter(
        applicant_id__in=ids, start_day__lte=end, end_day__gte=start, status__in=TAKEN_STATUSES
    ).only("applicant_id", "start_day", "end_day", "returned_on", "hours", "days", "type_name")
    found: dict[tuple[int, dt.date], str] = {}
    for leave in rows:
        for day in leave.leave_dates():
            if start <= day <= end:
                found[(leave.applicant_id, day)] = leave.type_name
    return found


def held_leave_days(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> set[tuple[int, dt.date]]:
    """(employee id, day) of leave asked or approved — the days a swap may not use
    (换班和还班均不得请假). One query."""
    ids = list(employee_ids)
    if not ids:
        return set()
    return _days_of(_in_range(ids, start, end, HOLDING_STATUSES), set(ids), start, end)


def overlapping(
    applicant_id: int, start: dt.date, end: dt.date, exclude_pk: int | None = None
) -> list[LeaveRequest]:
    """The person's other requests (pending or approved) holding a day of ``start``..``end``."""
    rows = LeaveRequest.objects.filter(
        applicant_id=applicant_id,
        start_day__lte=end,
        end_day__gte=start,
        status__in=HOLDING_STATUSES,
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return [r for r in rows if any(start <= d <= end for d in r.leave_dates())]


# --- balances -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Balance:
    """额度: ``entitled`` days of ``period`` for a type, ``used`` (approved, net of 销假),
    ``pending`` (in approval) and what is left to ask for."""

    code: str
    name: str
    period: str
    entitled: Decimal
    used: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.entitled - self.used - self.pending


def years_of_service(hire_date: dt.date, on: dt.date) -> int:
    """Full years from ``hire_date`` to ``on`` (工龄)."""
    years = on.year - hire_date.year
    if (on.month, on.day) < (hire_date.month, hire_date.day):
        years -= 1
    return max(years, 0)


def _period(kind: str, on: dt.date) -> tuple[dt.date, dt.date, str]:
    if kind == "annual":
        return dt.date(on.year, 1, 1), dt.date(on.year, 12, 31), f"{on.year}年"
    first = on.replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1), f"{on.year}年{on.month}月"


def balance_for(
    employee: Employee,
    code: str,
    on: dt.date,
    policy: LeavePolicy,
    rest_days_per_month: int,
    *,
    exclude_pk: int | None = None,
) -> Balance | None:
    """The balance of type ``code`` in the period containing ``on`` (year for 年假, month for 调休);
    None for a type without one. A 事假 that used one of the month's 调休 (充抵调休) counts as one
    day of 调休. Two queries at most."""
    leave_type = policy.type(code)
    if leave_type is None or leave_type.balance not in ("annual", "monthly"):
        return None
    start, end, label = _period(leave_type.balance, on)
    if leave_type.balance == "annual":
        entitled = Decimal(policy.annual_days(years_of_service(employee.hire_date, on)))
    else:
        entitled = Decimal(rest_days_per_month)
    rows = LeaveRequest.objects.filter(
        applicant=employee, start_day__range=(start, end), status__in=HOLDING_STATUSES
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    used = pending = Decimal(0)
    for leave in rows.only("leave_type", "status", "days", "returned_days", "offsets_rest"):
        if leave.leave_type == code:
            amount = leave.days - leave.returned_days
        elif leave_type.balance == "monthly" and leave.offsets_rest:
            amount = Decimal(1)
        else:
            continue
        if leave.status == LeaveStatus.PENDING:
            pending += amount
        else:
            used += amount
    return Balance(code, leave_type.name, label, entitled, used, pending)


def balances(
    employee: Employee, on: dt.date, policy: LeavePolicy, rest_days_per_month: int
) -> list[Balance]:
    """Every balance the person has on ``on``: 年假 of the year, 调休 of the month."""
    out = []
    for t in policy.types:
        b = balance_for(employee, t.code, on, policy, rest_days_per_month)
        if b is not None:
            out.append(b)
    return out


def rest_offsets_used(employee_id: int, month: dt.date, *, exclude_pk: int | None = None) -> int:
    """How many leave requests of the month already used one of its 调休 (充抵调休)."""
    start, end, _ = _period("monthly", month)
    qs = LeaveRequest.objects.filter(
        applicant_id=employee_id,
        start_day__range=(start, end),
        offsets_rest=True,
        status__in=TAKEN_STATUSES,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


# --- visibility -----------------------------------------------------------------------------
def leave_for_user(user: Any) -> QuerySet[LeaveRequest]:
    """Leave ``user`` may see: their own, the requests they approve, and with 查看班组请假 every
    request of the people in their data scope."""
    me = employee_of(user)
    if me is None:
        return LeaveRequest.objects.none()
    ct = ContentType.objects.get_for_model(LeaveRequest)
    approving = ApprovalStep.objects.filter(subject_type=ct, approver=me).values("subject_id")
    visible = Q(applicant=me) | Q(pk__in=approving)
    if user.has_perm(VIEW_TEAM):
        visible |= Q(
            applicant__in=Employee.objects.filter(employee_scope_filter(user)).values("pk")
        )
    return LeaveRequest.objects.filter(visible)


def list_rows(qs: QuerySet[LeaveRequest]) -> QuerySet[LeaveRequest]:
    return qs.select_related("applicant", "team").order_by("-created_at", "-pk")


def leave_get_for_user(user: Any, pk: int) -> LeaveRequest:
    """One request the user may see; DoesNotExist otherwise."""
    return list_rows(leave_for_user(user)).get(pk=pk)


def filter_leave(qs: QuerySet[LeaveRequest], user: Any, params: dict[str, str]) -> QuerySet:
    """The list's tab and filters: tab mine/team, status, type, month ``YYYY-MM``, q (name/工号)."""
    from kefu.swaps.selectors import parse_month

    if params.get("tab", "mine") == "mine":
        qs = qs.filter(applicant=employee_of(user))
    if params.get("status") in LeaveStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("type"):
        qs = qs.filter(leave_type=params["type"])
    month = parse_month(params.get("month", ""))
    if month is not None:
        _, end, _ = _period("monthly", month)
        qs = qs.filter(start_day__lte=end, end_day__gte=month)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(applicant__name__icontains=q) | Q(applicant__employee_no__iexact=q))
    return qs


# --- coverage -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoverageGap:
    """人员不足: on ``day`` the team's ``shift`` would have ``after`` people, fewer than
    ``required`` (the CoverageRequirement), if the leave is approved."""

    day: dt.date
    shift: str
    shift_name: str
    required: int
    after: int


def coverage_gaps(leave: LeaveRequest) -> list[CoverageGap]:
    """Shifts of the applicant's team that approving ``leave`` would leave below their coverage
    requirement, from the published roster. Three queries."""
    from kefu.workforce.models import CoverageRequirement, RosterEntry
    from kefu.workforce.shifts import shift_names

    if leave.team_id is None:
        return []
    dates = [d for d in leave.leave_dates() if d >= timezone.localdate()]
    if not dates:
        return []
    mine = {
        e.day: e.code
        for e in RosterEntry.objects.filter(
            employee_id=leave.applicant_id, day__in=dates, roster__status="published"
        ).only("day", "code")
    }
    needs = {
        (c.day, c.shift_code): c.min_people
        for c in CoverageRequirement.objects.filter(team_id=leave.team_id, day__in=dates)
    }
    wanted = [(d, code) for d, code in mine.items() if (d, code) in needs]
    if not wanted:
        return []
    counts: dict[tuple[dt.date, str], int] = {}
    rows = RosterEntry.objects.filter(
        roster__team_id=leave.team_id,
        roster__status="published",
        day__in=[d for d, _ in wanted],
    ).values_list("day", "code")
    for day, code in rows:
        counts[(day, code)] = counts.get((day, code), 0) + 1
    names = shift_names(dates[0])
    gaps = []
    for day, code in sorted(wanted):
        after = counts.get((day, code), 0) - 1
        if after < needs[(day, code)]:
            gaps.append(CoverageGap(day, code, names.get(code, code), needs[(day, code)], after))
    return gaps


@dataclass(frozen=True)
class PersonBalances:
    """One person's row of the balances page."""

    employee: Employee
    balances: list[Balance]


def team_balances(
    employees: list[Employee], on: dt.date, policy: LeavePolicy, rest_days_per_month: int
) -> list[PersonBalances]:
    """Balances of many people on ``on`` (年假 of the year, 调休 of the month) in one query."""
    types = [t for t in policy.types if t.balance in ("annual", "monthly")]
    if not employees or not types:
        return [PersonBalances(e, []) for e in employees]
    year_start, year_end, year_label = _period("annual", on)
    month_first, month_last, month_label = _period("monthly", on)
    rows = LeaveRequest.objects.filter(
        applicant__in=employees,
        start_day__range=(year_start, year_end),
        status__in=HOLDING_STATUSES,
    ).only(
        "applicant_id", "leave_type", "status", "days", "returned_days", "offsets_rest", "start_day"
    )
    sums: dict[tuple[int, str, str], Decimal] = {}
    for r in rows:
        amount = r.days - r.returned_days
        state = "pending" if r.status == LeaveStatus.PENDING else "used"
        in_month = month_first <= r.start_day <= month_last
        for t in types:
            if t.balance == "monthly" and not in_month:
                continue
            if r.leave_type == t.code:
                key = (r.applicant_id, t.code, state)
                sums[key] = sums.get(key, Decimal(0)) + amount
            elif t.balance == "monthly" and r.offsets_rest:
                key = (r.applicant_id, t.code, state)
                sums[key] = sums.get(key, Decimal(0)) + 1
    out = []
    for e in employees:
        items = []
        for t in types:
            if t.balance == "annual":
                entitled = Decimal(policy.annual_days(years_of_service(e.hire_date, on)))
                label = year_label
            else:
                entitled, label = Decimal(rest_days_per_month), month_label
            items.append(
                Balance(
                    t.code,
                    t.name,
                    label,
                    entitled,
                    sums.get((e.pk, t.code, "used"), Decimal(0)),
                    sums.get((e.pk, t.code, "pending"), Decimal(0)),
                )
            )
        out.append(PersonBalances(e, items))
    return out


def people_for_balances(user: Any) -> QuerySet[Employee]:
    """Active people in the viewer's scope (查看班组请假), by 工号."""
    from kefu.org.choices import EmployeeStatus

    return (
        Employee.objects.filter(employee_scope_filter(user), status=EmployeeStatus.ACTIVE)
        .select_related("team", "department")
        .order_by("employee_no")
    )


def approved_part_leave(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee id, day) → ``"start"`` / ``"end"`` for approved leave of half a day or less (the
    shift stays in the roster; attendance excuses that half — 半天假). One query."""
    ids = list(employee_ids)
    if not ids:
        return {}
    rows = LeaveRequest.objects.filter(
        applicant_id__in=ids,
        start_day__gte=start,
        start_day__lte=end,
        status__in=TAKEN_STATUSES,
        hours__isnull=False,
        days__lt=1,
    ).values_list("applicant_id", "start_day", "part", "returned_on")
    return {
        (emp, day): part
        for emp, day, part, returned_on in rows
        if returned_on is None or returned_on > day
    }
