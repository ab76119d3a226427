"""换班 API — /api/v1/swaps/: ask, check, colleague accept/decline, approve/reject, withdraw,
payback (还班), list and detail (WFM-3)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.org.approval_flow import approval_steps
from kefu.org.models import Employee
from kefu.org.selectors import employee_of

from . import selectors, services
from .models import ShiftSwap
from .selectors import ADD, VIEW

router = Router(tags=["换班"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SwapOut(Schema):
    """换班申请."""

    id: int
    number: str
    kind: str
    applicant_id: int
    applicant_name: str
    colleague_id: int
    colleague_name: str
    team_id: int
    day: dt.date
    applicant_code: str
    colleague_code: str
    payback_day: dt.date | None
    payback_due: dt.date | None
    payback_of_id: int | None
    paid_back_on: dt.date | None
    payback_status: str
    reason: str
    status: str
    decline_reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_applicant_name(obj: ShiftSwap) -> str:
        return obj.applicant.name

    @staticmethod
    def resolve_colleague_name(obj: ShiftSwap) -> str:
        return obj.colleague.name

    @staticmethod
    def resolve_payback_status(obj: ShiftSwap) -> str:
        return obj.payback_state(timezone.localdate())


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


class SwapDetailOut(SwapOut):
    steps: list[StepOut]


class SwapIn(Schema):
    """换班申请: the applicant's shift day, the colleague, the payback day or deadline."""

    colleague_id: int
    day: dt.date
    payback_day: dt.date | None = None
    payback_due: dt.date | None = None
    reason: str = ""


class RuleErrorOut(Schema):
    code: str
    message: str
    field: str


class CheckOut(Schema):
    ok: bool
    errors: list[RuleErrorOut]


class PaybackIn(Schema):
    """安排还班: a rest day of the applicant on which the colleague's shift is taken."""

    day: dt.date
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class CommentIn(Schema):
    comment: str = ""


class SwapFilters(Schema):
    tab: str = "mine"
    status: str = ""
    month: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


def _swap(request: HttpRequest, pk: int) -> ShiftSwap:
    return selectors.swap_get_for_user(request.user, pk)


def _colleague(pk: int) -> Employee:
    colleague = Employee.objects.filter(pk=pk).first()
    if colleague is None:
        raise DomainError(
            "swap_colleague_unknown",
            "换班同事不存在",
            fields={"colleague_id": "请选择本班组的同事"},
        )
    return colleague


@router.get("", response={200: Page[SwapOut], 403: ErrorOut})
def swap_list(request: HttpRequest, filters: Query[SwapFilters]) -> dict:
    """换班申请列表: tab = mine | confirm | team | payback (待还班), status, month (YYYY-MM), q."""
    require_perm(request, VIEW)
    tab = filters.tab if filters.tab in dict(selectors.TABS) else "mine"
    if tab == "team" and not request.user.has_perm(selectors.VIEW_TEAM):
        tab = "mine"
    params = {"tab": tab, "status": filters.status, "month": filters.month, "q": filters.q}
    qs = selectors.filter_swaps(selectors.swaps_for_user(request.user), request.user, params)
    return paginate(selectors.list_rows(qs), filters.page, filters.page_size)


@router.get("/overdue", response={200: list[SwapOut], 403: ErrorOut})
def swap_overdue(request: HttpRequest) -> list[ShiftSwap]:
    """还班逾期: approved swaps the viewer may see with no payback and the deadline passed."""
    require_perm(request, VIEW)
    qs = selectors.paybacks_overdue(selectors.swaps_for_user(request.user), timezone.localdate())
    return list(selectors.list_rows(qs)[:500])


@router.post("/check", response={200: CheckOut, **ERRORS})
def swap_check(request: HttpRequest, payload: SwapIn) -> dict:
    """换班校验: every rule the request would break, without saving anything."""
    require_perm(request, ADD)
    me = employee_of(request.user)
    if me is None:
        raise DomainError("swap_not_employee", "只有员工可以换班", status=403)
    check = services.swap_check(
        applicant=me,
        colleague=_colleague(payload.colleague_id),
        day=payload.day,
        payback_day=payload.payback_day,
        payback_due=payload.payback_day or payload.payback_due,
    )
    return {"ok": not check.errors, "errors": [e.__dict__ for e in check.errors]}


@router.post("", response={201: SwapOut, **ERRORS})
def swap_create(request: HttpRequest, payload: SwapIn) -> Status:
    """申请换班: checked against every rule; the colleague is asked to agree."""
    require_perm(request, ADD)
    swap = services.swap_create(
        actor=request.user,
        colleague=_colleague(payload.colleague_id),
        day=payload.day,
        payback_day=payload.payback_day,
        payback_due=payload.payback_due,
        reason=payload.reason,
    )
    return Status(201, _swap(request, swap.pk))


@router.get("/{int:pk}", response={200: SwapDetailOut, **ERRORS})
def swap_detail(request: HttpRequest, pk: int) -> ShiftSwap:
    """One swap request with its approval steps."""
    require_perm(request, VIEW)
    swap = _swap(request, pk)
    swap.steps = approval_steps(swap)  # type: ignore[attr-defined]
    return swap


@router.post("/{int:pk}/accept", response={200: SwapOut, **ERRORS})
def swap_accept(request: HttpRequest, pk: int) -> ShiftSwap:
    """同事同意: the request goes to the approval chain."""
    require_perm(request, VIEW)
    services.swap_accept(actor=request.user, swap=_swap(request, pk))
    return _swap(request, pk)


@router.post("/{int:pk}/decline", response={200: SwapOut, **ERRORS})
def swap_decline(request: HttpRequest, pk: int, payload: ReasonIn) -> ShiftSwap:
    """同事拒绝 (a reason is required)."""
    require_perm(request, VIEW)
    services.swap_decline(actor=request.user, swap=_swap(request, pk), reason=payload.reason)
    return _swap(request, pk)


@router.post("/{int:pk}/approve", response={200: SwapOut, **ERRORS})
def swap_approve(request: HttpRequest, pk: int, payload: CommentIn) -> ShiftSwap:
    """审批同意 by the approver whose turn it is; the last one changes the roster."""
    require_perm(request, VIEW)
    services.swap_decide(
        actor=request.user, swap=_swap(request, pk), approve=True, comment=payload.comment
    )
    return _swap(request, pk)


@router.post("/{int:pk}/reject", response={200: SwapOut, **ERRORS})
def swap_reject(request: HttpRequest, pk: int, payload: CommentIn) -> ShiftSwap:
    """审批驳回 (a comment is required)."""
    require_perm(request, VIEW)
    services.swap_decide(
        actor=request.user, swap=_swap(request, pk), approve=False, comment=payload.comment
    )
    return _swap(request, pk)


@router.post("/{int:pk}/withdraw", response={200: SwapOut, **ERRORS})
def swap_withdraw(request: HttpRequest, pk: int, payload: ReasonIn) -> ShiftSwap:
    """申请人撤销 (before the final approval)."""
    require_perm(request, VIEW)
    services.swap_withdraw(actor=request.user, swap=_swap(request, pk), reason=payload.reason)
    return _swap(request, pk)


@router.post("/{int:pk}/payback", response={201: SwapOut, **ERRORS})
def swap_payback(request: HttpRequest, pk: int, payload: PaybackIn) -> Status:
    """安排还班 for an approved swap: a payback request (same flow)."""
    require_perm(request, ADD)
    payback = services.swap_payback_create(
        actor=request.user, swap=_swap(request, pk), day=payload.day, reason=payload.reason
    )
    return Status(201, _swap(request, payback.pk))
