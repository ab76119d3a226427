"""请假 API — /api/v1/leave/: ask, check, approve/reject, withdraw, report back (销假), list,
detail (with the coverage warning), balances and leave types (WFM-4, WFM-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.core.policy import workforce_policy
from kefu.org.approval_flow import approval_steps
from kefu.org.selectors import employee_of

from . import selectors, services
from .models import LeaveRequest
from .policy import leave_policy
from .selectors import ADD, VIEW, VIEW_TEAM

router = Router(tags=["请假"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LeaveOut(Schema):
    """请假申请."""

    id: int
    number: str
    applicant_id: int
    applicant_name: str
    team_id: int | None
    leave_type: str
    type_name: str
    start_day: dt.date
    end_day: dt.date
    hours: float | None
    part: str
    days: float
    reason: str
    urgent: bool
    status: str
    offsets_rest: bool
    returned_on: dt.date | None
    returned_days: float
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_applicant_name(obj: LeaveRequest) -> str:
        return obj.applicant.name


class StepOut(Schema):
    """审批环节."""

    position: int
    approver_id: int
    approver_name: str
    state: str
    decided_at: dt.datetime | None
    comment: str

    @staticmethod
    def resolve_approver_name(obj: object) -> str:
        return obj.approver.name  # type: ignore[attr-defined]


class GapOut(Schema):
    """人员不足: the shift would have ``after`` people against ``required``."""

    day: dt.date
    shift: str
    shift_name: str
    required: int
    after: int


class LeaveDetailOut(LeaveOut):
    steps: list[StepOut]
    coverage_gaps: list[GapOut]


class LeaveIn(Schema):
    """请假申请: whole days start..end, or ``hours`` of one day (urgent leave)."""

    leave_type: str
    start_day: dt.date
    end_day: dt.date
    hours: Decimal | None = None
    part: Literal["start", "end"] = "start"
    urgent: bool = False
    reason: str = ""


class RuleErrorOut(Schema):
    code: str
    message: str
    field: str


class CheckOut(Schema):
    ok: bool
    days: float
    errors: list[RuleErrorOut]


class CommentIn(Schema):
    comment: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ReportBackIn(Schema):
    """销假: the day back at work."""

    returned_on: dt.date


class BalanceOut(Schema):
    """额度 of one type in one period."""

    code: str
    name: str
    period: str
    entitled: float
    used: float
    pending: float
    remaining: float


class PersonBalancesOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    balances: list[BalanceOut]


class LeaveTypeOut(Schema):
    code: str
    name: str
    balance: str
    max_days: int | None


class LeaveFilters(Schema):
    tab: str = "mine"
    status: str = ""
    type: str = ""
    month: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


def _leave(request: HttpRequest, pk: int) -> LeaveRequest:
    return selectors.leave_get_for_user(request.user, pk)


def _check_hours(hours: Decimal | None) -> Decimal | None:
    if hours is not None and not hours.is_finite():
        raise DomainError("leave_hours", "请输入小时数", fields={"hours": "请输入小时数"})
    return hours


@router.get("", response={200: Page[LeaveOut], 403: ErrorOut})
def leave_list(request: HttpRequest, filters: Query[LeaveFilters]) -> dict:
    """请假列表: tab = mine | team, status, type, month (YYYY-MM), q (name / 工号)."""
    require_perm(request, VIEW)
    tab = "team" if filters.tab == "team" and request.user.has_perm(VIEW_TEAM) else "mine"
    params = {
        "tab": tab,
        "status": filters.status,
        "type": filters.type,
        "month": filters.month,
        "q": filters.q,
    }
    qs = selectors.filter_leave(selectors.leave_for_user(request.user), request.user, params)
    return paginate(selectors.list_rows(qs), filters.page, filters.page_size)


@router.get("/types", response={200: list[LeaveTypeOut], 403: ErrorOut})
def leave_types(request: HttpRequest) -> list:
    """假别 of the policy in force today."""
    require_perm(request, VIEW)
    return list(leave_policy(timezone.localdate()).types)


@router.get("/balances", response={200: list[BalanceOut], 403: ErrorOut})
def my_balances(request: HttpRequest, on: dt.date | None = None) -> list:
    """My balances on ``on`` (today by default): 年假 of the year, 调休 of the month."""
    require_perm(request, VIEW)
    me = employee_of(request.user)
    if me is None:
        return []
    day = on or timezone.localdate()
    rest = workforce_policy(day).adjustable_rest_days_per_month
    return [_balance_out(b) for b in selectors.balances(me, day, leave_policy(day), rest)]


def _balance_out(b: selectors.Balance) -> dict:
    return {
        "code": b.code,
        "name": b.name,
        "period": b.period,
        "entitled": b.entitled,
        "used": b.used,
        "pending": b.pending,
        "remaining": b.remaining,
    }


@router.get("/balances/team", response={200: list[PersonBalancesOut], 403: ErrorOut})
def team_balances(request: HttpRequest) -> list:
    """Balances of everyone in my scope (查看班组请假), at most 500 people."""
    require_perm(request, VIEW_TEAM)
    day = timezone.localdate()
    people = list(selectors.people_for_balances(request.user)[:500])
    rows = selectors.team_balances(
        people, day, leave_policy(day), workforce_policy(day).adjustable_rest_days_per_month
    )
    return [
        {
            "employee_id": r.employee.pk,
            "employee_no": r.employee.employee_no,
            "name": r.employee.name,
            "balances": [_balance_out(b) for b in r.balances],
        }
        for r in rows
    ]


@router.post("/check", response={200: CheckOut, **ERRORS})
def leave_check(request: HttpRequest, payload: LeaveIn) -> dict:
    """请假校验: every rule the request would break and the days it takes, nothing saved."""
    require_perm(request, ADD)
    me = employee_of(request.user)
    if me is None:
        raise DomainError("leave_not_employee", "只有员工可以请假", status=403)
    check = services.leave_check(
        applicant=me,
        leave_type=payload.leave_type,
        start_day=payload.start_day,
        end_day=payload.end_day,
        urgent=payload.urgent,
        hours=_check_hours(payload.hours),
    )
    return {
        "ok": not check.errors,
        "days": check.days,
        "errors": [e.__dict__ for e in check.errors],
    }


@router.post("", response={201: LeaveOut, **ERRORS})
def leave_create(request: HttpRequest, payload: LeaveIn) -> Status:
    """申请请假: checked against every rule, then sent along the approval chain."""
    require_perm(request, ADD)
    leave = services.leave_create(
        actor=request.user,
        leave_type=payload.leave_type,
        start_day=payload.start_day,
        end_day=payload.end_day,
        hours=_check_hours(payload.hours),
        part=payload.part,
        urgent=payload.urgent,
        reason=payload.reason,
    )
    return Status(201, _leave(request, leave.pk))


@router.get("/{int:pk}", response={200: LeaveDetailOut, **ERRORS})
def leave_detail(request: HttpRequest, pk: int) -> LeaveRequest:
    """One request with its approval steps and the coverage it would leave short."""
    require_perm(request, VIEW)
    leave = _leave(request, pk)
    leave.steps = approval_steps(leave)  # type: ignore[attr-defined]
    leave.coverage_gaps = (  # type: ignore[attr-defined]
        selectors.coverage_gaps(leave) if leave.status == "pending" else []
    )
    return leave


@router.post("/{int:pk}/approve", response={200: LeaveOut, **ERRORS})
def leave_approve(request: HttpRequest, pk: int, payload: CommentIn) -> LeaveRequest:
    """审批同意 by the approver whose turn it is; the last one puts the leave in the roster."""
    require_perm(request, VIEW)
    services.leave_decide(
        actor=request.user, leave=_leave(request, pk), approve=True, comment=payload.comment
    )
    return _leave(request, pk)


@router.post("/{int:pk}/reject", response={200: LeaveOut, **ERRORS})
def leave_reject(request: HttpRequest, pk: int, payload: CommentIn) -> LeaveRequest:
    """审批驳回 (a comment is required)."""
    require_perm(request, VIEW)
    services.leave_decide(
        actor=request.user, leave=_leave(request, pk), approve=False, comment=payload.comment
    )
    return _leave(request, pk)


@router.post("/{int:pk}/withdraw", response={200: LeaveOut, **ERRORS})
def leave_withdraw(request: HttpRequest, pk: int, payload: ReasonIn) -> LeaveRequest:
    """申请人撤销: in approval, or approved and not yet begun."""
    require_perm(request, VIEW)
    services.leave_withdraw(actor=request.user, leave=_leave(request, pk), reason=payload.reason)
    return _leave(request, pk)


@router.post("/{int:pk}/report-back", response={200: LeaveOut, **ERRORS})
def leave_report_back(request: HttpRequest, pk: int, payload: ReportBackIn) -> LeaveRequest:
    """销假: the day back at work; an early return gives the remaining days back."""
    require_perm(request, VIEW)
    services.leave_report_back(
        actor=request.user, leave=_leave(request, pk), returned_on=payload.returned_on
    )
    return _leave(request, pk)
