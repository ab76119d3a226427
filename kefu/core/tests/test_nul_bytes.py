"""NUL characters in input are refused with a 400, never a 500 (PostgreSQL cannot hold them)."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.models import AuditEvent
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_query_parameters_with_nul_are_refused(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["supervisor"].user)
    response = client.get("/tickets/", {"q": "保修\x00"})
    assert response.status_code == 400
    assert "非法字符" in response.content.decode()
    api = client.get("/api/v1/tickets", {"q": "\x00"})
    assert api.status_code == 400 and api.json()["code"] == "bad_request"


def test_json_and_form_bodies_with_nul_are_refused(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    events = AuditEvent.objects.count()
    body = {"channel": "hotline", "kind": "inquiry", "customer_id": 1, "title": "问\u0000价"}
    response = client.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 400
    form = client.post("/workbench/quick/", {"phone": "13800001111", "title": "\x00"})
    assert form.status_code == 400
    assert Ticket.objects.count() == 0 and AuditEvent.objects.count() == events


def test_ordinary_input_passes(org: dict[str, Any], client_for: Any) -> None:
    from kefu.tickets.tests.factories import make_ticket

    ticket = make_ticket(org["agent_a1"], title="咨询保修期")
    client = client_for(org["supervisor"].user)
    response = client.get("/tickets/", {"q": "保修"})
    assert response.status_code == 200 and ticket.number in response.content.decode()
