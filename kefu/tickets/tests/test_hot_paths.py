"""The benchmarked paths of 工单 (issue #3) — 热点路径: what they answer and how many queries
they take. The counts are pinned: a change that adds a query to the create, the list, the detail
page or the 坐席工作台 shows up here, not only in the benchmark at a million requests.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.tokens import api_token_create
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.api_schemas import ROW_FIELDS, ticket_list_row, ticket_row
from kefu.tickets.choices import Channel, Kind
from kefu.tickets.models import Ticket, TicketDayCounter
from kefu.tickets.services import next_number, ticket_act, ticket_attach
from kefu.tickets.tests.api_helpers import BASE, PNG, ok, post
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

CONSOLE = "/workbench/"


def _queries(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries]


def _token_client(employee: Any) -> Client:
    _token, raw = api_token_create(actor=employee.user, name="基准")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- create ---------------------------------------------------------------------------------
def _same_as_a_later_read(created: dict[str, Any], read: dict[str, Any]) -> None:
    created, read = dict(created), dict(read)
    created["sla"] = {k: v for k, v in created["sla"].items() if k != "seconds"}
    read["sla"] = {k: v for k, v in read["sla"].items() if k != "seconds"}
    assert created == read


def test_create_answers_without_reading_the_request_back(org: dict[str, Any]) -> None:
    client = _token_client(org["agent_a1"])
    customer = CustomerFactory()
    body = {
        "channel": "hotline",
        "kind": "after_sales",
        "subkind": "repair",
        "customer_id": customer.pk,
        "title": " 电饭煲不加热 ",
        "description": "客户来电",
        "contact_phone": "139 1234 5678",
        "purchase_date": "2026-01-02",
        "received_at": (timezone.now() - dt.timedelta(hours=1))
        .astimezone(dt.timezone(dt.timedelta(hours=8)))
        .isoformat(),
    }
    post(client, BASE, body)  # warm-up: the token's last use, the policy cache
    response, sql = _queries(lambda: post(client, BASE, body))
    created = ok(response, 201)
    # Token, permissions, customer, employee, sla and tickets policy (inside a transaction the
    # caches are not used), day number, calendar, insert, the audit chain — and no ticket, customer or people read back after the commit.
    assert len(sql) <= 18, "\n".join(q[:150] for q in sql)
    done = max(i for i, q in enumerate(sql) if q.upper().startswith(("COMMIT", "RELEASE")))
    read_back = [q for q in sql[done + 1 :] if re.search(r'FROM "(tickets|customers|org)_', q)]
    assert not read_back, read_back
    assert not [q for q in sql if "customers_customerphone" in q]  # no phones prefetched
    assert created["received_at"].endswith("Z")  # as stored, like every later read
    assert created["received_by"] == org["agent_a1"].name
    assert created["department"]["id"] == org["agent_a1"].department_id
    assert created["team"]["id"] == org["agent_a1"].team_id
    _same_as_a_later_read(created, ok(client.get(f"{BASE}/{created['id']}")))


@pytest.mark.django_db(transaction=True)
def test_create_outside_a_transaction_reads_no_policy_calendar_or_employee(
    org: dict[str, Any],
) -> None:
    """As on an app server (no surrounding transaction): the policies in force and the month of
    calendar come from the per-process caches, the employee with the token — what is left is the
    customer, the day number, the row and the audit chain."""
    client = _token_client(org["agent_a1"])
    body = {"channel": "hotline", "kind": "inquiry", "title": "问保修"}
    post(client, BASE, {**body, "customer_id": CustomerFactory().pk})  # warm-up: the caches
    customer = CustomerFactory()
    response, sql = _queries(lambda: post(client, BASE, {**body, "customer_id": customer.pk}))
    created = ok(response, 201)
    assert created["customer"]["id"] == customer.pk
    assert created["received_by"] == org["agent_a1"].name
    assert created["team"]["id"] == org["agent_a1"].team_id
    assert created["resolution_due"] and created["first_response_due"]
    tables = " ".join(sql)
    for read in ('FROM "core_policy"', 'FROM "core_calendarday"', 'FROM "org_employee"'):
        assert read not in tables, "\n".join(q[:150] for q in sql)
    assert "SAVEPOINT" not in tables  # the audit event joins the service's transaction
    writes = [q for q in sql if q.upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]
    if connection.vendor == "postgresql":
        # The day counter and the request in one statement, the audit event in another (its
        # lock, the chain's head, the hash and the row: kefu_audit_append): token, customer,
        # BEGIN, numbered insert, audit append, COMMIT.
        assert len(writes) == 1 and writes[0].startswith("WITH"), writes
        assert sum("kefu_audit_append" in q for q in sql) == 1, sql
        assert len(sql) == 6, "\n".join(q[:150] for q in sql)
    else:
        assert len(writes) == 3, writes  # day counter, the request, its audit event
        assert len(sql) <= 8, "\n".join(q[:150] for q in sql)
    ticket = Ticket.objects.get(pk=created["id"])
    assert (ticket.first_response_due, ticket.resolution_due) != (None, None)


def test_create_answer_is_the_stored_request_for_unassigned_flagged_and_tagged(
    org: dict[str, Any],
) -> None:
    client = _token_client(org["agent_a1"])
    for extra in (
        {"unassigned": True, "channel": "web_form"},
        {"red_flag": True, "red_flag_note": "只接受上午上门", "priority": "urgent"},
        {"tags": ["加急", "复购", "加急"]},  # tags: the one case that is read back
    ):
        body = {"channel": "hotline", "kind": "inquiry", "customer_id": CustomerFactory().pk}
        body.update({"title": "问保修", **extra})
        created = ok(post(client, BASE, body), 201)
        _same_as_a_later_read(created, ok(client.get(f"{BASE}/{created['id']}")))


def test_next_number_counts_per_day_in_one_statement(org: dict[str, Any]) -> None:
    day = dt.date(2026, 5, 1)
    _number, sql = _queries(lambda: next_number(day))
    assert _number == "KF20260501-0001" and len(sql) == 1
    assert next_number(day) == "KF20260501-0002"
    TicketDayCounter.objects.create(day=dt.date(2026, 5, 2), last=41)
    assert next_number(dt.date(2026, 5, 2)) == "KF20260502-0042"
    assert TicketDayCounter.objects.get(day=day).last == 2


# --- list -------------------------------------------------------------------------------------
def test_list_rows_from_values_are_the_model_rows(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    make_ticket(agent, red_flag=True, red_flag_note="加急")
    make_ticket(agent, unassigned=True, channel=Channel.WEB_FORM)
    waiting = make_ticket(agent, kind=Kind.COMPLAINT)
    ticket_act(actor=agent.user, ticket=waiting, action="accept")
    ticket_act(actor=agent.user, ticket=waiting, action="wait_customer", note="请提供照片")
    now = timezone.now()
    tickets = list(Ticket.objects.select_related("customer", "owner").order_by("pk"))
    rows = list(Ticket.objects.order_by("pk").values(*ROW_FIELDS))
    assert [ticket_list_row(r, now) for r in rows] == [ticket_row(t, now) for t in tickets]


def test_list_endpoint_reads_one_count_and_one_page(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    client = _token_client(org["supervisor"])
    for _ in range(3):
        make_ticket(agent)
    client.get(BASE)  # warm-up
    response, sql = _queries(lambda: client.get(BASE, {"open": "true"}))
    assert ok(response)["count"] == 3
    ticket_reads = [q for q in sql if 'FROM "tickets_ticket"' in q]
    assert len(ticket_reads) == 2, sql  # the count and the page, nothing per row
    assert len(sql) <= 8, sql


# --- detail page ------------------------------------------------------------------------------
def test_detail_page_skips_attachments_and_tags_it_does_not_have(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    client = client_for(agent.user)
    plain = make_ticket(agent)
    rich = make_ticket(agent, tags=["加急"])
    ticket_attach(actor=agent.user, ticket=rich, name="照片.png", content=PNG)
    client.get(f"/tickets/{plain.pk}/")  # warm-up
    response, sql = _queries(lambda: client.get(f"/tickets/{plain.pk}/"))
    assert response.status_code == 200
    assert not [q for q in sql if q.startswith('SELECT "tickets_ticketattachment".')]
    assert not [q for q in sql if q.startswith('SELECT "tickets_tag".')]
    # 登记人 comes with the request itself (no user/employee read for it).
    assert f"· {agent.name}" in response.content.decode()
    plain_count = len(sql)
    response, sql = _queries(lambda: client.get(f"/tickets/{rich.pk}/"))
    body = response.content.decode()
    assert "照片.png" in body and "加急" in body
    skipped = ('SELECT "tickets_ticketattachment".', 'SELECT "tickets_tag".')
    assert len([q for q in sql if q.startswith(skipped)]) == 2  # read when there is something
    assert plain_count <= 16, sql


# --- 坐席工作台 -------------------------------------------------------------------------------
def test_console_reads_one_query_per_list(org: dict[str, Any], client_for: Any) -> None:
    agent, lead = org["agent_a1"], org["lead_a"]
    mine = make_ticket(agent, red_flag=True, red_flag_note="只接受上午上门")
    make_ticket(org["agent_a2"], unassigned=True, channel=Channel.WEB_FORM)
    transferred = make_ticket(org["agent_a2"])
    ticket_act(
        actor=org["agent_a2"].user,
        ticket=transferred,
        action="transfer",
        target=agent.pk,
        reason="属于售后范围",
    )
    for user, lists in ((agent.user, 2), (lead.user, 3)):
        client = client_for(user)
        client.get(CONSOLE)  # warm-up
        response, sql = _queries(lambda c=client: c.get(CONSOLE))
        assert response.status_code == 200
        assert len([q for q in sql if 'FROM "tickets_ticket"' in q]) == lists, sql
        assert len(sql) <= lists + 8, "\n".join(q[:120] for q in sql)
    body = client_for(agent.user).get(CONSOLE).content.decode()
    assert mine.number in body and 'data-testid="red-flag"' in body
    assert 'title="特殊要求：只接受上午上门"' in body
    assert f"/tickets/{transferred.pk}/act/accept_transfer/" in body and "接收转交" in body
    assert "认领" in body and "未分派" in body
