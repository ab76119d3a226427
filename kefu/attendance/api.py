"""考勤 API — /api/v1/attendance/: clock in/out, clocks, classified days, 补卡, time-clock import,
the monthly report and the attendance incidents for the performance module (WFM-5, WFM-6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.core.params import query_id
from kefu.org.selectors import employee_of

from . import selectors, services
from .choices import CorrectionStatus
from .models import AttendanceDay, ClockCorrection
from .policybook import local_midnight
from .services.common import (
    ADD_CORRECTION,
    CLASSIFY,
    CLOCK,
    IMPORT,
    SUBMIT_REPORT,
    VIEW_CORRECTIONS,
    VIEW_DAYS,
    VIEW_EVENTS,
    VIEW_REPORT,
)

router = Router(tags=["考勤"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_INCIDENT_DAYS = 366


# --- schemas ------------------------------------------------------------------------------------
class ClockEventOut(Schema):
    id: int
    employee_id: int
    at: dt.datetime
    direction: str
    source: str
    device: str
    note: str
    correction_id: int | None


class ClockIn(Schema):
    note: str = ""


class ClockOut(Schema):
    event: ClockEventOut
    repeated: bool
    work_day: dt.date
    message: str


class ClockStateOut(Schema):
    work_day: dt.date
    code: str | None
    shift_name: str
    shift_start: dt.datetime | None
    shift_end: dt.datetime | None
    events: list[ClockEventOut]
    next_direction: str
    status: str | None
    late_minutes: int


class PenaltyOut(Schema):
    rule: str
    points: Decimal
    money: Decimal
    pay_days: Decimal
    quantity: Decimal
    description: str


class DayOut(Schema):
    id: int
    employee_id: int
    employee_no: str
    employee_name: str
    day: dt.date
    code: str
    shift_start: dt.datetime | None
    shift_end: dt.datetime | None
    clock_in: dt.datetime | None
    clock_out: dt.datetime | None
    status: str
    status_label: str
    late_minutes: int
    early_minutes: int
    missing_in: bool
    missing_out: bool
    final: bool
    points: Decimal
    money: Decimal
    pay_days: Decimal
    penalties: list[PenaltyOut]
    workforce_policy_version: int | None
    attendance_policy_version: int | None
    classified_at: dt.datetime

    @staticmethod
    def resolve_employee_no(obj: AttendanceDay) -> str:
        return obj.employee.employee_no

    @staticmethod
    def resolve_employee_name(obj: AttendanceDay) -> str:
        return obj.employee.name

    @staticmethod
    def resolve_status_label(obj: AttendanceDay) -> str:
        return obj.get_status_display()


class DayFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    month: str = ""
    department_id: str = ""
    team_id: str = ""
    employee_id: str = ""
    q: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 20


class EventFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    employee_id: str = ""
    page: int = 1
    page_size: int = 20


class RecomputeIn(Schema):
    date_from: dt.date
    date_to: dt.date
    employee_ids: list[int] | None = None


class ClassifyOut(Schema):
    days: int
    created: int
    updated: int
    deleted: int


class CorrectionIn(Schema):
    day: dt.date
    direction: str
    at: dt.datetime
    reason: str


class DecisionIn(Schema):
    comment: str = ""


class CorrectionOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    day: dt.date
    direction: str
    at: dt.datetime
    reason: str
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_employee_name(obj: ClockCorrection) -> str:
        return obj.employee.name


class CorrectionFilters(Schema):
    tab: str = "all"
    status: str = ""
    page: int = 1
    page_size: int = 20


class QueuedOut(Schema):
    queued: bool
    message: str
    job_id: int
    job_url: str


class ReportLineOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    team: str
    scheduled_days: int
    worked_days: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    missed_count: int
    absence_days: int
    truancy_days: int
    leave_days: int
    leave_by_type: dict[str, int]
    rest_days: int
    corrections: int
    open_days: int
    points: Decimal
    money: Decimal
    pay_days: Decimal
    note: str


class SubmissionOut(Schema):
    id: int
    department_id: int
    month: dt.date
    due_on: dt.date
    submitted_by_id: int
    submitted_by_name: str
    submitted_at: dt.datetime
    on_time: bool
    note: str

    @staticmethod
    def resolve_submitted_by_name(obj: Any) -> str:
        return obj.submitted_by.name


class MonthlyOut(Schema):
    department_id: int
    department: str
    month: dt.date
    due_on: dt.date
    leave_types: list[str]
    lines: list[ReportLineOut]
    totals: ReportLineOut
    submissions: list[SubmissionOut]


class SubmitIn(Schema):
    department_id: int
    month: str
    note: str = ""


class IncidentOut(Schema):
    source: str
    rule: str
    employee_id: int
    day: dt.date
    points: Decimal
    money: Decimal
    quantity: Decimal
    description: str
    ref: str
    link: str


# --- helpers ------------------------------------------------------------------------------------
def _range(date_from: str, date_to: str) -> tuple[dt.date | None, dt.date | None]:
    return selectors.parse_date(date_from), selectors.parse_date(date_to)


def _line(line: Any) -> dict[str, Any]:
    return {
        "employee_id": line.person.id,
        "employee_no": line.person.employee_no,
        "name": line.person.name,
        "team": line.person.team,
        "scheduled_days": line.scheduled_days,
        "worked_days": line.worked_days,
        "late_count": line.late_count,
        "late_minutes": line.late_minutes,
        "early_count": line.early_count,
        "early_minutes": line.early_minutes,
        "missed_count": line.missed_count,
        "absence_days": line.absence_days,
        "truancy_days": line.truancy_days,
        "leave_days": line.leave_days,
        "leave_by_type": line.leave_by_type,
        "rest_days": line.rest_days,
        "corrections": line.corrections,
        "open_days": line.open_days,
        "points": line.points,
        "money": line.money,
        "pay_days": line.pay_days,
        "note": line.note,
    }


# --- clock --------------------------------------------------------------------------------------
@router.post("/clock", response={200: ClockOut, **ERRORS})
def clock(request: HttpRequest, body: ClockIn) -> dict[str, Any]:
    """打卡 — at the server's time; a repeat within the policy's seconds returns the first clock."""
    require_perm(request, CLOCK)
    result = services.clock_punch(actor=request.user, note=body.note, device="API")
    label = result.event.get_direction_display()
    return {
        "event": result.event,
        "repeated": result.repeated,
        "work_day": result.frame.day,
        "message": f"已打过{label}卡" if result.repeated else f"{label}打卡成功",
    }


@router.get("/clock", response={200: ClockStateOut, **ERRORS})
def clock_state(request: HttpRequest) -> dict[str, Any]:
    """The caller's work day now: the shift, its clocks, what the next press records."""
    require_perm(request, CLOCK)
    employee = employee_of(request.user)
    if employee is None:
        raise DomainError("attendance_not_employee", "只有在职员工可以打卡", status=403)
    state = selectors.clock_state(employee)
    shift = state.frame.shift or (None, None)
    return {
        "work_day": state.frame.day,
        "code": state.frame.code,
        "shift_name": state.frame.shift_name,
        "shift_start": shift[0],
        "shift_end": shift[1],
        "events": state.events,
        "next_direction": state.next,
        "status": state.row.status if state.row else None,
        "late_minutes": state.row.late_minutes if state.row else 0,
    }


@router.get("/events", response={200: Page[ClockEventOut], 403: ErrorOut})
def event_list(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """打卡记录 of the people in the caller's scope."""
    require_perm(request, VIEW_EVENTS)
    qs = selectors.events_for_user(request.user)
    start, end = _range(filters.date_from, filters.date_to)
    if start:
        qs = qs.filter(at__gte=local_midnight(start))
    if end:
        qs = qs.filter(at__lt=local_midnight(end + dt.timedelta(days=1)))
    employee = query_id(filters.employee_id)
    if employee:
        qs = qs.filter(employee_id=employee)
    return paginate(qs.order_by("-at", "-id"), filters.page, filters.page_size)


# --- days ---------------------------------------------------------------------------------------
@router.get("/days", response={200: Page[DayOut], 403: ErrorOut})
def day_list(request: HttpRequest, filters: Query[DayFilters]) -> dict[str, Any]:
    """考勤结果 (classified person-days) with the filters of the team list."""
    require_perm(request, VIEW_DAYS)
    params = {
        "from": filters.date_from,
        "to": filters.date_to,
        "month": filters.month,
        "department": filters.department_id,
        "team": filters.team_id,
        "employee": filters.employee_id,
        "q": filters.q,
        "status": filters.status,
    }
    qs = selectors.list_rows(selectors.filter_days(selectors.days_for_user(request.user), params))
    return paginate(qs, filters.page, filters.page_size)


@router.get("/days/{int:pk}", response={200: DayOut, **ERRORS})
def day_detail(request: HttpRequest, pk: int) -> AttendanceDay:
    require_perm(request, VIEW_DAYS)
    return selectors.days_for_user(request.user).select_related("employee").get(pk=pk)


@router.post("/days/recompute", response={200: ClassifyOut, **ERRORS})
def day_recompute(request: HttpRequest, body: RecomputeIn) -> dict[str, int]:
    """重新计算考勤 for a date range (optionally some people of the caller's scope)."""
    require_perm(request, CLASSIFY)
    result = services.attendance_recompute(
        actor=request.user, start=body.date_from, end=body.date_to, employee_ids=body.employee_ids
    )
    return result.as_dict()


# --- corrections --------------------------------------------------------------------------------
def _correction(request: HttpRequest, pk: int) -> ClockCorrection:
    return selectors.correction_get_for_user(request.user, pk)


@router.get("/corrections", response={200: Page[CorrectionOut], 403: ErrorOut})
def correction_list(request: HttpRequest, filters: Query[CorrectionFilters]) -> dict[str, Any]:
    """补卡申请: tab = mine | todo (待我审批) | all."""
    require_perm(request, VIEW_CORRECTIONS)
    qs = selectors.corrections_for_user(request.user).select_related("employee")
    if filters.tab == "mine":
        me = employee_of(request.user)
        qs = qs.filter(employee=me) if me else qs.none()
    elif filters.tab == "todo":
        qs = qs.filter(pk__in=selectors.awaiting_my_decision(request.user))
    if filters.status in CorrectionStatus.values:
        qs = qs.filter(status=filters.status)
    return paginate(qs.order_by("-created_at", "-id"), filters.page, filters.page_size)


@router.get("/corrections/{int:pk}", response={200: CorrectionOut, **ERRORS})
def correction_detail(request: HttpRequest, pk: int) -> ClockCorrection:
    require_perm(request, VIEW_CORRECTIONS)
    return _correction(request, pk)


@router.post("/corrections", response={201: CorrectionOut, **ERRORS})
def correction_create(request: HttpRequest, body: CorrectionIn) -> Status:
    """申请补卡 for the caller's own forgotten clock (each limit refused with its message)."""
    require_perm(request, ADD_CORRECTION)
    correction = services.correction_create(
        actor=request.user, day=body.day, direction=body.direction, at=body.at, reason=body.reason
    )
    return Status(201, _correction(request, correction.pk))


@router.post("/corrections/{int:pk}/approve", response={200: CorrectionOut, **ERRORS})
def correction_approve(request: HttpRequest, pk: int, body: DecisionIn) -> ClockCorrection:
    """同意 — only the approver whose turn it is."""
    require_perm(request, VIEW_CORRECTIONS)
    services.correction_decide(
        actor=request.user, correction=_correction(request, pk), approve=True, comment=body.comment
    )
    return _correction(request, pk)


@router.post("/corrections/{int:pk}/reject", response={200: CorrectionOut, **ERRORS})
def correction_reject(request: HttpRequest, pk: int, body: DecisionIn) -> ClockCorrection:
    """驳回 (a comment is required) — only the approver whose turn it is."""
    require_perm(request, VIEW_CORRECTIONS)
    services.correction_decide(
        actor=request.user, correction=_correction(request, pk), approve=False, comment=body.comment
    )
    return _correction(request, pk)


@router.post("/corrections/{int:pk}/cancel", response={200: CorrectionOut, **ERRORS})
def correction_cancel(request: HttpRequest, pk: int) -> ClockCorrection:
    """撤回 — the applicant, while it awaits approval."""
    require_perm(request, ADD_CORRECTION)
    services.correction_cancel(actor=request.user, correction=_correction(request, pk))
    return _correction(request, pk)


# --- import -------------------------------------------------------------------------------------
@router.post("/imports", response={202: QueuedOut, **ERRORS})
def clock_import(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """导入打卡记录 (CSV: 工号, 时间, 类型 optional; UTF-8 or GBK) — a background job; poll
    ``job_url`` for the progress, the row errors or the counts."""
    require_perm(request, IMPORT)
    from kefu.core.jobs import job_url

    job = services.clock_import_submit(
        actor=request.user, data=file.read(), filename=file.name or ""
    )
    return Status(
        202,
        {
            "queued": True,
            "message": "已提交后台导入打卡记录",
            "job_id": job.pk,
            "job_url": job_url(job),
        },
    )


# --- monthly report -----------------------------------------------------------------------------
@router.get("/monthly", response={200: MonthlyOut, **ERRORS})
def monthly(request: HttpRequest, department_id: int, month: str = "") -> dict[str, Any]:
    """考勤月报 of a department (with sub-departments) and month (YYYY-MM, last month default)."""
    require_perm(request, VIEW_REPORT)
    department = selectors.report_departments(request.user).get(pk=department_id)
    default = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = selectors.parse_month(month, default=default)
    report = selectors.monthly_report(request.user, department, first)
    return {
        "department_id": department.pk,
        "department": department.name,
        "month": first,
        "due_on": selectors.report_due(first),
        "leave_types": report.leave_types,
        "lines": [_line(x) for x in report.lines],
        "totals": _line(report.totals),
        "submissions": selectors.report_submissions(department, first),
    }


@router.post("/monthly/submit", response={201: SubmissionOut, **ERRORS})
def monthly_submit(request: HttpRequest, body: SubmitIn) -> Status:
    """已报送行政人事部: record who and when, with the figures as sent."""
    require_perm(request, SUBMIT_REPORT)
    submission = services.report_submit(
        actor=request.user,
        department=body.department_id,
        month=selectors.parse_month(body.month),
        note=body.note,
    )
    return Status(201, submission)


# --- incidents ----------------------------------------------------------------------------------
@router.get("/incidents", response={200: list[IncidentOut], **ERRORS})
def incidents(
    request: HttpRequest, date_from: dt.date, date_to: dt.date, employee_id: int | None = None
) -> list[Any]:
    """考勤事件 (迟到, 早退, 旷工, 旷班, 缺卡未补) with signed points and money of the policy in
    force on each day, for the people in the caller's scope — what the performance module reads."""
    require_perm(request, VIEW_DAYS)
    if date_to < date_from or (date_to - date_from).days >= MAX_INCIDENT_DAYS:
        raise DomainError(
            "incident_range_invalid",
            f"日期范围不合法（结束不早于开始，最多 {MAX_INCIDENT_DAYS} 天）",
            fields={"date_to": "日期范围不合法"},
        )
    ids = [employee_id] if employee_id else None
    return selectors.attendance_incidents_for_user(request.user, date_from, date_to, ids)
