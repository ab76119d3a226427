"""Repair-order services — 维修单 (AS-2, TKT-8): the only write path of repair orders.

Every service is keyword-only, atomic, checks the actor's permission and the stage rules
(``flow.py``), writes, refreshes the clocks (``clock.refresh_clock``: a stage recorded late is
flagged at once) and records one audit event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.customers.models import Customer
from kefu.org.models import Employee
from kefu.tickets.choices import Kind, Subkind
from kefu.tickets.models import Ticket

from ..charges import Line, line_amount, order_total
from ..choices import RepairStatus as S
from ..flow import (
    ONSITE_STATUSES,
    REPORT_EDITABLE_STATUSES,
    RepairAction,
    TransitionError,
    next_status,
)
from ..models import Installation, PriceItem, RepairOrder, RepairPart
from ..policy import aftersales_policy
from ..warranty import in_warranty
from .clock import refresh_clock, set_dues
from .common import (
    ADD_REPAIR,
    CHANGE_REPAIR,
    check_time,
    local_day,
    next_number,
    require_perm,
    text,
)

REPAIR_SUBKINDS = (Subkind.REPAIR.value, Subkind.REPAIR_REPORT.value)
SNAPSHOT = (
    "status",
    "reported_at",
    "technician_id",
    "assigned_at",
    "arrived_at",
    "fixed_at",
    "spare_at",
    "remote_at",
    "signed_at",
    "signed_by_name",
    "closed_at",
    "in_warranty",
    "charge_total",
)


def _snap(order: RepairOrder) -> dict[str, Any]:
    return {k: getattr(order, k) for k in SNAPSHOT}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def is_repair_ticket(ticket: Ticket) -> bool:
    """报修/维修 service requests (售后 kind) may raise a repair order."""
    return ticket.kind == Kind.AFTER_SALES and ticket.subkind in REPAIR_SUBKINDS


def warranty_on(installation: Installation | None, reported_at: dt.datetime) -> bool:
    """保修期内? decided on the report date (AS-1); no installation known → not covered."""
    if installation is None:
        return False
    return in_warranty(
        installation.acceptance_date, installation.warranty_end, local_day(reported_at)
    )


def _installation_for_ticket(ticket: Ticket) -> Installation | None:
    rows = Installation.objects.filter(customer_id=ticket.customer_id)
    if ticket.order_no:
        match = rows.filter(order_no=ticket.order_no).first()
        if match is not None:
            return match
    only = list(rows[:2])
    return only[0] if len(only) == 1 else None


@transaction.atomic
def repair_create(
    *,
    actor: Any,
    fault: str,
    customer: Customer | None = None,
    installation: Installation | None = None,
    ticket: Ticket | None = None,
    reported_at: dt.datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    technician: Employee | None = None,
    now: dt.datetime | None = None,
) -> RepairOrder:
    """Open a repair order — 新建维修单, from a 报修/维修 service request or directly.

    From a request: its customer, contact and order's installation are taken, and the report
    time defaults to the request's receipt. The report time may be in the past (calls are
    entered late), never in the future. The three clocks start at the report time.
    """
    require_perm(actor, ADD_REPAIR)
    now = now or timezone.now()
    if ticket is not None:
        if not is_repair_ticket(ticket):
            message = "只有“售后-报修/维修”类工单可以生成维修单"
            raise DomainError("repair_ticket_kind", message, fields={"ticket": message})
        customer = ticket.customer
        reported_at = reported_at or ticket.received_at
        contact_name = contact_name or ticket.contact_name
        contact_phone = contact_phone or ticket.contact_phone
        if installation is None:
            installation = _installation_for_ticket(ticket)
    if customer is None:
        message = "请选择客户"
        raise DomainError("repair_customer_required", message, fields={"customer": message})
    if installation is not None and installation.customer_id != customer.pk:
        message = "安装记录不属于该客户"
        raise DomainError("repair_installation_mismatch", message, fields={"installation": message})
    reported_at = check_time(reported_at or now, field="reported_at", label="报修时间", now=now)
    fault = text(fault, field="fault", label="故障描述", max_length=2000, required=True)
    order = RepairOrder(
        customer=customer,
        installation=installation,
        ticket=ticket,
        fault=fault,
        contact_name=text(
            contact_name, field="contact_name", label="联系人", max_length=40, required=False
        ),
        contact_phone=text(
            contact_phone, field="contact_phone", label="联系电话", max_length=20, required=False
        ),
        address=text(
            address or (installation.address if installation else ""),
            field="address",
            label="维修地址",
            max_length=200,
            required=False,
        ),
        reported_at=reported_at,
        in_warranty=warranty_on(installation, reported_at),
        created_by=actor,
    )
    rules = aftersales_policy(local_day(reported_at)).numbering
    order.number = next_number(rules.prefix, local_day(now), rules.digits)
    set_dues(order)
    order.save()
    audit.record(
        actor=actor,
        action="repair.create",
        obj=order,
        after={
            "number": order.number,
            "customer_id": customer.pk,
            "installation_id": installation.pk if installation else None,
            "ticket_id": ticket.pk if ticket else None,
            "reported_at": reported_at,
            "in_warranty": order.in_warranty,
        },
    )
    refresh_clock(order, now=now)
    if technician is not None:
        order = repair_assign(actor=actor, order=order, technician=technician, now=now)
    return order


def _lock(order: RepairOrder) -> RepairOrder:
    return (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("technician", "installation", "customer")
        .get(pk=order.pk)
    )


def _transition(order: RepairOrder, action: RepairAction) -> str:
    try:
        return next_status(order.status, action)
    except TransitionError as exc:
        raise ConflictError("repair_bad_stage", str(exc)) from exc


def _finish(
    actor: Any,
    order: RepairOrder,
    action: str,
    before: dict[str, Any],
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> RepairOrder:
    order.save()
    b, a = _diff(before, _snap(order))
    audit.record(
        actor=actor, action=f"repair.{action}", obj=order, before=b, after={**a, **(extra or {})}
    )
    refresh_clock(order, now=now)
    return order


@transaction.atomic
def repair_assign(
    *, actor: Any, order: RepairOrder, technician: Employee, now: dt.datetime | None = None
) -> RepairOrder:
    """派工 / 改派: name the technician (an active employee)."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    if not technician.is_active:
        message = "维修人员已离职或停用"
        raise DomainError("repair_technician_inactive", message, fields={"technician": message})
    order.status = _transition(order, RepairAction.ASSIGN)
    order.technician = technician
    order.assigned_at = now
    return _finish(actor, order, "assign", before, now, {"technician": technician.name})


@transaction.atomic
def repair_arrive(
    *, actor: Any, order: RepairOrder, arrived_at: dt.datetime, now: dt.datetime | None = None
) -> RepairOrder:
    """登记到场: the technician's arrival (not in the future, not before the report)."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    order.status = _transition(order, RepairAction.ARRIVE)
    order.arrived_at = check_time(
        arrived_at,
        field="arrived_at",
        label="到场时间",
        now=now,
        not_before=order.reported_at,
        not_before_label="报修时间",
    )
    return _finish(actor, order, "arrive", before, now)


def _clear_fault(
    actor: Any,
    order: RepairOrder,
    *,
    action: RepairAction,
    at: dt.datetime,
    field: str,
    label: str,
    work_done: str,
    now: dt.datetime | None,
) -> RepairOrder:
    """修复 and 备用机到位 record the same way: a time after arrival, optionally the work done."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    order.status = _transition(order, action)
    setattr(
        order,
        field,
        check_time(
            at,
            field=field,
            label=label,
            now=now,
            not_before=order.arrived_at,
            not_before_label="到场时间",
        ),
    )
    if work_done:
        order.work_done = text(
            work_done, field="work_done", label="维修内容", max_length=4000, required=False
        )
    return _finish(actor, order, action, before, now)


@transaction.atomic
def repair_fix(
    *,
    actor: Any,
    order: RepairOrder,
    fixed_at: dt.datetime,
    work_done: str = "",
    now: dt.datetime | None = None,
) -> RepairOrder:
    """登记修复: the fault is cleared (after arrival)."""
    return _clear_fault(
        actor,
        order,
        action=RepairAction.FIX,
        at=fixed_at,
        field="fixed_at",
        label="修复时间",
        work_done=work_done,
        now=now,
    )


@transaction.atomic
def repair_spare(
    *,
    actor: Any,
    order: RepairOrder,
    spare_at: dt.datetime,
    work_done: str = "",
    now: dt.datetime | None = None,
) -> RepairOrder:
    """登记备用机/备件到位: a spare unit or part of the same model or quality is in place."""
    return _clear_fault(
        actor,
        order,
        action=RepairAction.SPARE,
        at=spare_at,
        field="spare_at",
        label="备用机到位时间",
        work_done=work_done,
        now=now,
    )


@transaction.atomic
def repair_remote(
    *,
    actor: Any,
    order: RepairOrder,
    note: str,
    resolved_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> RepairOrder:
    """远程解决 (TKT-8): solved without a visit; meets the arrival and fix clocks."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    order.status = _transition(order, RepairAction.REMOTE)
    order.remote_note = text(
        note, field="note", label="远程解决说明", max_length=2000, required=True
    )
    order.remote_at = check_time(
        resolved_at or now,
        field="resolved_at",
        label="解决时间",
        now=now,
        not_before=order.reported_at,
        not_before_label="报修时间",
    )
    return _finish(actor, order, "remote", before, now, {"remote_note": order.remote_note})


@transaction.atomic
def repair_sign_off(
    *, actor: Any, order: RepairOrder, signed_by_name: str, now: dt.datetime | None = None
) -> RepairOrder:
    """客户签收: the customer's name as signed on the repair order."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    order.status = _transition(order, RepairAction.SIGN_OFF)
    order.signed_by_name = text(
        signed_by_name, field="signed_by_name", label="客户签收人", max_length=40, required=True
    )
    order.signed_at = now
    return _finish(actor, order, "sign_off", before, now)


@transaction.atomic
def repair_close(*, actor: Any, order: RepairOrder, now: dt.datetime | None = None) -> RepairOrder:
    """关闭维修单: after sign-off or a remote solution. The clocks stop."""
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    before = _snap(order)
    order.status = _transition(order, RepairAction.CLOSE)
    order.closed_at = now
    return _finish(actor, order, "close", before, now)


@transaction.atomic
def repair_set_reported_at(
    *,
    actor: Any,
    order: RepairOrder,
    reported_at: dt.datetime,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RepairOrder:
    """更正报修时间: a call entered late gets its real time (backwards or forwards, never future).

    Possible until the technician has arrived. Deadlines, warranty and breach flags are recomputed
    from the corrected time.
    """
    require_perm(actor, CHANGE_REPAIR)
    now = now or timezone.now()
    order = _lock(order)
    if order.status not in REPORT_EDITABLE_STATUSES or order.status == S.REMOTE:
        raise ConflictError("repair_report_locked", "技术人员已到场或已解决，报修时间不能再修改")
    before = _snap(order)
    order.reported_at = check_time(reported_at, field="reported_at", label="报修时间", now=now)
    order.in_warranty = warranty_on(order.installation, order.reported_at)
    set_dues(order)
    order.arrival_breached = order.fixed_breached = order.spare_breached = False
    order.notified = []
    return _finish(actor, order, "set_reported_at", before, now, {"reason": reason[:200]})


# --- on-site record ---------------------------------------------------------------------------
def _require_onsite(order: RepairOrder) -> None:
    if order.status not in ONSITE_STATUSES:
        raise ConflictError("repair_not_onsite", "到场后、关闭前才能登记现场记录")


def _retotal(order: RepairOrder) -> None:
    rules = aftersales_policy(local_day(order.reported_at)).charges
    lines = [
        Line(p.price_item.kind, p.quantity, p.unit_price)
        for p in order.parts.select_related("price_item")
    ]
    order.charge_total = order_total(
        lines,
        in_warranty=order.in_warranty,
        visited=order.arrived_at is not None,
        default_labour_fee=rules.default_labour_fee,
    )


@transaction.atomic
def repair_record_work(*, actor: Any, order: RepairOrder, work_done: str) -> RepairOrder:
    """现场记录: what was done on site."""
    require_perm(actor, CHANGE_REPAIR)
    order = _lock(order)
    _require_onsite(order)
    before = {"work_done": order.work_done}
    order.work_done = text(
        work_done, field="work_done", label="维修内容", max_length=4000, required=True
    )
    order.save(update_fields=["work_done", "updated_at"])
    audit.record(
        actor=actor,
        action="repair.record_work",
        obj=order,
        before=before,
        after={"work_done": order.work_done},
    )
    return order


def _quantity(value: Any) -> Decimal:
    try:
        qty = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            "repair_qty", "数量必须是数字", fields={"quantity": "数量必须是数字"}
        ) from exc
    if not qty.is_finite() or qty <= 0 or qty > 9999 or qty != qty.quantize(Decimal("0.01")):
        message = "数量须大于0、不超过9999，最多两位小数"
        raise DomainError("repair_qty", message, fields={"quantity": message})
    return qty


@transaction.atomic
def repair_add_part(
    *, actor: Any, order: RepairOrder, price_item: PriceItem, quantity: Any
) -> RepairPart:
    """登记用料: a part or labour item from the price list; free in warranty."""
    require_perm(actor, CHANGE_REPAIR)
    order = _lock(order)
    _require_onsite(order)
    if not price_item.is_active:
        message = "该价目已停用"
        raise DomainError("repair_price_inactive", message, fields={"price_item": message})
    product_id = order.installation.product_id if order.installation_id else None
    if price_item.product_id is not None and price_item.product_id != product_id:
        message = "该配件不适用于本维修单的产品"
        raise DomainError("repair_price_product", message, fields={"price_item": message})
    qty = _quantity(quantity)
    part = RepairPart.objects.create(
        order=order,
        price_item=price_item,
        quantity=qty,
        unit_price=price_item.unit_price,
        amount=line_amount(qty, price_item.unit_price, in_warranty=order.in_warranty),
    )
    before = order.charge_total
    _retotal(order)
    order.save(update_fields=["charge_total", "updated_at"])
    audit.record(
        actor=actor,
        action="repair.add_part",
        obj=order,
        before={"charge_total": before},
        after={
            "part": f"{price_item.code} {price_item.name}",
            "quantity": qty,
            "amount": part.amount,
            "charge_total": order.charge_total,
        },
    )
    return part


@transaction.atomic
def repair_remove_part(*, actor: Any, order: RepairOrder, part_id: int) -> RepairOrder:
    """删除用料 (entered by mistake)."""
    require_perm(actor, CHANGE_REPAIR)
    order = _lock(order)
    _require_onsite(order)
    part = order.parts.select_related("price_item").filter(pk=part_id).first()
    if part is None:
        raise DomainError("repair_part_missing", "用料记录不存在", status=404)
    label = f"{part.price_item.code} {part.price_item.name}"
    part.delete()
    before = order.charge_total
    _retotal(order)
    order.save(update_fields=["charge_total", "updated_at"])
    audit.record(
        actor=actor,
        action="repair.remove_part",
        obj=order,
        before={"part": label, "charge_total": before},
        after={"charge_total": order.charge_total},
    )
    return order
