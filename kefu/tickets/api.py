"""Service-request API — 工单接口 at /api/v1/tickets (TKT-1..TKT-7; all writes via services).

Scope is the selectors' (ORG-5): a ticket the caller may not see answers 404, exactly like one
that does not exist. Status changes go through ``services.ticket_act`` — the rule engine decides
who may do what, and its refusals come back as ``{code, message, fields}`` (409 for an action the
status does not allow, 403 for an actor who may not take it, 422 for missing input). Contact
phones are masked like customer phones unless the caller holds the reveal right (SEC-1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from kefu.core.apikit import (
    ErrorOut,
    Page,
    fast_json,
    paginate,
    paginate_once,
    paginate_one_pass,
    require_perm,
)
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.core.params import MAX_ID
from kefu.customers.selectors import customer_record_for_user

from . import selectors, services
from .api_schemas import (
    ROW_FIELDS,
    CustomerRepliedIn,
    FaultReportBody,
    FollowUpIn,
    InternalNoteIn,
    MajorFaultIn,
    NoteIn,
    QuickIn,
    ReasonIn,
    ReassignIn,
    ReplyIn,
    ServiceModeIn,
    TicketFilter,
    TicketIn,
    TicketOut,
    TicketPatch,
    TicketRowOut,
    TransferIn,
    ticket_list_row,
    ticket_out,
)
from .choices import Channel, Kind, Priority, ServiceMode
from .choices import Status as TicketStatus
from .models import Ticket
from .policy import tickets_policy
from .services.common import ADD, CHANGE, VIEW
from .statemachine import Action

router = Router(tags=["tickets"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}

# Services name some inputs by the model (``target``, ``customer``); the API takes ids.
FIELD_NAMES = {"target": "target_id", "customer": "customer_id"}
DETAIL_RELATED = (
    "customer",
    "owner",
    "first_responsible",
    "pending_owner",
    "pending_department",
    "department",
    "team",
    "received_by",
)


# --- helpers ----------------------------------------------------------------------------------
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is Shanghai time (the business's clock), never a 500."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, SHANGHAI)


def _visible(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket in the caller's scope, or 404 (missing and out of scope look the same)."""
    require_perm(request, VIEW)
    if not 1 <= ticket_id <= MAX_ID:
        raise Http404
    return selectors.ticket_get_for_user(request.user, ticket_id)


def _detail(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    """The detail after the caller's own successful write.

    An action can hand the ticket out of the caller's scope (退回转交, 改派 to another team): the
    answer is still the ticket as the action left it — the caller just held it — and only later
    reads are 404.
    """
    try:
        ticket = selectors.ticket_get_for_user(request.user, ticket_id)
    except Ticket.DoesNotExist:
        ticket = Ticket.objects.select_related(*DETAIL_RELATED).get(pk=ticket_id)
    return ticket_out(ticket, request.user)


def _renamed(exc: DomainError, names: Mapping[str, str] = FIELD_NAMES) -> DomainError:
    """The service's error with its fields named as the API's inputs are."""
    if set(exc.fields) & set(names):
        exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc


def _act(
    request: HttpRequest,
    ticket_id: int,
    action: Action,
    names: Mapping[str, str] = FIELD_NAMES,
    **inputs: Any,
) -> dict[str, Any]:
    require_perm(request, CHANGE)
    ticket = _visible(request, ticket_id)
    try:
        services.ticket_act(actor=request.user, ticket=ticket, action=action, **inputs)
    except DomainError as exc:
        raise _renamed(exc, names) from None
    return _detail(request, ticket.pk)


# --- reads ------------------------------------------------------------------------------------
# Filters whose values are typed or read off the clock: a list with one of them is not compiled
# once (each value would be a statement of its own).
_TYPED_FILTERS = (
    "q",
    "phone",
    "order_no",
    "tracking_no",
    "overdue",
    "received_from",
    "received_to",
)

# Filters compiled once only for a value of their list: anything else is answered (empty) by the
# ORM and leaves no statement behind.
_CHOICE_FILTERS = {
    "status": frozenset(TicketStatus.values),
    "kind": frozenset(Kind.values),
    "channel": frozenset(Channel.values),
    "priority": frozenset(Priority.values),
    "service_mode": frozenset(ServiceMode.values),
}


def _compiled_once(wanted: dict[str, Any]) -> bool:
    return not any(wanted[name] for name in _TYPED_FILTERS) and all(
        not wanted[name] or wanted[name] in values for name, values in _CHOICE_FILTERS.items()
    )


@router.get("", response={200: Page[TicketRowOut], **ERRORS}, url_name="ticket_list")
def ticket_list(request: HttpRequest, filters: Query[TicketFilter]) -> Any:
    """工单列表: the caller's scope, filtered, newest first."""
    require_perm(request, VIEW)
    wanted: dict[str, Any] = {
        "q": filters.q.strip()[:50],
        "status": filters.status.strip(),
        "open_only": filters.open,
        "kind": filters.kind.strip(),
        "channel": filters.channel.strip(),
        "priority": filters.priority.strip(),
        "owner_id": filters.owner_id,
        "team_id": filters.team_id,
        "customer_id": filters.customer_id,
        "phone": filters.phone.strip()[:30],
        "order_no": filters.order_no.strip()[:40],
        "tracking_no": filters.tracking_no.strip()[:40],
        "overdue": filters.overdue,
        "major_fault": filters.major_fault,
        "service_mode": filters.service_mode.strip()[:10],
        "red_flag": filters.red_flag,
        "received_from": _aware(filters.received_from),
        "received_to": _aware(filters.received_to),
    }
    scope = selectors.ticket_scope_key(request.user)
    if scope is not None and _compiled_once(wanted):
        # The lists people open again and again (status, kind, owner, team…): both statements
        # compiled once per scope and filters (kefu/core/compiled.py). Typed text, dates and the
        # overdue clock make a new statement nearly every time: those go through the ORM.
        chosen = tuple(sorted((k, v) for k, v in wanted.items() if v))
        page = paginate_once(
            selectors.tickets_in_scope_of,
            (scope, chosen),
            filters.page,
            filters.page_size,
            values=ROW_FIELDS,
        )
    else:
        qs = selectors.tickets_for_user(request.user, **wanted)
        # Rows as dicts of the listed columns: no model instance per row (the hot list endpoint).
        # A keyword search checks the text of every candidate whatever the page: counted and
        # paged by one statement instead of reading the matches twice.
        paged = paginate_one_pass if wanted["q"] else paginate
        page = paged(qs, filters.page, filters.page_size, values=ROW_FIELDS)
    now = timezone.now()
    page["items"] = [ticket_list_row(row, now) for row in page["items"]]
    # Plain dicts of the exact shape, rendered without ninja's per-row validation (a third of
    # this endpoint's CPU; fast_json checks the shape in tests).
    return fast_json(page, Page[TicketRowOut])


# Before /{ticket_id}: Django tries the paths in order and the id segment is a plain string.
@router.post("/quick", response={201: TicketOut, **ERRORS})
def ticket_quick_create(request: HttpRequest, payload: QuickIn) -> Any:
    """来电快速建单: the caller's number finds (or records) the customer. Honours ``Idempotency-Key``."""
    require_perm(request, ADD)
    ticket = services.ticket_quick_create(
        actor=request.user,
        phone=payload.phone,
        kind=payload.kind.value,
        title=payload.title,
        subkind=payload.subkind,
        channel=payload.channel.value,
        priority=payload.priority.value,
    )
    return Status(201, _detail(request, ticket.pk))


@router.get("/{ticket_id}", response={200: TicketOut, **ERRORS})
def ticket_detail(request: HttpRequest, ticket_id: int) -> Any:
    """工单详情: messages, attachments, fault report and the actions open to the caller."""
    return ticket_out(_visible(request, ticket_id), request.user)


@router.get(
    "/{ticket_id}/attachments/{attachment_id}",
    response=ERRORS,
    url_name="ticket_attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "附件文件（Content-Disposition: attachment）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> Any:
    """下载附件: only through the ticket, so the caller's scope applies."""
    ticket = _visible(request, ticket_id)
    if not 1 <= attachment_id <= MAX_ID:
        raise Http404
    attachment = ticket.attachments.get(pk=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.name,
    )
    # The type was checked on upload; never let a browser second-guess it into HTML/script.
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- receiving and editing -------------------------------------------------------------------
@router.post("", response={201: TicketOut, **ERRORS})
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    """新建工单 (TKT-1/2/5). Honours ``Idempotency-Key``."""
    require_perm(request, ADD)
    # The scoped customer alone: neither its phones nor its 建档人 are needed to record it.
    customer = customer_record_for_user(request.user, payload.customer_id)
    if customer is None:
        message = "客户不存在"
        raise DomainError("ticket_invalid", message, fields={"customer_id": message})
    try:
        ticket = services.ticket_create(
            actor=request.user,
            channel=payload.channel.value,
            kind=payload.kind.value,
            subkind=payload.subkind,
            customer=customer,
            title=payload.title,
            description=payload.description,
            demand=payload.demand,
            priority=payload.priority.value,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            order_no=payload.order_no,
            purchase_date=payload.purchase_date,
            tracking_no=payload.tracking_no,
            tags=payload.tags,
            received_at=_aware(payload.received_at),
            unassigned=payload.unassigned,
            red_flag=payload.red_flag,
            red_flag_note=payload.red_flag_note,
        )
    except DomainError as exc:
        raise _renamed(exc) from None
    if payload.tags:
        return Status(201, _detail(request, ticket.pk))
    # The answer from the instance just stored (the service set its relations): no read-back,
    # rendered without ninja's per-field validation (fast_json checks the shape in tests).
    return fast_json(ticket_out(ticket, request.user, created=True), TicketOut, status=201)


@router.patch("/{ticket_id}", response={200: TicketOut, **ERRORS})
def ticket_update(request: HttpRequest, ticket_id: int, payload: TicketPatch) -> Any:
    """完善工单信息: only the fields sent change (channel, kind and receipt time never do)."""
    require_perm(request, CHANGE)
    ticket = _visible(request, ticket_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("priority") is not None:
        changes["priority"] = Priority(changes["priority"]).value
    if "red_flag" in changes and changes["red_flag"] is None:
        del changes["red_flag"]  # null: leave the flag as it is
    services.ticket_update_details(actor=request.user, ticket=ticket, **changes)
    return _detail(request, ticket.pk)


# --- actions ----------------------------------------------------------------------------------
@router.post("/{ticket_id}/accept", response={200: TicketOut, **ERRORS})
def ticket_accept(request: HttpRequest, ticket_id: int) -> Any:
    """受理: 新建 → 处理中 (an unassigned ticket becomes the caller's)."""
    return _act(request, ticket_id, Action.ACCEPT)


@router.post("/{ticket_id}/reply", response={200: TicketOut, **ERRORS})
def ticket_reply(request: HttpRequest, ticket_id: int, payload: ReplyIn) -> Any:
    """回复客户 (TKT-6); the first reply stops the first-response clock (TKT-4)."""
    return _act(request, ticket_id, Action.REPLY, note=payload.note, via=payload.via.value)


@router.post("/{ticket_id}/wait-customer", response={200: TicketOut, **ERRORS})
def ticket_wait_customer(request: HttpRequest, ticket_id: int, payload: NoteIn) -> Any:
    """转为待客户: the SLA clock pauses; ``note`` is what the customer was asked for."""
    return _act(request, ticket_id, Action.WAIT_CUSTOMER, note=payload.note, via=payload.via.value)


@router.post("/{ticket_id}/customer-replied", response={200: TicketOut, **ERRORS})
def ticket_customer_replied(
    request: HttpRequest, ticket_id: int, payload: CustomerRepliedIn
) -> Any:
    """登记客户回复: 待客户 → 处理中, the clock resumes."""
    return _act(request, ticket_id, Action.CUSTOMER_REPLIED, note=payload.note)


@router.post("/{ticket_id}/transfer", response={200: TicketOut, **ERRORS})
def ticket_transfer(request: HttpRequest, ticket_id: int, payload: TransferIn) -> Any:
    """转交 (TKT-3): to one person or one department, with a reason."""
    # The service calls either target ``target``: name the input the caller actually sent.
    only_department = payload.target_id is None and payload.target_department_id is not None
    return _act(
        request,
        ticket_id,
        Action.TRANSFER,
        names={"target": "target_department_id" if only_department else "target_id"},
        target=payload.target_id,
        target_department=payload.target_department_id,
        reason=payload.reason,
    )


@router.post("/{ticket_id}/accept-transfer", response={200: TicketOut, **ERRORS})
def ticket_accept_transfer(request: HttpRequest, ticket_id: int) -> Any:
    """接收转交: the transfer target takes the ticket over."""
    return _act(request, ticket_id, Action.ACCEPT_TRANSFER)


@router.post("/{ticket_id}/reject-transfer", response={200: TicketOut, **ERRORS})
def ticket_reject_transfer(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    """退回转交: back to the owner, with a reason."""
    return _act(request, ticket_id, Action.REJECT_TRANSFER, reason=payload.reason)


@router.post("/{ticket_id}/reassign", response={200: TicketOut, **ERRORS})
def ticket_reassign(request: HttpRequest, ticket_id: int, payload: ReassignIn) -> Any:
    """改派 (组长及以上): hand the ticket to someone; a reason when taking it from its holder."""
    return _act(
        request, ticket_id, Action.REASSIGN, target=payload.target_id, reason=payload.reason
    )


@router.post("/{ticket_id}/resolve", response={200: TicketOut, **ERRORS})
def ticket_resolve(request: HttpRequest, ticket_id: int, payload: NoteIn) -> Any:
    """解决: with the result, recorded as what the customer was told."""
    return _act(request, ticket_id, Action.RESOLVE, note=payload.note, via=payload.via.value)


@router.post("/{ticket_id}/close", response={200: TicketOut, **ERRORS})
def ticket_close(request: HttpRequest, ticket_id: int) -> Any:
    """结案 (TKT-6); a major fault needs its complete fault-analysis report first (TKT-7)."""
    return _act(request, ticket_id, Action.CLOSE)


@router.post("/{ticket_id}/reopen", response={200: TicketOut, **ERRORS})
def ticket_reopen(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    """重新打开: from 已解决 or 已关闭, with a reason."""
    return _act(request, ticket_id, Action.REOPEN, reason=payload.reason)


@router.post("/{ticket_id}/follow-up", response={200: TicketOut, **ERRORS})
def ticket_follow_up(request: HttpRequest, ticket_id: int, payload: FollowUpIn) -> Any:
    """回访 (TKT-6 反馈): how it went and whether the customer is satisfied."""
    return _act(
        request, ticket_id, Action.FOLLOW_UP, note=payload.note, satisfied=payload.satisfied
    )


@router.post("/{ticket_id}/major-fault", response={200: TicketOut, **ERRORS})
def ticket_major_fault(request: HttpRequest, ticket_id: int, payload: MajorFaultIn) -> Any:
    """标记重大故障 (TKT-7): the policy's people are notified at once."""
    return _act(request, ticket_id, Action.FLAG_MAJOR_FAULT, note=payload.note)


@router.post("/{ticket_id}/fault-report", response={200: TicketOut, **ERRORS})
def ticket_fault_report(request: HttpRequest, ticket_id: int, payload: FaultReportBody) -> Any:
    """提交故障分析报告 (TKT-7): all eight items, or 422 naming the missing ones."""
    report: Mapping[str, str] = payload.dict()
    return _act(request, ticket_id, Action.SUBMIT_FAULT_REPORT, fault_report=report)


@router.post("/{ticket_id}/service-mode", response={200: TicketOut, **ERRORS})
def ticket_service_mode(request: HttpRequest, ticket_id: int, payload: ServiceModeIn) -> Any:
    """升级服务方式 (TKT-8): 热线服务 → 远程服务 → 上门服务, only upwards, with a reason.

    处理人 or 组长及以上 only (403); the same or a lower rung, or a closed request, is 409.
    """
    require_perm(request, CHANGE)
    ticket = _visible(request, ticket_id)
    services.ticket_escalate_service_mode(
        actor=request.user, ticket=ticket, mode=payload.mode.value, reason=payload.reason
    )
    return _detail(request, ticket.pk)


@router.post("/{ticket_id}/notes", response={201: TicketOut, **ERRORS})
def ticket_note(request: HttpRequest, ticket_id: int, payload: InternalNoteIn) -> Any:
    """内部备注: for colleagues only; not a response to the customer."""
    require_perm(request, CHANGE)
    ticket = _visible(request, ticket_id)
    services.ticket_add_note(actor=request.user, ticket=ticket, body=payload.body)
    return Status(201, _detail(request, ticket.pk))


@router.post("/{ticket_id}/attachments", response={201: TicketOut, **ERRORS})
def ticket_attach(
    request: HttpRequest, ticket_id: int, file: File[UploadedFile | None] = None
) -> Any:
    """上传附件 (multipart, field ``file``): images (JPG/PNG/GIF/WebP) or PDF, size from policy."""
    require_perm(request, CHANGE)
    ticket = _visible(request, ticket_id)
    if file is None:
        message = "请选择要上传的文件"
        raise DomainError("attachment_missing", message, fields={"file": message})
    rules = tickets_policy(ticket.received_at.astimezone(SHANGHAI).date()).attachments
    # One byte past the limit is enough for the service to refuse; never read a huge file whole.
    content = file.read(int(rules.max_megabytes * 1024 * 1024) + 1)
    services.ticket_attach(actor=request.user, ticket=ticket, name=file.name or "", content=content)
    return Status(201, _detail(request, ticket.pk))


__all__ = ["router"]
