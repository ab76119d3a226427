"""小红旗 — special demands flagged (TKT-9): set at receipt or later, with what the customer asks
for; shown in the list, the console and the detail; a list filter 仅小红旗."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_update_details
from kefu.tickets.tests.api_helpers import BASE, assert_error, patch, post
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

NOTE = "发货前电话确认，外包装不要印店名"


def _frozen() -> tuple[list[dict[str, Any]], int]:
    return list(Ticket.objects.order_by("pk").values()), AuditEvent.objects.count()


def _updates(ticket: Ticket) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="tickets.ticket", object_id=str(ticket.pk), action="ticket.update"
        ).order_by("seq")
    )


# --- service ------------------------------------------------------------------------------------
def test_flag_at_receipt_is_stored_and_in_the_creation_event(org: dict[str, Any]) -> None:
    ticket = make_ticket(org["agent_a1"], red_flag=True, red_flag_note=f"  {NOTE} ")
    ticket.refresh_from_db()
    assert ticket.red_flag is True and ticket.red_flag_note == NOTE
    event = AuditEvent.objects.get(object_id=str(ticket.pk), action="ticket.create")
    assert event.after["red_flag"] is True and event.after["red_flag_note"] == NOTE
    plain = make_ticket(org["agent_a1"])
    assert plain.red_flag is False and plain.red_flag_note == ""


@pytest.mark.parametrize(
    ("flag", "note", "message"),
    [
        (True, "", "插小红旗时请写明客户的特殊要求"),
        (True, "  ", "插小红旗时请写明客户的特殊要求"),
        (False, NOTE, "未插小红旗时不能填写特殊要求（请勾选小红旗，或清空特殊要求）"),
        (True, "字" * 201, "特殊要求最多200个字"),
    ],
)
def test_flag_and_note_go_together(
    org: dict[str, Any], flag: bool, note: str, message: str
) -> None:
    before = _frozen()
    with pytest.raises(DomainError) as caught:
        make_ticket(org["agent_a1"], red_flag=flag, red_flag_note=note)
    assert caught.value.fields == {"red_flag_note": message}
    assert _frozen() == before


def test_raise_and_lower_the_flag_one_event_each(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_update_details(actor=agent.user, ticket=ticket, red_flag=True, red_flag_note=NOTE)
    ticket.refresh_from_db()
    assert ticket.red_flag and ticket.red_flag_note == NOTE
    [raised] = _updates(ticket)
    assert raised.before == {"red_flag": False, "red_flag_note": ""}
    assert raised.after == {"red_flag": True, "red_flag_note": NOTE}

    # Saving the same values again records nothing.
    ticket_update_details(actor=agent.user, ticket=ticket, red_flag=True, red_flag_note=NOTE)
    assert len(_updates(ticket)) == 1

    # Lowering the flag alone takes the note with it; the event keeps what it said.
    ticket_update_details(actor=agent.user, ticket=ticket, red_flag=False)
    ticket.refresh_from_db()
    assert not ticket.red_flag and ticket.red_flag_note == ""
    lowered = _updates(ticket)[-1]
    assert lowered.before == {"red_flag": True, "red_flag_note": NOTE}
    assert len(_updates(ticket)) == 2


def test_refused_update_changes_nothing(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    before = _frozen()
    with pytest.raises(DomainError):
        ticket_update_details(actor=agent.user, ticket=ticket, red_flag=True)
    with pytest.raises(DomainError):
        ticket_update_details(actor=agent.user, ticket=ticket, red_flag_note=NOTE)
    with pytest.raises(DomainError):  # someone else's request
        ticket_update_details(
            actor=org["agent_b1"].user, ticket=ticket, red_flag=True, red_flag_note=NOTE
        )
    assert _frozen() == before


# --- API ----------------------------------------------------------------------------------------
def test_api_creates_flagged_and_filters_only_flagged(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    client = client_for(agent.user)
    customer = CustomerFactory()
    body = {"channel": "online_chat", "kind": "inquiry", "customer_id": customer.pk, "title": "问"}
    flagged = post(client, BASE, {**body, "red_flag": True, "red_flag_note": NOTE})
    assert flagged.status_code == 201, flagged.content
    data = flagged.json()
    assert data["red_flag"] is True and data["red_flag_note"] == NOTE
    plain = post(client, BASE, body).json()
    assert plain["red_flag"] is False

    before = _frozen()
    missing = post(client, BASE, {**body, "red_flag": True})
    assert assert_error(missing, 422, "ticket_invalid")["fields"] == {
        "red_flag_note": "插小红旗时请写明客户的特殊要求"
    }
    assert _frozen() == before

    rows = client.get(f"{BASE}?red_flag=true").json()["items"]
    assert [r["id"] for r in rows] == [data["id"]] and rows[0]["red_flag"] is True
    assert client.get(BASE).json()["count"] == 2

    lowered = patch(client, f"{BASE}/{plain['id']}", {"red_flag": True, "red_flag_note": "加急"})
    assert lowered.status_code == 200 and lowered.json()["red_flag_note"] == "加急"
    cleared = patch(client, f"{BASE}/{data['id']}", {"red_flag": False})
    assert cleared.json()["red_flag"] is False and cleared.json()["red_flag_note"] == ""
    unchanged = patch(client, f"{BASE}/{plain['id']}", {"red_flag": None, "title": "问价"})
    assert unchanged.status_code == 200 and unchanged.json()["red_flag"] is True


# --- pages --------------------------------------------------------------------------------------
def _html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:800]
    return response.content.decode()


def test_new_ticket_form_raises_the_flag_and_the_pages_show_it(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    client = client_for(agent.user)
    customer = CustomerFactory()
    form = _html(client.get("/tickets/new/"))
    assert 'name="red_flag"' in form and 'name="red_flag_note"' in form
    data = {
        "channel": "hotline",
        "kind": "inquiry",
        "customer": customer.code,
        "title": "订做礼盒",
        "priority": "normal",
        "red_flag": "on",
        "red_flag_note": NOTE,
    }
    response = client.post("/tickets/new/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    ticket = Ticket.objects.get()
    assert ticket.red_flag and ticket.red_flag_note == NOTE
    make_ticket(agent, title="普通咨询")

    detail = _html(client.get(f"/tickets/{ticket.pk}/"))
    assert 'data-testid="red-flag"' in detail and NOTE in detail
    listing = _html(client.get("/tickets/"))
    assert listing.count('data-testid="red-flag"') == 1
    only = _html(client.get("/tickets/?red_flag=1"))
    assert "订做礼盒" in only and "普通咨询" not in only
    assert 'name="red_flag" value="1" checked' in only
    console = _html(client.get("/workbench/"))
    mine = console[console.index('id="my-tickets"') : console.index('id="team-queue"')]
    row = mine[mine.index(f'data-number="{ticket.number}"') :]
    assert 'data-testid="red-flag"' in row[: row.index("</tr>")]


def test_new_ticket_form_flag_without_note_keeps_the_input(
    org: dict[str, Any], client_for: Any
) -> None:
    client = client_for(org["agent_a1"].user)
    customer = CustomerFactory()
    before = _frozen()
    body = _html(
        client.post(
            "/tickets/new/",
            {
                "channel": "hotline",
                "kind": "inquiry",
                "customer": customer.code,
                "title": "订做礼盒",
                "priority": "normal",
                "red_flag": "on",
            },
        )
    )
    block = body[body.index('data-field="red_flag_note"') :]
    block = block[: block.index("form-actions")]  # the last field: up to the buttons
    assert "插小红旗时请写明客户的特殊要求" in block
    assert 'value="订做礼盒"' in body and 'id="id_red_flag" checked' in body
    assert _frozen() == before


def test_edit_form_lowers_the_flag(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent, red_flag=True, red_flag_note=NOTE)
    client = client_for(agent.user)
    form = _html(client.get(f"/tickets/{ticket.pk}/edit/"))
    assert "checked" in form[form.index('name="red_flag"') - 80 :][:200]
    assert f'value="{NOTE}"' in form
    data = {"title": ticket.title, "priority": "normal", "red_flag_note": ""}
    assert client.post(f"/tickets/{ticket.pk}/edit/", data).status_code == 302
    ticket.refresh_from_db()
    assert not ticket.red_flag and ticket.red_flag_note == ""


def test_export_follows_the_red_flag_filter_and_shows_the_demand(
    org: dict[str, Any], client_for: Any
) -> None:
    import io

    import openpyxl

    make_ticket(org["agent_a1"], title="礼盒", red_flag=True, red_flag_note=NOTE)
    make_ticket(org["agent_a1"], title="普通")
    response = client_for(org["supervisor"].user).get("/tickets/export/?red_flag=1")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[2]]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [r["标题"] for r in rows] == ["礼盒"]
    assert rows[0]["小红旗（特殊要求）"] == NOTE and rows[0]["服务方式"] == "热线服务"
