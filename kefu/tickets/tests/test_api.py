"""Service-request API — 工单接口 at /api/v1/tickets (TKT-1..TKT-7, SEC-1), through the HTTP client.

Lists are scoped, filtered and paginated with a constant number of queries; every action has its
endpoint and answers the updated detail; the rule engine's refusals come back as
``{code, message, fields}``; contact phones are masked unless the caller may reveal them.
Actions and attachments are in test_api_actions.py, the refused roles of every endpoint in
test_api_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.core.tokens import api_token_create
from kefu.customers.models import Customer
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Channel, Kind, Priority, Subkind
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_act, ticket_add_note, ticket_attach
from kefu.tickets.tests.api_helpers import (
    BASE,
    PDF,
    PNG,
    assert_error,
    ok,
    patch,
    post,
    snapshot,
    url,
)
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


# --- list ---------------------------------------------------------------------------------------
def test_list_rows_filters_and_scope(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    zhang = CustomerFactory(name="张三", phones=["13812345678"])
    now = timezone.now()
    inquiry = make_ticket(agent, customer=zhang, title="保修期多久", order_no="SO-1001")
    after_sales = make_ticket(
        agent,
        kind=Kind.AFTER_SALES,
        subkind=Subkind.RETURN,
        channel=Channel.ONLINE_CHAT,
        priority=Priority.URGENT,
        title="收到的货损坏要退货",
        tracking_no="SF123456",
        contact_phone="13900009999",
    )
    old = make_ticket(agent, title="上月的咨询", received_at=now - dt.timedelta(days=30))
    ticket_act(actor=agent.user, ticket=inquiry, action="resolve", note="已答复保修一年")
    ticket_act(actor=agent.user, ticket=after_sales, action="flag_major_fault", note="整批损坏")
    other_team = make_ticket(org["agent_b1"], title="乙组的工单")
    client = client_for(agent.user)

    data = ok(client.get(BASE))
    assert set(data) == {"count", "page", "page_size", "items"}
    assert data["count"] == 3  # agent_b1's ticket is outside an agent's own scope
    row = next(r for r in data["items"] if r["id"] == after_sales.pk)
    assert set(row) == {
        "id",
        "number",
        "status",
        "status_label",
        "kind",
        "kind_label",
        "subkind",
        "channel",
        "channel_label",
        "priority",
        "priority_label",
        "title",
        "customer",
        "owner",
        "received_at",
        "resolution_due",
        "sla",
        "service_mode",
        "service_mode_label",
        "red_flag",
        "offline_message",
    }
    assert (row["status"], row["status_label"]) == ("new", "新建")
    assert (row["kind"], row["kind_label"], row["subkind"]) == ("after_sales", "售后", "return")
    assert (row["priority"], row["priority_label"]) == ("urgent", "紧急")
    assert row["owner"] == {"id": agent.pk, "name": agent.name}
    assert set(row["customer"]) == {"id", "code", "name"}
    assert row["sla"]["stage"] == "on_time" and row["sla"]["seconds"] > 0
    # Newest first.
    assert [r["id"] for r in data["items"]] == [after_sales.pk, inquiry.pk, old.pk]

    def ids(**params: Any) -> set[int]:
        return {r["id"] for r in ok(client.get(BASE, params))["items"]}

    assert ids(status="resolved") == {inquiry.pk}
    assert ids(open="true") == {after_sales.pk, old.pk}
    assert ids(kind="after_sales") == {after_sales.pk}
    assert ids(channel="online_chat") == {after_sales.pk}
    assert ids(priority="urgent") == {after_sales.pk}
    assert ids(owner_id=agent.pk) == {inquiry.pk, after_sales.pk, old.pk}
    assert ids(owner_id=org["agent_b1"].pk) == set()
    assert ids(team_id=agent.team_id) == {inquiry.pk, after_sales.pk, old.pk}
    assert ids(customer_id=zhang.pk) == {inquiry.pk}
    assert ids(phone="5678") == {inquiry.pk}  # the customer's number, by 尾号
    assert ids(phone="139-0000-9999") == {after_sales.pk}  # the contact phone, whole
    assert ids(order_no="SO-1001") == {inquiry.pk}
    assert ids(tracking_no="SF123456") == {after_sales.pk}
    assert ids(q=after_sales.number.lower()) == {after_sales.pk}
    assert ids(q="退货") == {after_sales.pk}
    assert ids(q="张三") == {inquiry.pk}
    assert ids(major_fault="true") == {after_sales.pk}
    assert ids(overdue="true") == {old.pk}
    assert ids(received_to=(now - dt.timedelta(days=1)).isoformat()) == {old.pk}
    # A time without a zone is Shanghai's; a bare date is its midnight.
    since = timezone.localtime(now - dt.timedelta(days=1)).replace(tzinfo=None)
    assert ids(received_from=since.isoformat()) == {inquiry.pk, after_sales.pk}
    assert ids(received_from=timezone.localdate().isoformat()) >= {inquiry.pk, after_sales.pk}
    # The lead of team B sees its own team's ticket only; the supervisor sees the department.
    assert {r["id"] for r in ok(client_for(org["lead_b"].user).get(BASE))["items"]} == {
        other_team.pk
    }
    assert ok(client_for(org["supervisor"].user).get(BASE))["count"] == 4


def test_list_pagination(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    customer = CustomerFactory()
    for n in range(23):
        make_ticket(agent, customer=customer, title=f"咨询{n}")
    client = client_for(agent.user)
    first = ok(client.get(BASE, {"page_size": 20}))
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (
        23,
        1,
        20,
        20,
    )
    second = ok(client.get(BASE, {"page": 2, "page_size": 20}))
    assert len(second["items"]) == 3
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    # Unsupported sizes fall back to 20; a page past the end is clamped to the last one.
    assert ok(client.get(BASE, {"page_size": 7}))["page_size"] == 20
    assert ok(client.get(BASE, {"page": 99}))["page"] == 2
    assert ok(client.get(BASE, {"page_size": 50}))["page_size"] == 50


def test_bad_filters_are_422_or_empty_never_500(org: dict[str, Any], client_for: Any) -> None:
    make_ticket(org["agent_a1"])
    client = client_for(org["agent_a1"].user)
    assert_error(client.get(BASE, {"owner_id": "9" * 25}), 422, "invalid")
    assert_error(client.get(BASE, {"received_from": "2026-13-45"}), 422, "invalid")
    assert_error(client.get(BASE, {"open": "maybe"}), 422, "invalid")
    assert ok(client.get(BASE, {"status": "<script>", "q": "' OR 1=1 --"}))["count"] == 0
    assert_error(client.get(f"{BASE}/{'9' * 25}"), 404, "not_found")


# --- query counts -------------------------------------------------------------------------------
def _count(client: Client, path: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = org["agent_a1"]
    client = client_for(org["supervisor"].user)
    # Warm-up: the first request stamps session activity, the second reads (and caches) the
    # security policy the idle check needs — alone, this test used to count that read once.
    client.get(BASE)
    client.get(BASE)
    for _ in range(5):
        make_ticket(agent, customer=CustomerFactory())
    small = _count(client, BASE, {"page_size": 100})
    for n in range(20):
        owner = org["agent_a2"] if n % 2 else agent
        make_ticket(owner, customer=CustomerFactory(), tags=["加急"])
    large = _count(client, BASE, {"page_size": 100})
    assert large == small
    with django_assert_max_num_queries(10):
        assert ok(client.get(BASE, {"page_size": 100, "q": "咨询"}))["count"] == 25


def test_detail_query_count_does_not_grow(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = org["agent_a1"]
    client = client_for(agent.user)

    def busy(n: int) -> Ticket:
        ticket = make_ticket(agent, tags=[f"标签{i}" for i in range(min(n, 8))])
        for i in range(n):
            ticket_act(actor=agent.user, ticket=ticket, action="reply", note=f"答复{i}")
            ticket_add_note(actor=agent.user, ticket=ticket, body=f"备注{i}")
            ticket_attach(actor=agent.user, ticket=ticket, name=f"照片{i}.png", content=PNG)
        return ticket

    small, large = busy(2), busy(10)
    client.get(url(small))  # warm-up
    assert _count(client, url(small)) == _count(client, url(large))
    with django_assert_max_num_queries(20):
        data = ok(client.get(url(large)))
    assert len(data["messages"]) == 20 and len(data["attachments"]) == 10


# --- detail -------------------------------------------------------------------------------------
def test_detail_has_messages_attachments_actions_and_masks_phone(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent, contact_phone="13912345678", tags=["小红旗"], order_no="SO-9")
    ticket_act(actor=agent.user, ticket=ticket, action="reply", note="您好，已收到", via="phone")
    ticket_add_note(actor=agent.user, ticket=ticket, body="客户语气急")
    attachment = ticket_attach(actor=agent.user, ticket=ticket, name="发票.pdf", content=PDF)
    data = ok(client_for(agent.user).get(url(ticket)))
    assert data["number"] == ticket.number and data["status"] == "in_progress"
    assert data["contact_phone"] == "139****5678"  # an agent may not reveal personal data
    assert data["tags"] == ["小红旗"] and data["order_no"] == "SO-9"
    assert [(m["kind"], m["via"], m["body"], m["author"]) for m in data["messages"]] == [
        ("reply", "phone", "您好，已收到", agent.name),
        ("note", "", "客户语气急", agent.name),
    ]
    assert data["attachments"] == [
        {
            "id": attachment.pk,
            "name": "发票.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "uploaded_by": agent.name,
            "created_at": data["attachments"][0]["created_at"],
            "url": f"{BASE}/{ticket.pk}/attachments/{attachment.pk}",
        }
    ]
    assert data["fault_report"] is None
    codes = [a["code"] for a in data["actions"]]
    assert "resolve" in codes and "close" not in codes and "accept_transfer" not in codes
    resolve = next(a for a in data["actions"] if a["code"] == "resolve")
    assert resolve == {"code": "resolve", "label": "解决", "endpoint": url(ticket, "resolve")}
    assert data["first_response_due"] and data["resolution_due"]
    assert data["responded"] is True and data["first_responded_at"]
    assert data["owner"] == data["first_responsible"] == {"id": agent.pk, "name": agent.name}
    assert data["department"]["id"] == agent.department_id
    assert data["received_by"] == agent.name
    # The supervisor holds the reveal right (SEC-1) and leads the department: other buttons.
    boss = ok(client_for(org["supervisor"].user).get(url(ticket)))
    assert boss["contact_phone"] == "13912345678"
    assert "reassign" in [a["code"] for a in boss["actions"]]
    # A reader without the right to change tickets is offered no actions.
    assert ok(client_for(org["hr"].user).get(url(ticket)))["actions"] == []


# --- create -------------------------------------------------------------------------------------
def _new(customer: Customer, **overrides: Any) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "kind": "after_sales",
        "subkind": "repair",
        "customer_id": customer.pk,
        "title": "电饭煲不加热",
        "description": "使用三个月后不加热",
        "demand": "上门维修",
        "priority": "high",
        "contact_name": "王女士",
        "contact_phone": "138-1234-0000",
        "order_no": "SO-2001",
        "purchase_date": "2026-01-05",
        "tracking_no": "",
        "tags": ["保修期内"],
        **overrides,
    }


def test_create_returns_201_and_is_idempotent(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    customer = CustomerFactory(name="王女士")
    client = client_for(agent.user)
    first = post(client, BASE, _new(customer), **{"Idempotency-Key": "call-2001"})
    body = ok(first, 201)
    assert body["number"].startswith("KF") and body["status"] == "new"
    assert body["subkind_label"] == "维修" and body["priority"] == "high"
    assert body["contact_phone"] == "138****0000" and body["tags"] == ["保修期内"]
    assert body["owner"]["id"] == agent.pk and body["purchase_date"] == "2026-01-05"
    again = post(client, BASE, _new(customer), **{"Idempotency-Key": "call-2001"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(action="ticket.create").count() == 1
    stored = Ticket.objects.get()
    assert stored.contact_phone == "13812340000" and stored.customer_id == customer.pk


def test_create_unassigned_and_received_at(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory()
    received = timezone.localtime() - dt.timedelta(hours=3)
    body = ok(
        post(
            client_for(org["agent_a1"].user),
            BASE,
            _new(
                customer,
                channel="web_form",
                unassigned=True,
                received_at=received.replace(tzinfo=None).isoformat(),
            ),
        ),
        201,
    )
    assert body["owner"] is None and body["first_responsible"] is None
    stored = Ticket.objects.get()
    assert abs((stored.received_at - received).total_seconds()) < 1
    # Unassigned, it waits in the department for whoever claims it: a colleague may accept it.
    claimed = ok(post(client_for(org["agent_a2"].user), url(stored, "accept")))
    assert claimed["owner"]["id"] == claimed["first_responsible"]["id"] == org["agent_a2"].pk


def test_create_validation_is_422_with_field_errors(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory()
    client = client_for(org["agent_a1"].user)
    before = snapshot()
    schema = assert_error(post(client, BASE, _new(customer, kind="vip")), 422, "invalid")
    assert "kind" in schema["fields"]
    missing = assert_error(post(client, BASE, {"title": "x"}), 422, "invalid")
    assert {"channel", "kind", "customer_id"} <= set(missing["fields"])
    rules = assert_error(
        post(
            client,
            BASE,
            _new(
                customer,
                title="  ",
                subkind="",
                contact_phone="12",
                purchase_date=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            ),
        ),
        422,
        "ticket_invalid",
    )
    assert set(rules["fields"]) == {"title", "subkind", "contact_phone", "purchase_date"}
    assert rules["message"] == "工单信息有误，请检查标红的字段"
    assert "售后" in rules["fields"]["subkind"]
    nobody = assert_error(
        post(client, BASE, _new(customer, customer_id=999999)), 422, "ticket_invalid"
    )
    assert nobody["fields"] == {"customer_id": "客户不存在"}
    assert snapshot() == before


def test_quick_entry_finds_or_records_the_caller(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    first = ok(
        post(
            client,
            f"{BASE}/quick",
            {"phone": "139 1234 5678", "kind": "inquiry", "title": "问价格"},
            **{"Idempotency-Key": "quick-1"},
        ),
        201,
    )
    assert first["channel"] == "hotline" and first["contact_phone"] == "139****5678"
    assert Customer.objects.count() == 1
    again = ok(
        post(
            client,
            f"{BASE}/quick",
            {
                "phone": "13912345678",
                "kind": "order_issue",
                "subkind": "chase",
                "title": "催件",
                "channel": "online_chat",
            },
        ),
        201,
    )
    assert again["customer"]["id"] == first["customer"]["id"]
    assert Customer.objects.count() == 1 and Ticket.objects.count() == 2
    before = snapshot()
    customers = Customer.objects.count()
    bad = assert_error(
        post(
            client, f"{BASE}/quick", {"phone": "13700001111", "kind": "after_sales", "title": "修"}
        ),
        422,
        "ticket_invalid",
    )
    assert "subkind" in bad["fields"]
    # Nothing half-done: the new caller's customer record was rolled back with the ticket.
    assert snapshot() == before and Customer.objects.count() == customers


# --- edit ---------------------------------------------------------------------------------------
def test_patch_changes_only_what_is_sent(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent, description="原描述")
    client = client_for(agent.user)
    data = ok(
        patch(
            client,
            url(ticket),
            {"title": "改后的标题", "tags": ["加急", "回访"], "priority": "urgent"},
        )
    )
    assert (data["title"], data["description"], data["priority"]) == (
        "改后的标题",
        "原描述",
        "urgent",
    )
    assert sorted(data["tags"]) == ["加急", "回访"]
    event = AuditEvent.objects.filter(action="ticket.update").get()
    assert set(event.after) == {"title", "tags", "priority"}
    bad = assert_error(patch(client, url(ticket), {"contact_phone": "12"}), 422, "ticket_invalid")
    assert "contact_phone" in bad["fields"]
    assert_error(patch(client, url(ticket), {"priority": "vip"}), 422, "invalid")
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    ticket_act(actor=agent.user, ticket=ticket, action="close")
    before = snapshot()
    assert_error(patch(client, url(ticket), {"title": "再改"}), 409, "ticket_closed")
    assert snapshot() == before


# --- token auth ---------------------------------------------------------------------------------
def test_personal_token_works_like_the_session(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    _token, raw = api_token_create(actor=agent.user, name="呼叫中心集成")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok(client.get(BASE))["count"] == 1
    data = ok(post(client, url(ticket, "reply"), {"note": "已收到", "via": "phone"}))
    assert data["status"] == "in_progress"
    assert AuditEvent.objects.filter(action="ticket.reply").get().actor_id == agent.user.pk
    created = post(
        client,
        f"{BASE}/quick",
        {"phone": "13800001111", "kind": "inquiry", "title": "问进度"},
        **{"Idempotency-Key": "tok-1"},
    )
    assert created.status_code == 201
    bad = Client(HTTP_AUTHORIZATION="Bearer kefu_not-a-token")
    assert_error(bad.get(BASE), 401, "unauthenticated")
