"""绩效奖惩·月结 API — /api/v1/month-close (CMP-7, PERF-8): the months, one month's status and
summary, 经理审核 / 批准结账 (→ the close job) / 退回, and the frozen payroll rows of a closed month.
Months are ``YYYY-MM`` in the path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import ConflictError
from kefu.org.selectors import employee_scope_filter

from .choices import MonthCloseStatus
from .models import MonthClose, PayrollLine
from .selectors_closing import month_rows, month_summary, parse_month, payroll_lines
from .services import closing
from .services.closing import APPROVE_PERM, EXPORT_PERM, REVIEW_PERM, VIEW_PERM

router = Router(tags=["绩效奖惩·月结"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class MonthOut(Schema):
    month: str
    status: str
    status_label: str
    due: dt.date
    overdue: bool
    proposals_pending: int
    appeals_pending: int


class SummaryOut(Schema):
    people: int
    incidents: int
    fines_total: Decimal
    rewards_total: Decimal
    net_total: Decimal | None
    flagged: int
    proposals: int
    appeals: int


class MonthDetailOut(Schema):
    month: str
    status: str
    status_label: str
    due: dt.date
    reviewed_by: str
    reviewed_at: dt.datetime | None
    review_note: str
    approved_by: str
    approved_at: dt.datetime | None
    closed_at: dt.datetime | None
    job_id: int | None
    summary: SummaryOut


class ReviewIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class JobOut(Schema):
    job_id: int
    status: str
    month_status: str


class PayrollRowOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    department: str
    team: str
    scheme: str
    score: Decimal
    amounts: dict[str, str]
    net: Decimal
    flags: list[str]

    @staticmethod
    def resolve_employee_no(obj: PayrollLine) -> str:
        return obj.employee.employee_no

    @staticmethod
    def resolve_name(obj: PayrollLine) -> str:
        return obj.employee.name

    @staticmethod
    def resolve_department(obj: PayrollLine) -> str:
        return obj.department_name

    @staticmethod
    def resolve_team(obj: PayrollLine) -> str:
        return obj.team_name


class PageQuery(Schema):
    page: int = 1
    page_size: int = 20


class _Rows(list):
    """A list that ``paginate`` can count like a queryset."""

    def count(self) -> int:  # type: ignore[override]
        return len(self)


def _month(value: str) -> dt.date:
    month = parse_month(value)
    if month is None or month > timezone.localdate():
        raise Http404
    return month


def _user_name(user: object) -> str:
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    return (employee.name if employee else "") or user.get_username()  # type: ignore[attr-defined]


def _detail(month: dt.date) -> dict:
    close = (
        MonthClose.objects.filter(month=month)
        .select_related("reviewed_by__employee", "approved_by__employee")
        .first()
    )
    status = close.status if close else MonthCloseStatus.OPEN
    return {
        "month": f"{month:%Y-%m}",
        "status": status,
        "status_label": MonthCloseStatus(status).label,
        "due": closing.close_due(month),
        "reviewed_by": _user_name(close.reviewed_by) if close else "",
        "reviewed_at": close.reviewed_at if close else None,
        "review_note": close.review_note if close else "",
        "approved_by": _user_name(close.approved_by) if close else "",
        "approved_at": close.approved_at if close else None,
        "closed_at": close.closed_at if close else None,
        "job_id": close.job_id if close else None,
        "summary": month_summary(month).as_dict(),
    }


@router.get("", response={200: Page[MonthOut], 403: ErrorOut})
def month_list(request: HttpRequest, q: Query[PageQuery]) -> dict:
    """The months with status, due day (CMP-7) and pending proposals/appeals; newest first."""
    require_perm(request, VIEW_PERM)
    rows = _Rows(
        {
            "month": r.key,
            "status": r.status,
            "status_label": r.status_label,
            "due": r.due,
            "overdue": r.overdue,
            "proposals_pending": r.proposals,
            "appeals_pending": r.appeals,
        }
        for r in month_rows(today=timezone.localdate())
    )
    return paginate(rows, q.page, q.page_size)


@router.get("/{month}", response={200: MonthDetailOut, **ERRORS})
def month_detail(request: HttpRequest, month: str) -> dict:
    """One month: status, approvals and the summary numbers."""
    require_perm(request, VIEW_PERM)
    return _detail(_month(month))


@router.post("/{month}/review", response={200: MonthDetailOut, **ERRORS})
def month_review(request: HttpRequest, month: str, body: ReviewIn) -> dict:
    """经理审核 (客服部经理): runs the imports, refuses while proposals/appeals are pending."""
    require_perm(request, REVIEW_PERM)
    m = _month(month)
    closing.month_review(actor=request.user, month=m, note=body.note)
    return _detail(m)


@router.post("/{month}/approve", response={202: JobOut, **ERRORS})
def month_approve(request: HttpRequest, month: str) -> Status:
    """批准结账 (总经理): locks the month and queues the close job; returns the job."""
    require_perm(request, APPROVE_PERM)
    m = _month(month)
    job = closing.month_approve(actor=request.user, month=m)
    job.refresh_from_db(fields=["status"])
    status = MonthClose.objects.get(month=m).status
    return Status(202, {"job_id": job.pk, "status": job.status, "month_status": status})


@router.post("/{month}/reject", response={200: MonthDetailOut, **ERRORS})
def month_reject(request: HttpRequest, month: str, body: RejectIn) -> dict:
    """退回 (总经理) with a reason: the month is open again."""
    require_perm(request, APPROVE_PERM)
    m = _month(month)
    closing.month_reject(actor=request.user, month=m, reason=body.reason)
    return _detail(m)


@router.get("/{month}/payroll", response={200: Page[PayrollRowOut], **ERRORS})
def month_payroll(request: HttpRequest, month: str, q: Query[PageQuery]) -> dict:
    """The frozen payroll rows (工资核算输入) of a closed month, by 工号; 409 before closing."""
    require_perm(request, EXPORT_PERM)
    m = _month(month)
    if not MonthClose.objects.filter(month=m, status=MonthCloseStatus.CLOSED).exists():
        raise ConflictError("month_not_closed", "该月尚未结账，没有工资核算数据")
    return paginate(payroll_lines(m, employee_scope_filter(request.user)), q.page, q.page_size)
