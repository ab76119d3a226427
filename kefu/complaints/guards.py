"""The complaint procedure's hold on its ticket — 投诉工单的结案约束 (CMP-3..6).

A complaint's ticket is resolved and closed by ``complaint_reply`` at the end of the procedure
(the customer is answered with the procedure's outcome). Resolving or closing it from the ticket
page or the ticket API before that would end the complaint without its acceptance decision,
investigation and approvals, so the guard refuses it. ``complaint_reply`` marks the ticket it is
closing (``procedure_closing``) for the duration of its own call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kefu.core.errors import DomainError
from kefu.tickets.choices import Kind
from kefu.tickets.models import Ticket
from kefu.tickets.statemachine import Action

from .choices import ProcedureStatus

_CLOSING: ContextVar[frozenset[int]] = ContextVar(
    "complaint_procedure_closing", default=frozenset()
)
_HELD_ACTIONS = frozenset({Action.RESOLVE.value, Action.CLOSE.value})


@contextmanager
def procedure_closing(ticket_id: int) -> Iterator[None]:
    """Within this block, the procedure itself resolves and closes ticket ``ticket_id``."""
    token = _CLOSING.set(_CLOSING.get() | {ticket_id})
    try:
        yield
    finally:
        _CLOSING.reset(token)


def complaint_ticket_guard(ticket: Ticket, action: str) -> DomainError | None:
    """Refuse 解决/结案 of a 投诉 ticket unless the complaint procedure is closing it."""
    if ticket.kind != Kind.COMPLAINT or str(action) not in _HELD_ACTIONS:
        return None
    if ticket.pk in _CLOSING.get():
        return None
    from .models import Complaint

    status = Complaint.objects.filter(ticket_id=ticket.pk).values_list("status", flat=True).first()
    if status == ProcedureStatus.CLOSED:
        return None
    if status is None:
        message = "投诉工单须先登记客户投诉记录卡，按投诉处理程序答复客户后结案"
    else:
        message = "投诉须按投诉处理程序（受理、调查、审批）在“答复客户”环节结案"
    return DomainError("ticket_complaint_procedure", message, status=409)


def complaint_links(ticket: Ticket, user: object) -> list[tuple[str, str]]:
    """On a 投诉 ticket's page: its 记录卡, or 转为投诉 when it has none and the user may open one."""
    if ticket.kind != Kind.COMPLAINT:
        return []
    from django.urls import reverse

    from .models import Complaint

    complaint_id = (
        Complaint.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True).first()
    )
    if complaint_id is not None:
        return [("客户投诉记录卡", reverse("complaints:complaint_detail", args=[complaint_id]))]
    if getattr(user, "has_perm", None) and user.has_perm("complaints.add_complaint"):  # type: ignore[attr-defined]
        return [("转为投诉", f"{reverse('complaints:complaint_create')}?ticket={ticket.pk}")]
    return []
