"""Recording a complaint — 登记客户投诉记录卡 (CMP-1, CMP-2, CMP-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.customers.models import Customer
from kefu.tickets.choices import Kind, Priority
from kefu.tickets.choices import Status as TicketStatus
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user
from kefu.tickets.services import ticket_create

from ..choices import ComplainantType, Demand, Ground
from ..models import Complaint
from ..report import MAX_LOSS, as_decimal
from .common import ADD, acting_employee, require_perm

SNAPSHOT_FIELDS = [
    "ticket",
    "complainant_type",
    "complainant_name",
    "ground",
    "demands",
    "amount_involved",
    "status",
]


def validate_card(
    *,
    complainant_type: str,
    complainant_name: str,
    ground: str,
    demands: Iterable[str],
    amount_involved: Any,
) -> dict[str, Any]:
    """Check the 记录卡's own fields; one DomainError listing every bad field."""
    errors: dict[str, str] = {}
    name = (complainant_name or "").strip()
    if not name:
        errors["complainant_name"] = "请填写投诉客户名称"
    elif len(name) > 100:
        errors["complainant_name"] = "投诉客户名称最多100个字"
    if complainant_type not in ComplainantType.values:
        errors["complainant_type"] = "请选择投诉客户类型（终端消费者、代理商、加盟商）"
    if ground not in Ground.values:
        errors["ground"] = "请选择投诉范围"
    wanted = list(dict.fromkeys(d for d in demands or () if d))
    if not wanted:
        errors["demands"] = "请选择客户要求（可多选）"
    elif any(d not in Demand.values for d in wanted):
        errors["demands"] = "客户要求不在可选范围内"
    amount = as_decimal(amount_involved if amount_involved not in (None, "") else "0")
    if amount is None or amount < 0 or amount > MAX_LOSS:
        errors["amount_involved"] = "涉及金额须是0到9999999999.99之间的数字"
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount_involved"] = "涉及金额最多两位小数"
    if errors:
        raise DomainError("complaint_invalid", "投诉记录卡有误，请检查标红的字段", fields=errors)
    return {
        "complainant_type": complainant_type,
        "complainant_name": name,
        "ground": ground,
        "demands": [d for d in Demand.values if d in wanted],  # in the regulation's order
        "amount_involved": amount,
    }


@transaction.atomic
def complaint_open(
    *,
    actor: Any,
    ground: str,
    demands: Iterable[str],
    complainant_type: str = "",
    complainant_name: str = "",
    amount_involved: Any = Decimal("0"),
    ticket: Ticket | None = None,
    channel: str = "",
    customer: Customer | None = None,
    title: str = "",
    description: str = "",
    priority: str = Priority.NORMAL,
    contact_name: str = "",
    contact_phone: str = "",
    order_no: str = "",
    purchase_date: dt.date | None = None,
    tracking_no: str = "",
    received_at: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint — 登记客户投诉记录卡: the card, on a new or an existing 投诉 ticket.

    With ``ticket`` the card is attached to that complaint ticket (it must be of kind 投诉, open,
    visible to the actor, and have no card yet); otherwise the ticket is created through
    ``ticket_create`` (kind 投诉, the actor as 首问负责人) from ``channel``, ``customer``,
    ``title`` … . The complainant's name and type default to the customer's. The complaint starts
    at 待受理. One audit event for the card (the ticket has its own).
    """
    require_perm(actor, ADD)
    acting_employee(actor)
    if ticket is not None:
        ticket = _attachable(actor, ticket)
        customer = ticket.customer
    elif customer is None:
        raise DomainError("complaint_invalid", "请选择客户", fields={"customer": "请选择客户"})
    if not complainant_type and customer.customer_type in ComplainantType.values:
        complainant_type = customer.customer_type
    card = validate_card(
        complainant_type=complainant_type,
        complainant_name=complainant_name or customer.name,
        ground=ground,
        demands=demands,
        amount_involved=amount_involved,
    )
    if ticket is None:
        ticket = ticket_create(
            actor=actor,
            channel=channel,
            kind=Kind.COMPLAINT,
            customer=customer,
            title=title,
            description=description,
            demand="、".join(Demand(d).label for d in card["demands"]),
            priority=priority,
            contact_name=contact_name,
            contact_phone=contact_phone,
            order_no=order_no,
            purchase_date=purchase_date,
            tracking_no=tracking_no,
            received_at=received_at,
        )
    complaint = Complaint.objects.create(ticket=ticket, created_by=actor, **card)
    audit.record(
        actor=actor,
        action="complaint.open",
        obj=complaint,
        after=audit.snapshot(complaint, SNAPSHOT_FIELDS),
    )
    return complaint


def _attachable(actor: Any, ticket: Ticket) -> Ticket:
    found = tickets_for_user(actor).filter(pk=ticket.pk).select_for_update(of=("self",)).first()
    if found is None:
        raise DomainError("complaint_ticket_invalid", "工单不存在或无权查看", status=404)
    if found.kind != Kind.COMPLAINT:
        message = "只有投诉类工单可以登记客户投诉记录卡"
        raise DomainError("complaint_ticket_invalid", message, fields={"ticket": message})
    if found.status == TicketStatus.CLOSED:
        message = "已关闭的工单不能登记投诉，请先重新打开"
        raise DomainError(
            "complaint_ticket_invalid", message, fields={"ticket": message}, status=409
        )
    if Complaint.objects.filter(ticket=found).exists():
        raise ConflictError(
            "complaint_exists", "该工单已登记客户投诉记录卡", fields={"ticket": "已登记"}
        )
    return found
