"""维修单 API — /api/v1/aftersales/repairs… (AS-2, TKT-8): list, detail, create, stages, on-site.

Registered on ``api.router`` (imported at the end of ``api.py``). Refusals are 403, a stage at
the wrong time 409, bad input 422 — all as ``{code, message, fields}``. The operation ids are
those the endpoints had in ``api.py`` (clients generated from the OpenAPI keep working).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from kefu.core.access import shown
from kefu.core.apikit import PAGE_SIZES, require_perm
from kefu.core.errors import DomainError
from kefu.customers.selectors import customers_for_user
from kefu.org.models import Employee
from kefu.tickets.selectors import tickets_for_user

from . import listing, selectors, services
from .api import _RENDERER, ERRORS, router
from .choices import RepairStatus
from .clocks import CLOCK_LABELS
from .models import PriceItem, RepairOrder
from .services.common import ADD_REPAIR, CHANGE_REPAIR, VIEW_REPAIR


# --- repair orders --------------------------------------------------------------------------------
class ClockOut(Schema):
    key: str
    label: str
    due: dt.datetime
    met_at: dt.datetime | None
    stage: str
    seconds_left: int | None
    breached: bool


class RepairListOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    customer_id: int
    customer: str
    installation_id: int | None
    serial_number: str
    technician_id: int | None
    technician: str
    reported_at: dt.datetime
    in_warranty: bool
    breached: bool
    arrival_breached: bool
    fixed_breached: bool
    spare_breached: bool
    arrival_due: dt.datetime
    fixed_due: dt.datetime
    spare_due: dt.datetime


class RepairPage(Schema):
    count: int
    count_capped: bool = Field(
        description=f"true: 超过{selectors.COUNT_CAP}条，count 为下限（只数到这么多）"
    )
    page: int
    page_size: int
    items: list[RepairListOut]


class PartOut(Schema):
    id: int
    price_item_id: int
    code: str
    name: str
    kind: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class RepairOut(RepairListOut):
    ticket_id: int | None
    fault: str
    contact_name: str
    contact_phone: str
    address: str
    assigned_at: dt.datetime | None
    arrived_at: dt.datetime | None
    fixed_at: dt.datetime | None
    spare_at: dt.datetime | None
    remote_at: dt.datetime | None
    remote_note: str
    signed_at: dt.datetime | None
    signed_by_name: str
    closed_at: dt.datetime | None
    work_done: str
    charge_total: Decimal
    clocks: list[ClockOut]
    parts: list[PartOut]
    allowed_actions: list[str]


def repair_list_out(o: RepairOrder) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "status": o.status,
        "status_label": o.get_status_display(),
        "customer_id": o.customer_id,
        "customer": o.customer.name,
        "installation_id": o.installation_id,
        "serial_number": o.installation.serial_number if o.installation_id else "",
        "technician_id": o.technician_id,
        "technician": o.technician.name if o.technician_id else "",
        "reported_at": o.reported_at,
        "in_warranty": o.in_warranty,
        "breached": o.breached,
        "arrival_breached": o.arrival_breached,
        "fixed_breached": o.fixed_breached,
        "spare_breached": o.spare_breached,
        "arrival_due": o.arrival_due,
        "fixed_due": o.fixed_due,
        "spare_due": o.spare_due,
    }


def repair_out(request: HttpRequest, o: RepairOrder) -> dict[str, Any]:
    from .flow import allowed_actions

    now = timezone.now()
    data = repair_list_out(o)
    data.update(
        ticket_id=o.ticket_id,
        fault=o.fault,
        contact_name=o.contact_name,
        contact_phone=shown(request.user, "phone", o.contact_phone) if o.contact_phone else "",
        address=o.address,
        assigned_at=o.assigned_at,
        arrived_at=o.arrived_at,
        fixed_at=o.fixed_at,
        spare_at=o.spare_at,
        remote_at=o.remote_at,
        remote_note=o.remote_note,
        signed_at=o.signed_at,
        signed_by_name=o.signed_by_name,
        closed_at=o.closed_at,
        work_done=o.work_done,
        charge_total=o.charge_total,
        clocks=[
            {
                "key": r.key,
                "label": CLOCK_LABELS[r.key],
                "due": r.due,
                "met_at": r.met_at,
                "stage": r.stage,
                "seconds_left": r.seconds,
                "breached": r.breached,
            }
            for r in services.order_readings(o, now=now)
        ],
        parts=[
            {
                "id": p.pk,
                "price_item_id": p.price_item_id,
                "code": p.price_item.code,
                "name": p.price_item.name,
                "kind": p.price_item.kind,
                "quantity": p.quantity,
                "unit_price": p.unit_price,
                "amount": p.amount,
            }
            for p in o.parts.select_related("price_item")
        ],
        allowed_actions=[a.value for a in allowed_actions(o.status)]
        if request.user.has_perm(CHANGE_REPAIR)
        else [],
    )
    return data


class RepairFilter(Schema):
    q: str = Field("", max_length=60, description="维修单号/序列号（完整）或客户名称")
    status: RepairStatus | None = None
    breached: bool | None = None
    technician_id: int | None = None
    customer_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1)
    page_size: int = 20


@router.get(
    "/repairs", response={200: RepairPage, **ERRORS}, operation_id="kefu_aftersales_api_repair_list"
)
def repair_list(request: HttpRequest, filters: Query[RepairFilter]) -> Any:
    """维修单列表, newest first; ``count`` stops at 1,000 (``count_capped``: there are more)."""
    require_perm(request, VIEW_REPAIR)
    # Plain values of the shown columns (listing.API_FIELDS), not model instances, and the capped
    # count in the same query, its SQL written once per filter shape: the hot path
    # (docs/performance.md).
    found = selectors.repair_page_for_user(
        request.user,
        listing.API_FIELDS,
        page=filters.page,
        size=filters.page_size if filters.page_size in PAGE_SIZES else PAGE_SIZES[0],
        q=filters.q,
        status=filters.status.value if filters.status else "",
        breached=filters.breached,
        technician_id=filters.technician_id,
        customer_id=filters.customer_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = {
        "count": found.count,
        "count_capped": found.capped,
        "page": found.number,
        "page_size": found.size,
        "items": listing.api_rows(found.rows),
    }
    # Built from our own values with RepairPage's exact keys and types (a test validates it
    # against the schema): rendering it directly skips ninja re-validating every row through
    # pydantic, ~2 ms of the list's CPU (docs/performance.md). The schema still documents it.
    return HttpResponse(
        _RENDERER.render(request, page, response_status=200),
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return repair_out(request, selectors.repair_get_for_user(request.user, pk))


@router.get(
    "/repairs/{repair_id}",
    response={200: RepairOut, **ERRORS},
    operation_id="kefu_aftersales_api_repair_detail",
)
def repair_detail(request: HttpRequest, repair_id: int) -> Any:
    return _fresh(request, repair_id)


class RepairIn(Schema):
    """新建维修单: from ``ticket_id`` (售后-报修/维修) or for ``customer_id`` directly."""

    ticket_id: int | None = None
    customer_id: int | None = None
    installation_id: int | None = None
    fault: str = Field(max_length=2000)
    reported_at: dt.datetime | None = Field(None, description="默认：工单受理时间或当前时间")
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    technician_id: int | None = None


@router.post(
    "/repairs",
    response={201: RepairOut, **ERRORS},
    operation_id="kefu_aftersales_api_repair_create",
)
def repair_create(request: HttpRequest, payload: RepairIn) -> Any:
    require_perm(request, ADD_REPAIR)
    ticket = customer = installation = technician = None
    if payload.ticket_id is not None:
        ticket = tickets_for_user(request.user).select_related("customer").get(pk=payload.ticket_id)
    elif payload.customer_id is not None:
        customer = customers_for_user(request.user).get(pk=payload.customer_id)
    else:
        message = "请选择客户或报修工单"
        raise DomainError("repair_customer_required", message, fields={"customer_id": message})
    if payload.installation_id is not None:
        installation = selectors.installations_for_user(request.user).get(
            pk=payload.installation_id
        )
    if payload.technician_id is not None:
        require_perm(request, CHANGE_REPAIR)
        technician = Employee.objects.get(pk=payload.technician_id)
    order = services.repair_create(
        actor=request.user,
        ticket=ticket,
        customer=customer,
        installation=installation,
        fault=payload.fault,
        reported_at=payload.reported_at,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        address=payload.address,
        technician=technician,
    )
    return Status(201, _fresh(request, order.pk))


class StageIn(Schema):
    """One stage: ``action`` and what it needs (times default to now)."""

    action: Literal[
        "assign", "arrive", "fix", "spare", "remote", "sign_off", "close", "set_reported_at"
    ]
    technician_id: int | None = None
    at: dt.datetime | None = Field(None, description="到场/修复/备用机/远程解决/报修时间")
    work_done: str = Field("", max_length=4000)
    note: str = Field("", max_length=2000)
    signed_by_name: str = Field("", max_length=40)


def _scoped(request: HttpRequest, pk: int) -> RepairOrder:
    return selectors.repairs_for_user(request.user).get(pk=pk)


def perform_stage(user: Any, order: RepairOrder, action: str, data: dict[str, Any]) -> None:
    """Run one stage service from plain data (shared by the API and the pages)."""
    now = timezone.now()
    at = data.get("at") or now
    if action == "assign":
        tech_id = data.get("technician_id")
        technician = Employee.objects.filter(pk=tech_id).first() if tech_id else None
        if technician is None:
            raise DomainError(
                "repair_technician_required",
                "请选择维修人员",
                fields={"technician_id": "请选择维修人员"},
            )
        services.repair_assign(actor=user, order=order, technician=technician)
    elif action == "arrive":
        services.repair_arrive(actor=user, order=order, arrived_at=at)
    elif action == "fix":
        services.repair_fix(
            actor=user, order=order, fixed_at=at, work_done=data.get("work_done", "")
        )
    elif action == "spare":
        services.repair_spare(
            actor=user, order=order, spare_at=at, work_done=data.get("work_done", "")
        )
    elif action == "remote":
        services.repair_remote(actor=user, order=order, note=data.get("note", ""), resolved_at=at)
    elif action == "sign_off":
        services.repair_sign_off(
            actor=user, order=order, signed_by_name=data.get("signed_by_name", "")
        )
    elif action == "close":
        services.repair_close(actor=user, order=order)
    elif action == "set_reported_at":
        if data.get("at") is None:
            raise DomainError(
                "repair_time_required", "请填写报修时间", fields={"at": "请填写报修时间"}
            )
        services.repair_set_reported_at(
            actor=user, order=order, reported_at=at, reason=data.get("note", "")
        )
    else:  # pragma: no cover - the schema and the form restrict the actions
        raise DomainError("repair_action_unknown", "未知的操作")


@router.post(
    "/repairs/{repair_id}/stage",
    response={200: RepairOut, **ERRORS},
    operation_id="kefu_aftersales_api_repair_stage",
)
def repair_stage(request: HttpRequest, repair_id: int, payload: StageIn) -> Any:
    """维修单环节: 派工 / 到场 / 修复 / 备用机 / 远程解决 / 签收 / 关闭 / 更正报修时间."""
    require_perm(request, CHANGE_REPAIR)
    perform_stage(request.user, _scoped(request, repair_id), payload.action, payload.dict())
    return _fresh(request, repair_id)


class OnsiteIn(Schema):
    """现场记录: work done and/or one part line."""

    work_done: str = Field("", max_length=4000)
    price_item_id: int | None = None
    quantity: Decimal | None = Field(None, gt=0, le=9999, decimal_places=2)


@router.post(
    "/repairs/{repair_id}/onsite",
    response={200: RepairOut, **ERRORS},
    operation_id="kefu_aftersales_api_repair_onsite",
)
def repair_onsite(request: HttpRequest, repair_id: int, payload: OnsiteIn) -> Any:
    require_perm(request, CHANGE_REPAIR)
    order = _scoped(request, repair_id)
    if payload.work_done.strip():
        services.repair_record_work(actor=request.user, order=order, work_done=payload.work_done)
    if payload.price_item_id is not None:
        item = PriceItem.objects.get(pk=payload.price_item_id)
        services.repair_add_part(
            actor=request.user,
            order=order,
            price_item=item,
            quantity=payload.quantity or Decimal("1"),
        )
    return _fresh(request, repair_id)
