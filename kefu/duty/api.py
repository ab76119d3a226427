"""交接班与在线 API — /api/v1/duty/: handovers, 接班确认, flags, presence (chat-tool integration).

A chat tool reports an agent's status with the agent's personal API token
(``Authorization: Bearer kefu_…``): ``POST /api/v1/duty/presence {"status": "away"}``. A
supervisor-scoped integration token may set someone else's with ``employee_no`` (工号).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm

from . import selectors, services
from .choices import PresenceSource
from .models import Handover, HandoverFlag, PresenceViolation
from .services.common import (
    ACK_HANDOVER,
    ADD_HANDOVER,
    EXCUSE_VIOLATION,
    SET_PRESENCE,
    VIEW_HANDOVER,
    VIEW_PRESENCE,
    WAIVE_FLAG,
)

router = Router(tags=["交接班与在线"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class HandoverTicketOut(Schema):
    ticket_id: int
    number: str
    title: str
    status: str
    note: str


class AckOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    expected: bool
    acknowledged_at: dt.datetime | None
    remark: str


class HandoverOut(Schema):
    id: int
    number: str
    team_id: int | None
    day: dt.date
    shift_code: str
    author_id: int
    author_name: str
    written_at: dt.datetime
    pending_work: str
    equipment_ok: bool
    equipment_notes: str
    staffing: str
    notes: str
    incoming_day: dt.date | None
    incoming_shift_code: str
    ack_due_at: dt.datetime
    status: str
    acknowledged_at: dt.datetime | None
    ack_overdue: bool
    tickets: list[HandoverTicketOut]
    acks: list[AckOut]

    @staticmethod
    def resolve_author_name(obj: Handover) -> str:
        return obj.author.name

    @staticmethod
    def resolve_tickets(obj: Handover) -> list[dict]:
        return [
            {
                "ticket_id": ht.ticket_id,
                "number": ht.ticket.number,
                "title": ht.ticket.title,
                "status": ht.ticket.status,
                "note": ht.note,
            }
            for ht in obj.tickets.all()
        ]

    @staticmethod
    def resolve_acks(obj: Handover) -> list[dict]:
        return [
            {
                "employee_id": a.employee_id,
                "employee_no": a.employee.employee_no,
                "name": a.employee.name,
                "expected": a.expected,
                "acknowledged_at": a.acknowledged_at,
                "remark": a.remark,
            }
            for a in obj.acks.all()
        ]


class HandoverFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    shift: str = ""
    team: str = ""
    view: str = "all"
    q: str = ""
    page: int = 1
    page_size: int = 20


class HandoverIn(Schema):
    day: dt.date
    shift_code: str
    pending_work: str
    ticket_numbers: list[str] = []
    ticket_notes: dict[str, str] = {}
    equipment_ok: bool = True
    equipment_notes: str = ""
    staffing: str = ""
    notes: str = ""


class AckIn(Schema):
    remark: str = ""


class ReasonIn(Schema):
    reason: str


class FlagOut(Schema):
    id: int
    kind: str
    employee_id: int
    employee_no: str
    team_id: int | None
    day: dt.date
    shift_code: str
    handover_id: int | None
    flagged_at: dt.datetime
    waived_at: dt.datetime | None
    waive_reason: str

    @staticmethod
    def resolve_employee_no(obj: HandoverFlag) -> str:
        return obj.employee.employee_no


class PresenceIn(Schema):
    status: str
    reason: str = ""
    employee_no: str = ""


class PresenceOut(Schema):
    employee_id: int
    employee_no: str
    status: str
    since: dt.datetime
    reason: str
    source: str
    changed: bool = False


class MyPresenceOut(Schema):
    status: str
    since: dt.datetime | None
    reason: str
    month_strikes: int
    strikes_limit: int
    grace_minutes: int


class BoardRowOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    team: str
    day: dt.date
    shift_code: str
    start: dt.datetime
    end: dt.datetime
    on_duty: bool
    status: str
    since: dt.datetime | None
    reason: str
    offline_alert: bool
    month_strikes: int


class ViolationOut(Schema):
    id: int
    employee_id: int
    employee_no: str
    day: dt.date
    shift_code: str
    started_at: dt.datetime
    minutes: int
    kind: str
    stated_reason: str
    status: str
    excuse_reason: str

    @staticmethod
    def resolve_employee_no(obj: PresenceViolation) -> str:
        return obj.employee.employee_no


def _handover(request: HttpRequest, pk: int) -> Handover:
    return (
        selectors.handovers_for_user(request.user)
        .select_related("author")
        .prefetch_related("tickets__ticket", "acks__employee")
        .get(pk=pk)
    )


@router.get("/handovers", response={200: Page[HandoverOut], 403: ErrorOut})
def handover_list(request: HttpRequest, filters: Query[HandoverFilters]) -> dict:
    """交接班记录 the caller may read; view = all | pending | overdue | acknowledged."""
    require_perm(request, VIEW_HANDOVER)
    params = {
        "from": filters.date_from,
        "to": filters.date_to,
        "shift": filters.shift,
        "team": filters.team,
        "view": filters.view,
        "q": filters.q,
    }
    qs = selectors.filter_handovers(selectors.handovers_for_user(request.user), params)
    qs = qs.select_related("author").prefetch_related("tickets__ticket", "acks__employee")
    return paginate(qs, filters.page, filters.page_size)


@router.get("/handovers/{int:pk}", response={200: HandoverOut, **ERRORS})
def handover_detail(request: HttpRequest, pk: int) -> Handover:
    require_perm(request, VIEW_HANDOVER)
    return _handover(request, pk)


@router.post("/handovers", response={201: HandoverOut, **ERRORS})
def handover_create(request: HttpRequest, body: HandoverIn) -> Status:
    """填写交接班记录: tickets by 工单编号; the next shift's people become the 接班人."""
    require_perm(request, ADD_HANDOVER)
    handover = services.handover_create(
        actor=request.user,
        day=body.day,
        shift_code=body.shift_code,
        ticket_numbers=body.ticket_numbers,
        ticket_notes={k.strip().upper(): v for k, v in body.ticket_notes.items()},
        pending_work=body.pending_work,
        equipment_ok=body.equipment_ok,
        equipment_notes=body.equipment_notes,
        staffing=body.staffing,
        notes=body.notes,
    )
    return Status(201, _handover(request, handover.pk))


@router.post("/handovers/{int:pk}/acknowledge", response={200: HandoverOut, **ERRORS})
def handover_acknowledge(request: HttpRequest, pk: int, body: AckIn) -> Handover:
    """接班确认 with an optional remark."""
    require_perm(request, ACK_HANDOVER)
    services.handover_acknowledge(
        actor=request.user, handover=_handover(request, pk), remark=body.remark
    )
    return _handover(request, pk)


@router.get("/handover-flags", response={200: Page[FlagOut], 403: ErrorOut})
def flag_list(
    request: HttpRequest,
    kind: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict:
    """交接班异常 (未交班 / 超时未接班) of the people the caller may see."""
    require_perm(request, VIEW_HANDOVER)
    params = {"kind": kind, "from": date_from, "to": date_to}
    qs = selectors.filter_flags(selectors.flags_for_user(request.user), params)
    return paginate(qs, page, page_size)


@router.post("/handover-flags/{int:pk}/waive", response={200: FlagOut, **ERRORS})
def flag_waive(request: HttpRequest, pk: int, body: ReasonIn) -> HandoverFlag:
    """撤销交接班异常 with a reason: it is no longer an incident."""
    require_perm(request, WAIVE_FLAG)
    flag = selectors.flags_for_user(request.user).get(pk=pk)
    services.handover_flag_waive(actor=request.user, flag=flag, reason=body.reason)
    return selectors.flags_for_user(request.user).select_related("employee").get(pk=pk)


@router.post("/presence", response={200: PresenceOut, **ERRORS})
def presence_set(request: HttpRequest, body: PresenceIn) -> dict:
    """Set an online status: online | away | hidden | offline. Own status by default; another's
    by ``employee_no`` needs 设置他人在线状态 and the person in the caller's scope. Repeating the
    current status changes nothing (``changed: false``)."""
    require_perm(request, SET_PRESENCE)
    state, changed = services.presence_set(
        actor=request.user,
        status=body.status,
        reason=body.reason,
        employee=body.employee_no.strip() or None,
        source=PresenceSource.API,
    )
    return {
        "employee_id": state.employee_id,
        "employee_no": state.employee.employee_no,
        "status": state.status,
        "since": state.since,
        "reason": state.reason,
        "source": state.source,
        "changed": changed,
    }


@router.get("/presence/me", response={200: MyPresenceOut, 403: ErrorOut})
def presence_me(request: HttpRequest) -> dict:
    """My status and this month's counted 当班离线 against the policy's limit."""
    require_perm(request, SET_PRESENCE)
    mine = selectors.my_presence(request.user)
    if mine is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return mine.__dict__


@router.get("/presence/board", response={200: list[BoardRowOut], 403: ErrorOut})
def presence_board(request: HttpRequest, team: int | None = None) -> list[dict]:
    """Who is rostered today vs their status (当班离线 first)."""
    require_perm(request, VIEW_PRESENCE)
    return [
        {
            "employee_id": r.employee.pk,
            "employee_no": r.employee.employee_no,
            "name": r.employee.name,
            "team": r.team_name,
            "day": r.day,
            "shift_code": r.code,
            "start": r.start,
            "end": r.end,
            "on_duty": r.on_duty,
            "status": r.status,
            "since": r.state.since if r.state else None,
            "reason": r.state.reason if r.state else "",
            "offline_alert": r.alert,
            "month_strikes": r.month_strikes,
        }
        for r in selectors.presence_board(request.user, team_id=team)
    ]


@router.get("/presence/violations", response={200: Page[ViolationOut], 403: ErrorOut})
def violation_list(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict:
    """当班离线记录 of the people the caller may see (agents: their own)."""
    if not (request.user.has_perm(VIEW_PRESENCE) or request.user.has_perm(SET_PRESENCE)):
        require_perm(request, VIEW_PRESENCE)
    qs = selectors.violations_for_user(request.user)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    return paginate(qs.order_by("-day", "-started_at", "id"), page, page_size)


@router.post("/presence/violations/{int:pk}/excuse", response={200: ViolationOut, **ERRORS})
def violation_excuse(request: HttpRequest, pk: int, body: ReasonIn) -> PresenceViolation:
    """认可原因: the offline period no longer counts towards the month's limit."""
    require_perm(request, EXCUSE_VIOLATION)
    violation = selectors.violations_for_user(request.user).get(pk=pk)
    services.presence_violation_excuse(actor=request.user, violation=violation, reason=body.reason)
    return selectors.violations_for_user(request.user).get(pk=pk)
