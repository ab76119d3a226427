"""Attendance reads — 考勤查询: days, clocks and corrections the viewer may see (their data scope:
an agent their own, a 组长 the team, a 主管 the department, 行政人事部 and the leadership all),
the month calendar, the monthly report and the attendance incidents for the performance module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from kefu.core.params import query_id
from kefu.core.policy import workforce_policy
from kefu.org.choices import ApprovalState
from kefu.org.models import ApprovalStep, Department, Employee
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of, employee_scope_filter
from kefu.workforce.incidents import WorkforceIncident
from kefu.workforce.selectors import month_days, published_schedule
from kefu.workforce.shifts import shift_names

from . import report as report_mod
from .choices import CorrectionStatus, DayStatus, Direction
from .frames import Frame, clocks_in, frame_at, next_direction
from .hooks import leave_types
from .models import AttendanceDay, AttendanceReportSubmission, ClockCorrection, ClockEvent

SOURCE = "attendance"


# --- scope ------------------------------------------------------------------------------------
def visible_employees(user: Any) -> QuerySet[Employee]:
    return Employee.objects.filter(employee_scope_filter(user))


def sees_others(user: Any) -> bool:
    """Whether the viewer's scope is wider than their own records (组长 and up)."""
    scope = scope_of(user)
    return scope is not None and scope > 1


def days_for_user(user: Any) -> QuerySet[AttendanceDay]:
    return AttendanceDay.objects.filter(employee__in=visible_employees(user).values("pk"))


def events_for_user(user: Any) -> QuerySet[ClockEvent]:
    return ClockEvent.objects.filter(employee__in=visible_employees(user).values("pk"))


def corrections_for_user(user: Any) -> QuerySet[ClockCorrection]:
    """Corrections of people in scope, and those the viewer is (or was) asked to approve."""
    me = employee_of(user)
    mine = Q(pk__in=[])
    if me is not None:
        mine = Q(
            pk__in=ApprovalStep.objects.filter(kind="clock_fix", approver=me).values("subject_id")
        )
    return ClockCorrection.objects.filter(
        Q(employee__in=visible_employees(user).values("pk")) | mine
    )


def correction_get_for_user(user: Any, pk: int) -> ClockCorrection:
    return corrections_for_user(user).select_related("employee", "employee__team").get(pk=pk)


def awaiting_my_decision(user: Any) -> set[int]:
    """Ids of corrections whose current approval step is the viewer's."""
    me = employee_of(user)
    if me is None:
        return set()
    return set(
        ApprovalStep.objects.filter(
            kind="clock_fix", approver=me, state=ApprovalState.PENDING
        ).values_list("subject_id", flat=True)
    )


# --- filters ----------------------------------------------------------------------------------
def parse_date(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` (or any date) → the 1st of that month; this month when absent or invalid."""
    text = (value or "").strip()
    day = parse_date(text + "-01") if len(text) == 7 else parse_date(text)
    return (day or default or timezone.localdate()).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    days = month_days(month)
    return days[0], days[-1]


def filter_days(qs: QuerySet[AttendanceDay], params: Mapping[str, str]) -> QuerySet[AttendanceDay]:
    """Filters of the team list: from/to (or month), department, team, employee, q, status."""
    start, end = parse_date(params.get("from")), parse_date(params.get("to"))
    if start is None and end is None and params.get("month"):
        start, end = month_bounds(parse_month(params.get("month")))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    department = query_id(params.get("department"))
    if department:
        qs = qs.filter(employee__department_id__in=department_descendant_ids(department))
    team = query_id(params.get("team"))
    if team:
        qs = qs.filter(employee__team_id=team)
    employee = query_id(params.get("employee"))
    if employee:
        qs = qs.filter(employee_id=employee)
    q = (params.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__icontains=q))
    status = params.get("status") or ""
    if status == "incident":
        qs = qs.filter(incident_count__gt=0)
    elif status in DayStatus.values:
        qs = qs.filter(status=status)
    return qs


def list_rows(qs: QuerySet[AttendanceDay]) -> QuerySet[AttendanceDay]:
    return qs.select_related("employee", "employee__team").order_by("-day", "employee__employee_no")


# --- the clock button ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ClockState:
    """What the clock button shows: the work day now, its clocks, the next press's direction."""

    frame: Frame
    events: list[ClockEvent]
    next: str
    row: AttendanceDay | None
    now: dt.datetime

    @property
    def next_label(self) -> str:
        return "下班打卡" if self.next == Direction.OUT else "上班打卡"


def clock_state(employee: Employee, now: dt.datetime | None = None) -> ClockState:
    now = now or timezone.now()
    frame = frame_at(employee.pk, now)
    events = clocks_in(employee.pk, frame.window)
    row = AttendanceDay.objects.filter(employee=employee, day=frame.day).first()
    return ClockState(frame, events, next_direction(frame, events), row, now)


# --- my month -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalendarCell:
    day: dt.date
    code: str
    shift_name: str
    row: AttendanceDay | None
    in_month: bool
    is_today: bool


def month_calendar(employee: Employee, month: dt.date) -> list[list[CalendarCell]]:
    """Weeks (Monday first) of the month: each day's roster code and classified result."""
    days = month_days(month)
    schedule = published_schedule([employee.pk], days[0], days[-1])
    rows = {
        r.day: r
        for r in AttendanceDay.objects.filter(
            employee=employee, day__gte=days[0], day__lte=days[-1]
        )
    }
    names = shift_names(days[0])
    today = timezone.localdate()
    start = days[0] - dt.timedelta(days=days[0].weekday())
    end = days[-1] + dt.timedelta(days=6 - days[-1].weekday())
    weeks: list[list[CalendarCell]] = []
    day = start
    while day <= end:
        code = schedule.get((employee.pk, day), "") if days[0] <= day <= days[-1] else ""
        cell = CalendarCell(
            day=day,
            code=code,
            shift_name=names.get(code, code),
            row=rows.get(day),
            in_month=days[0] <= day <= days[-1],
            is_today=day == today,
        )
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(cell)
        day += dt.timedelta(days=1)
    return weeks


def month_summary(rows: Sequence[AttendanceDay]) -> dict[str, Any]:
    """Counts for the header of 我的考勤."""
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {
        "counts": [(v, label, by_status[v]) for v, label in DayStatus.choices if v in by_status],
        "late_minutes": sum(r.late_minutes for r in rows if r.status != DayStatus.ABSENT),
        "points": -sum((r.points for r in rows), Decimal(0)),
        "money": -sum((r.money for r in rows), Decimal(0)),
    }


# --- monthly report -------------------------------------------------------------------------------
def report_departments(user: Any) -> QuerySet[Department]:
    """Departments whose report the viewer may open: every department of their scope."""
    ids = visible_employees(user).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("sort_order", "id")


def report_due(month: dt.date) -> dt.date:
    """报送截止日: the policy's report day of the month after (the month must be over first)."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return nxt.replace(day=workforce_policy(nxt).attendance_report_day)


def monthly_report(user: Any, department: Department, month: dt.date) -> report_mod.MonthReport:
    """考勤月报 of a department (and its sub-departments) for the viewer's scope."""
    start, end = month_bounds(month)
    dept_ids = department_descendant_ids(department.pk)
    day_rows = list(
        days_for_user(user)
        .filter(day__gte=start, day__lte=end, department_id__in=dept_ids)
        .values_list(
            "employee_id",
            "day",
            "status",
            "late_minutes",
            "early_minutes",
            "missing_in",
            "missing_out",
            "final",
            "points",
            "money",
            "pay_days",
        )
    )
    ids = sorted({r[0] for r in day_rows})
    people = [
        report_mod.Person(pk, no, name, team or "")
        for pk, no, name, team in Employee.objects.filter(pk__in=ids).values_list(
            "pk", "employee_no", "name", "team__name"
        )
    ]
    corrections = dict(
        ClockCorrection.objects.filter(
            employee_id__in=ids,
            day__gte=start,
            day__lte=end,
            status=CorrectionStatus.APPROVED,
        )
        .values("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    return report_mod.build_report(
        month=start,
        people=people,
        rows=[report_mod.DayRow(*r) for r in day_rows],
        leave_types=leave_types(ids, start, end),
        corrections=corrections,
        dismissal_days=workforce_policy(end).absence_days_dismissal,
    )


def report_submissions(department: Department, month: dt.date) -> list[AttendanceReportSubmission]:
    return list(
        AttendanceReportSubmission.objects.filter(
            department=department, month=month.replace(day=1)
        ).select_related("submitted_by")
    )


# --- incidents for the performance module ---------------------------------------------------------
def attendance_incidents(
    start: dt.date, end: dt.date, employee_ids: Sequence[int] | None = None
) -> list[WorkforceIncident]:
    """考勤事件 of ``start``..``end``: each penalty of each classified day (迟到, 早退, 旷工, 旷班,
    缺卡未补) with the points and money of the policy in force on that day (signed). One query."""
    qs = AttendanceDay.objects.filter(day__gte=start, day__lte=end, incident_count__gt=0)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    found: list[WorkforceIncident] = []
    for pk, emp, day, penalties in qs.order_by("day", "employee_id").values_list(
        "pk", "employee_id", "day", "penalties"
    ):
        link = reverse("attendance:day_detail", args=[pk])
        for p in penalties:
            found.append(
                WorkforceIncident(
                    source=SOURCE,
                    rule=p["rule"],
                    employee_id=emp,
                    day=day,
                    points=Decimal(p["points"]),
                    money=Decimal(p["money"]),
                    description=p["description"],
                    ref=f"attendance.attendanceday:{pk}:{p['rule']}",
                    link=link,
                    quantity=Decimal(p["quantity"]),
                )
            )
    return found


def attendance_incidents_for_user(
    user: Any, start: dt.date, end: dt.date, employee_ids: Sequence[int] | None = None
) -> list[WorkforceIncident]:
    """The incidents of the people the viewer may see."""
    visible = list(visible_employees(user).values_list("pk", flat=True))
    if employee_ids is not None:
        wanted = set(employee_ids)
        visible = [pk for pk in visible if pk in wanted]
    return attendance_incidents(start, end, visible)
