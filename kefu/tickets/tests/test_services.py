"""Ticket services — 工单服务: create, act, notes, attachments, SLA scan (TKT-1..7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, Notification
from kefu.customers.models import Customer
from kefu.org.models import Team
from kefu.tickets.choices import Kind, Status, Subkind
from kefu.tickets.models import Ticket, TicketMessage, TicketPause
from kefu.tickets.services import (
    ticket_act,
    ticket_add_note,
    ticket_attach,
    ticket_quick_create,
    ticket_update_details,
    tickets_sla_scan,
)
from kefu.tickets.services.clock import recipients_for
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


def _events(ticket: Ticket) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_create_numbers_owner_and_deadlines(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    first = make_ticket(agent)
    second = make_ticket(agent)
    today = timezone.localdate()
    assert first.number == f"KF{today:%Y%m%d}-0001"
    assert second.number == f"KF{today:%Y%m%d}-0002"
    assert first.owner_id == first.first_responsible_id == agent.pk
    assert first.team_id == agent.team_id and first.department_id == agent.department_id
    assert first.status == Status.NEW
    assert first.first_response_due is not None and first.resolution_due is not None
    assert first.first_response_due <= first.resolution_due
    assert first.next_sla_check_at is not None
    assert _events(first) == ["ticket.create"]


def test_create_validates_every_field_at_once(org: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as caught:
        make_ticket(
            org["agent_a1"],
            title=" ",
            kind=Kind.AFTER_SALES,
            subkind="",
            contact_phone="12",
            purchase_date=timezone.localdate() + dt.timedelta(days=3),
        )
    assert set(caught.value.fields) == {"title", "subkind", "contact_phone", "purchase_date"}
    assert Ticket.objects.count() == 0


def test_warehouse_cannot_create(org: dict[str, Any]) -> None:
    with pytest.raises(PermissionDeniedError):
        make_ticket(org["warehouse"])
    assert Ticket.objects.count() == 0


def test_quick_entry_finds_or_creates_the_customer(org: dict[str, Any]) -> None:
    agent = org["agent_a1"].user
    first = ticket_quick_create(actor=agent, phone="13912345678", kind=Kind.INQUIRY, title="问价格")
    again = ticket_quick_create(
        actor=agent,
        phone="139-1234-5678",
        kind=Kind.ORDER_ISSUE,
        subkind=Subkind.CHASE,
        title="催件",
    )
    assert first.customer_id == again.customer_id
    assert Customer.objects.count() == 1
    assert first.contact_phone == "13912345678"


def test_main_path_with_pause_and_first_contact(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="accept")
    assert ticket.status == Status.IN_PROGRESS
    ticket = ticket_act(
        actor=agent.user, ticket=ticket, action="wait_customer", note="请提供照片", via="phone"
    )
    assert ticket.status == Status.WAITING_CUSTOMER
    assert ticket.paused_since is not None and ticket.next_sla_check_at is None
    assert TicketPause.objects.filter(ticket=ticket, end__isnull=True).count() == 1
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="customer_replied", note="已发照片")
    assert ticket.paused_since is None and ticket.next_sla_check_at is not None
    assert TicketPause.objects.filter(ticket=ticket, end__isnull=True).count() == 0
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已补发配件")
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert ticket.status == Status.CLOSED
    assert ticket.first_contact_resolution is True
    assert ticket.first_responded_at is not None and ticket.closed_at is not None
    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == ["reply", "customer", "reply"]
    assert _events(ticket) == [
        "ticket.create",
        "ticket.accept",
        "ticket.wait_customer",
        "ticket.customer_replied",
        "ticket.resolve",
        "ticket.close",
    ]


def test_transfer_keeps_history_and_moves_scope(org: dict[str, Any]) -> None:
    agent, other = org["agent_a1"], org["agent_b1"]
    ticket = make_ticket(agent)
    with pytest.raises(DomainError) as caught:
        ticket_act(actor=agent.user, ticket=ticket, action="transfer", target=other)
    assert caught.value.code == "ticket_reason_required"
    ticket = ticket_act(
        actor=agent.user, ticket=ticket, action="transfer", target=other, reason="属于售后问题"
    )
    assert ticket.status == Status.TRANSFERRED and ticket.pending_owner_id == other.pk
    ticket = ticket_act(actor=other.user, ticket=ticket, action="accept_transfer")
    assert ticket.owner_id == other.pk and ticket.first_responsible_id == agent.pk
    assert ticket.team_id == other.team_id
    assert ticket.first_contact_eligible is False
    event = AuditEvent.objects.get(action="ticket.transfer", object_id=str(ticket.pk))
    assert event.reason == "属于售后问题" and event.after["target"] == other.name


def test_illegal_and_forbidden_actions_change_nothing(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert caught.value.code == "ticket_illegal_transition"
    assert "新建的工单不能结案" in caught.value.message
    with pytest.raises(PermissionDeniedError):
        ticket_act(actor=org["agent_a2"].user, ticket=ticket, action="accept")
    with pytest.raises(PermissionDeniedError):
        ticket_act(actor=org["hr"].user, ticket=ticket, action="accept")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and AuditEvent.objects.count() == count


def test_major_fault_notifies_and_blocks_close_until_report(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket = ticket_act(
        actor=agent.user, ticket=ticket, action="flag_major_fault", note="批量产品漏电"
    )
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {org["gm"].user_id, org["manager"].user_id, org["supervisor"].user_id} <= recipients
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已召回")
    with pytest.raises(DomainError) as caught:
        ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert caught.value.code == "ticket_fault_report_required"
    report = {
        "occurred_at": "11月20日",
        "place": "上海仓",
        "symptoms": "漏电",
        "handling_plan": "召回",
        "impact": "3位客户",
        "handling": "已更换",
        "cause": "绝缘层破损",
        "corrective_actions": "增加出厂检测",
    }
    with pytest.raises(DomainError) as caught:
        ticket_act(
            actor=agent.user,
            ticket=ticket,
            action="submit_fault_report",
            fault_report={**report, "cause": ""},
        )
    assert set(caught.value.fields) == {"cause"}
    ticket = ticket_act(
        actor=agent.user, ticket=ticket, action="submit_fault_report", fault_report=report
    )
    ticket = ticket_act(actor=agent.user, ticket=ticket, action="close")
    assert ticket.status == Status.CLOSED and ticket.fault_report.cause == "绝缘层破损"


def test_notes_are_internal_and_need_scope(org: dict[str, Any]) -> None:
    ticket = make_ticket(org["agent_a1"])
    note = ticket_add_note(actor=org["lead_a"].user, ticket=ticket, body="这位客户上月投诉过")
    assert note.kind == TicketMessage.Kind.NOTE
    with pytest.raises(DomainError):
        ticket_add_note(actor=org["agent_b1"].user, ticket=ticket, body="看不见的工单")
    assert ticket.messages.count() == 1


def test_attachments_checked_by_content_and_size(org: dict[str, Any], settings: Any) -> None:
    agent = org["agent_a1"].user
    ticket = make_ticket(org["agent_a1"])
    png = ticket_attach(actor=agent, ticket=ticket, name="破损.png", content=PNG)
    pdf = ticket_attach(actor=agent, ticket=ticket, name="C:\\发票.pdf", content=PDF)
    assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert pdf.name == "发票.pdf"
    with pytest.raises(DomainError) as caught:
        ticket_attach(actor=agent, ticket=ticket, name="photo.png", content=b"MZ\x90\x00evil")
    assert caught.value.code == "attachment_type"
    with pytest.raises(DomainError) as caught:
        ticket_attach(actor=agent, ticket=ticket, name="big.pdf", content=PDF + b"0" * 11_000_000)
    assert caught.value.code == "attachment_too_large"
    assert ticket.attachments.count() == 2


def test_update_details_audits_only_changes(org: dict[str, Any]) -> None:
    agent = org["agent_a1"].user
    ticket = make_ticket(org["agent_a1"])
    ticket = ticket_update_details(
        actor=agent, ticket=ticket, order_no="TB123", tags=["小红旗", "小红旗"]
    )
    assert ticket.order_no == "TB123"
    assert list(ticket.tags.values_list("name", flat=True)) == ["小红旗"]
    event = AuditEvent.objects.filter(action="ticket.update").get()
    assert event.after == {"order_no": "TB123", "tags": ["小红旗"]}
    with pytest.raises(DomainError):
        ticket_update_details(actor=agent, ticket=ticket, kind="complaint")


def test_sla_scan_notifies_once_per_step(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    Team.objects.filter(pk=agent.team_id).update(leader=org["lead_a"])
    ticket = make_ticket(agent, channel="online_chat", priority="urgent")
    later = ticket.resolution_due + dt.timedelta(hours=3)
    result = tickets_sla_scan(now=later)
    assert result.first_response_breaches == 1
    assert result.steps >= 2  # the warning, the owner rung, the team-lead rung
    ticket.refresh_from_db()
    assert ticket.first_response_breached and ticket.resolution_breached
    titles = list(Notification.objects.values_list("title", flat=True))
    assert any("已超时" in t for t in titles)
    lead_got = Notification.objects.filter(recipient=org["lead_a"].user).exists()
    assert lead_got
    count = Notification.objects.count()
    assert tickets_sla_scan(now=later).steps == 0
    assert Notification.objects.count() == count
    assert "ticket.sla_escalate" in _events(ticket)


def test_escalation_to_a_vacant_post_goes_one_rank_up(org: dict[str, Any]) -> None:
    ticket = make_ticket(org["agent_a1"], channel="online_chat", priority="urgent")
    Team.objects.filter(pk=ticket.team_id).update(leader=None)
    ticket = Ticket.objects.select_related("team", "department").get(pk=ticket.pk)
    assert recipients_for(ticket, "team_lead") == [org["supervisor"]]
