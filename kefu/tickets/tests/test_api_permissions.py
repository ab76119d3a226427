"""Ticket API permission matrix — 工单接口权限: every endpoint against the roles that must be refused.

- 仓库 (warehouse) has no tickets at all: 403 everywhere, lists included.
- An agent of another team: a ticket outside their scope is 404 — never revealed to exist.
- 行政人事部 (hr) reads every ticket but may not create or act: 403 on every write.
- No session and no token: 401.

Each refusal must leave everything as it was: the ticket rows, their messages and attachments,
customers, and the audit trail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.core.models import AuditEvent
from kefu.customers.models import Customer
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.models import Ticket, TicketAttachment, TicketMessage
from kefu.tickets.services import ticket_act, ticket_attach
from kefu.tickets.tests.api_helpers import BASE, PNG, REPORT
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

# (method, path under /tickets/{id} — "" for the ticket itself —, body). {att} = an attachment id.
TICKET_READS = [("get", ""), ("get", "/attachments/{att}")]
TICKET_WRITES: list[tuple[str, str, Any]] = [
    ("patch", "", {"title": "改标题"}),
    ("post", "/accept", None),
    ("post", "/reply", {"note": "您好", "via": "phone"}),
    ("post", "/wait-customer", {"note": "请提供照片"}),
    ("post", "/customer-replied", {"note": "已提供"}),
    ("post", "/transfer", {"target_id": 0, "reason": "属于售后"}),
    ("post", "/accept-transfer", None),
    ("post", "/reject-transfer", {"reason": "不属于我"}),
    ("post", "/reassign", {"target_id": 0, "reason": "改派"}),
    ("post", "/resolve", {"note": "已处理"}),
    ("post", "/close", None),
    ("post", "/reopen", {"reason": "问题复现"}),
    ("post", "/follow-up", {"note": "满意", "satisfied": True}),
    ("post", "/major-fault", {"note": "整批故障"}),
    ("post", "/fault-report", REPORT),
    ("post", "/notes", {"body": "备注"}),
    ("post", "/service-mode", {"mode": "remote", "reason": "电话指导无法排除"}),
    ("post", "/attachments", "FILE"),
]
CREATES: list[tuple[str, Any]] = [
    ("", "NEW"),
    ("/quick", {"phone": "13700001111", "kind": "inquiry", "title": "问价格"}),
]


def snapshot() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "tags": list(Ticket.tags.through.objects.order_by("pk").values_list("ticket_id", "tag_id")),
        "messages": TicketMessage.objects.count(),
        "attachments": TicketAttachment.objects.count(),
        "customers": Customer.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def world(org: dict[str, Any]) -> dict[str, Any]:
    """agent_a1's ticket, in progress, with an attachment; a customer to create tickets for."""
    agent = org["agent_a1"]
    ticket = make_ticket(agent, contact_phone="13912345678")
    ticket_act(actor=agent.user, ticket=ticket, action="accept")
    attachment = ticket_attach(actor=agent.user, ticket=ticket, name="a.png", content=PNG)
    customer = CustomerFactory()
    return {"ticket": ticket, "attachment": attachment, "customer": customer, "org": org}


def _body(world: dict[str, Any], body: Any) -> Any:
    if body == "NEW":
        return {
            "channel": "hotline",
            "kind": "inquiry",
            "customer_id": world["customer"].pk,
            "title": "咨询",
        }
    if isinstance(body, dict) and body.get("target_id") == 0:
        return {**body, "target_id": world["org"]["agent_a2"].pk}
    return body


def call(client: Client, method: str, path: str, body: Any) -> Any:
    if body == "FILE":
        return client.post(path, {"file": SimpleUploadedFile("a.png", PNG)})
    if method == "get":
        return client.get(path)
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(path, data, content_type="application/json")


def ticket_calls(world: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    ticket, att = world["ticket"], world["attachment"]
    calls = []
    for method, suffix, *rest in TICKET_READS + TICKET_WRITES:
        body = _body(world, rest[0]) if rest else None
        path = f"{BASE}/{ticket.pk}{suffix.format(att=att.pk)}"
        calls.append(("write" if rest else "read", method, path, body))
    return calls


def create_calls(world: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    return [("write", "post", f"{BASE}{suffix}", _body(world, body)) for suffix, body in CREATES]


def assert_refused(response: Any, status: int, label: str) -> None:
    assert response.status_code == status, (label, response.status_code, response.content)
    data = response.json()
    assert set(data) == {"code", "message", "fields"} and data["message"], label


def test_matrix_covers_every_ticket_endpoint() -> None:
    from config.api import api

    schema = api.get_openapi_schema()
    ours = {
        (method, path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/tickets")
        for method in item
    }
    covered = {("get", "/tickets"), ("get", "/tickets/{ticket_id}")}
    covered |= {
        (method, "/tickets/{ticket_id}" + suffix.replace("{att}", "{attachment_id}"))
        for method, suffix, *_ in TICKET_READS + TICKET_WRITES
    }
    covered |= {("post", f"/tickets{suffix}") for suffix, _ in CREATES}
    assert ours == covered


def test_warehouse_has_no_tickets_at_all(world: dict[str, Any], client_for: Any) -> None:
    client = client_for(world["org"]["warehouse"].user)
    before = snapshot()
    assert_refused(client.get(BASE), 403, "list")
    for _kind, method, path, body in ticket_calls(world) + create_calls(world):
        response = call(client, method, path, body)
        assert_refused(response, 403, f"{method} {path}")
        assert response.json()["code"] == "forbidden"
    assert snapshot() == before


def test_agent_of_another_team_never_sees_the_ticket(
    world: dict[str, Any], client_for: Any
) -> None:
    for who in ("agent_b1", "lead_b"):
        client = client_for(world["org"][who].user)
        before = snapshot()
        assert client.get(BASE).json()["count"] == 0
        for _kind, method, path, body in ticket_calls(world):
            response = call(client, method, path, body)
            assert_refused(response, 404, f"{who} {method} {path}")
            assert response.json()["code"] == "not_found"
        assert snapshot() == before


def test_hr_reads_but_may_not_write(world: dict[str, Any], client_for: Any) -> None:
    client = client_for(world["org"]["hr"].user)
    assert client.get(BASE).json()["count"] == 1
    before = snapshot()
    for kind, method, path, body in ticket_calls(world) + create_calls(world):
        response = call(client, method, path, body)
        if kind == "read":
            assert response.status_code == 200, (method, path, response.content)
        else:
            assert_refused(response, 403, f"{method} {path}")
    # 行政人事部 holds the reveal right (SEC-1): it reads the whole number.
    detail = client.get(f"{BASE}/{world['ticket'].pk}").json()
    assert detail["contact_phone"] == "13912345678" and detail["actions"] == []
    assert snapshot() == before


def test_anonymous_is_401_everywhere(world: dict[str, Any]) -> None:
    client = Client()
    before = snapshot()
    assert_refused(client.get(BASE), 401, "list")
    for _kind, method, path, body in ticket_calls(world) + create_calls(world):
        response = call(client, method, path, body)
        assert_refused(response, 401, f"{method} {path}")
        assert response.json()["code"] == "unauthenticated"
    # With an Idempotency-Key too: nothing is reserved for a caller nobody knows.
    response = client.post(
        f"{BASE}/quick",
        json.dumps({"phone": "13700001111", "kind": "inquiry", "title": "问"}),
        content_type="application/json",
        headers={"Idempotency-Key": "anon-1"},
    )
    assert_refused(response, 401, "quick with key")
    assert snapshot() == before


def test_a_colleague_in_the_same_team_without_the_ticket_is_404(
    world: dict[str, Any], client_for: Any
) -> None:
    # Agents see their own requests only (ORG-5): a teammate is as far away as another team.
    client = client_for(world["org"]["agent_a2"].user)
    before = snapshot()
    for _kind, method, path, body in ticket_calls(world):
        assert_refused(call(client, method, path, body), 404, f"{method} {path}")
    assert snapshot() == before
