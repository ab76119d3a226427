"""A complaint's ticket closes only through the procedure — 投诉工单的结案约束 (CMP-3..6)."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent
from kefu.tickets.choices import Kind
from kefu.tickets.choices import Status as TicketStatus
from kefu.tickets.services import actions_for, ticket_act
from kefu.tickets.statemachine import Action
from kefu.tickets.tests.factories import make_ticket

from .. import services
from ..choices import ProcedureStatus
from .factories import open_complaint

pytestmark = pytest.mark.django_db


def test_ticket_side_cannot_resolve_or_close_an_open_complaint(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    complaint = open_complaint(agent)
    ticket = complaint.ticket
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="accept")
    events = AuditEvent.objects.count()
    for who in (agent, org["supervisor"], org["gm"]):
        assert Action.RESOLVE not in actions_for(who.user, ticket)
        with pytest.raises(DomainError) as caught:
            ticket_act(actor=who.user, ticket=ticket, action="resolve", note="已处理")
        assert caught.value.code == "ticket_complaint_procedure"
        assert "答复客户" in caught.value.message
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and AuditEvent.objects.count() == events
    # Replies and notes are not held: the customer is kept told of progress (TKT-6).
    ticket_act(actor=agent.user, ticket=ticket, action="reply", note="正在调查，请稍候")


def test_a_complaint_ticket_without_its_card_cannot_close(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent, kind=Kind.COMPLAINT, title="投诉配送延误")
    with pytest.raises(DomainError) as caught:
        ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    assert "记录卡" in caught.value.message


def test_the_procedures_reply_closes_the_ticket(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    complaint = open_complaint(agent)
    complaint = services.complaint_decide_acceptance(
        actor=org["supervisor"].user, complaint=complaint, accept=False, reason="属人为损坏"
    )
    complaint = services.complaint_reply(
        actor=agent.user, complaint=complaint, via="phone", text="经核实不属于受理范围，敬请谅解"
    )
    assert complaint.status == ProcedureStatus.CLOSED
    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status == TicketStatus.CLOSED
    # Once the procedure is closed, the ticket side is free again (e.g. a reopen and re-close).
    ticket = ticket_act(
        actor=agent.user, ticket=complaint.ticket, action="reopen", reason="客户再次来电"
    )
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="再次解释")
    assert ticket.status == TicketStatus.RESOLVED


def test_the_ticket_page_links_to_the_card_or_offers_to_open_one(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    client = client_for(agent.user)
    bare = make_ticket(agent, kind=Kind.COMPLAINT, title="投诉配送延误")
    page = client.get(f"/tickets/{bare.pk}/").content.decode()
    assert f"/complaints/new/?ticket={bare.pk}" in page and "转为投诉" in page
    complaint = open_complaint(agent)
    page = client.get(f"/tickets/{complaint.ticket_id}/").content.decode()
    assert f"/complaints/{complaint.pk}/" in page and "客户投诉记录卡" in page
    plain = make_ticket(agent)
    assert 'data-testid="ticket-link"' not in client.get(f"/tickets/{plain.pk}/").content.decode()
