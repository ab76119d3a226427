"""The ticket list API's keyword search, counted and paged in one pass
(``apikit.paginate_one_pass``): the same pages as ``paginate`` for every role, keyword and page,
and the statements it takes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.apikit import paginate, paginate_one_pass
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.api_schemas import ROW_FIELDS
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tickets"
KEYWORDS = ("漏水", "保修", "王", "不存在的词", "KF")
PAGES = ((1, 20), (2, 20), (1, 50), (3, 20), (10**30, 20), (0, 7))


def _tickets(org: dict[str, Any]) -> None:
    a1, a2, b1 = org["agent_a1"], org["agent_a2"], org["agent_b1"]
    wang = CustomerFactory(name="王建国")
    for i in range(24):
        make_ticket(a1, title=f"热水器漏水{i}", description="客户说机器底部漏水")
        make_ticket(a2 if i % 2 else b1, title=f"咨询保修{i}", customer=wang)
    make_ticket(b1, unassigned=True, title="漏水", description="")


def test_pages_are_paginates_for_every_role_keyword_and_page(org: dict[str, Any]) -> None:
    _tickets(org)
    listed = 0
    for person in ("agent_a1", "agent_b1", "lead_a", "supervisor", "manager", "gm"):
        user = org[person].user
        for q in KEYWORDS:
            qs = tickets_for_user(user, q=q)
            for page, size in PAGES:
                expected = paginate(qs, page, size, values=ROW_FIELDS)
                got = paginate_one_pass(qs, page, size, values=ROW_FIELDS)
                assert got == expected, (person, q, page, size)
                listed += len(expected["items"])
    assert listed > 300  # most combinations above list something


def test_rows_without_the_key_are_given_without_it(org: dict[str, Any]) -> None:
    _tickets(org)
    qs = tickets_for_user(org["gm"].user, q="漏水")
    got = paginate_one_pass(qs, 1, 20, values=("number", "title"))
    assert got == paginate(qs, 1, 20, values=("number", "title"))
    assert got["count"] == 25 and set(got["items"][0]) == {"number", "title"}


def test_statements_taken(org: dict[str, Any]) -> None:
    _tickets(org)
    qs = tickets_for_user(org["gm"].user, q="漏水")
    for page, expected in ((1, 2), (2, 2), (99, 4), (10**30, 3)):
        # A page of rows: the keys with the count, then the rows. Past the end: nothing, so the
        # count, then the last page. Beyond any list: not asked (the OFFSET would overflow).
        with CaptureQueriesContext(connection) as ctx:
            got = paginate_one_pass(qs, page, 20, values=ROW_FIELDS)
        assert len(ctx.captured_queries) == expected, (page, ctx.captured_queries)
        assert got["count"] == 25 and got["page"] == min(page, 2)
    nothing = tickets_for_user(org["gm"].user, q="不存在的词")
    with CaptureQueriesContext(connection) as ctx:
        got = paginate_one_pass(nothing, 1, 20, values=ROW_FIELDS)
    assert got == {"count": 0, "page": 1, "page_size": 20, "items": []}
    assert len(ctx.captured_queries) == 2  # no match with the count: the count says none


def test_distinct_or_annotated_lists_keep_two_statements(org: dict[str, Any]) -> None:
    _tickets(org)
    from django.db.models import F

    qs = Ticket.objects.order_by("-received_at", "-id")
    for odd in (qs.distinct(), qs.annotate(who=F("owner__name"))):
        values = ("id", "who") if "who" in odd.query.annotations else ("id",)
        assert paginate_one_pass(odd, 2, 20, values=values) == paginate(odd, 2, 20, values=values)


def test_api_search_pages(org: dict[str, Any], client_for: Any) -> None:
    _tickets(org)
    client = client_for(org["supervisor"].user)
    first = client.get(BASE, {"q": "漏水"}).json()
    second = client.get(BASE, {"q": "漏水", "page": 2}).json()
    far = client.get(BASE, {"q": "漏水", "page": 10**30})
    assert first["count"] == second["count"] == 25
    assert [len(first["items"]), len(second["items"])] == [20, 5]
    assert far.status_code == 200 and far.json() == second
    numbers = [row["number"] for row in first["items"] + second["items"]]
    assert len(set(numbers)) == 25
    newest_first = sorted(first["items"], key=lambda r: (r["received_at"], r["id"]), reverse=True)
    assert first["items"] == newest_first


PAGE_PARAMS = ("1", "2", "3", "0", "-1", "abc", "2.5", "999", None, str(10**30), 2.0)


def test_list_page_paginator_is_djangos(org: dict[str, Any]) -> None:
    from django.core.paginator import Paginator

    from kefu.core.one_pass import OnePassPaginator

    _tickets(org)
    compared = 0
    for person in ("agent_a1", "supervisor", "gm"):
        for q in ("漏水", "保修", "不存在的词"):
            qs = tickets_for_user(org[person].user, q=q)
            for number in PAGE_PARAMS:
                expected = Paginator(qs, 20).get_page(number)
                got = OnePassPaginator(qs, 20).get_page(number)
                key = (person, q, number)
                assert got.number == expected.number, key
                assert got.paginator.count == expected.paginator.count, key
                assert got.paginator.num_pages == expected.paginator.num_pages, key
                assert [t.pk for t in got] == [t.pk for t in expected], key
                assert (got.has_next(), got.has_previous()) == (
                    expected.has_next(),
                    expected.has_previous(),
                ), key
                compared += len(expected)
    assert compared > 100


def test_list_page_search_reads_the_matches_once(org: dict[str, Any], client_for: Any) -> None:
    _tickets(org)
    client = client_for(org["gm"].user)
    client.get("/tickets/", {"q": "漏水"})  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/tickets/", {"q": "漏水", "page": "2"})
    assert response.status_code == 200
    body = response.content.decode()
    from django.core.paginator import Paginator

    qs = tickets_for_user(org["gm"].user, q="漏水")
    second, first = Paginator(qs, 20).get_page(2), Paginator(qs, 20).get_page(1)
    assert len(second) == 5 and all(t.number in body for t in second)
    assert not any(t.number in body for t in first)
    ticket_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    # The keys with the count, then the page's requests with their joins; no separate COUNT.
    assert len(ticket_reads) == 2, ticket_reads
    assert "OVER ()" in ticket_reads[0] and "COUNT(*)" not in ticket_reads[1].upper()[:40]
