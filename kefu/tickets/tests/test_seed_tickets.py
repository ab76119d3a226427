"""seed_tickets — 工单规模测试数据: small runs on the test database (the 1M run is bench-only).

Also the keyword search of ``selectors._keyword``: the indexed PostgreSQL form must find exactly
the rows the plain icontains form finds (run with DATABASE_URL=postgres://… to check it there).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Max, Q

from kefu.core.calendar import SHANGHAI
from kefu.core.models import AuditEvent
from kefu.customers.models import Customer, CustomerPhone
from kefu.tickets.choices import CLOCK_PAUSED_STATUSES, OPEN_STATUSES, Status
from kefu.tickets.models import Ticket, TicketDayCounter, TicketMessage, TicketPause
from kefu.tickets.selectors import tickets_for_user
from kefu.tickets.services import state_of
from kefu.tickets.statemachine import state_problems
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^KF(\d{8})-(\d{4,})$")


def _seed(count: int = 200, *extra: str) -> str:
    out = io.StringIO()
    call_command("seed_tickets", "--count", str(count), "--days", "90", *extra, stdout=out)
    return out.getvalue()


def test_generates_valid_requests(org: dict[str, Any]) -> None:
    front_line = {org[k].pk for k in ("lead_a", "lead_b", "agent_a1", "agent_a2", "agent_b1")}
    output = _seed(200)

    assert "200 tickets" in output and "not audited" in output
    tickets = list(Ticket.objects.all())
    assert len(tickets) == 200
    assert Customer.objects.count() == 50
    assert CustomerPhone.objects.filter(customer__in=Customer.objects.all()).count() >= 50
    assert not AuditEvent.objects.filter(object_type="tickets.ticket").exists()
    for t in tickets:
        # Every rule a stored request must satisfy (the check constraints hold, or the insert
        # would have failed; these are the state machine's invariants on top).
        assert state_problems(state_of(t)) == [], t.number
        assert t.owner_id is None or t.owner_id in front_line
        assert t.first_response_due >= t.received_at
        assert t.resolution_due > t.received_at
        if t.status in CLOCK_PAUSED_STATUSES:
            assert t.next_sla_check_at is None and t.paused_since is not None
        if t.status in (Status.RESOLVED, Status.CLOSED):
            assert t.resolved_at is not None and t.resolved_at >= t.received_at
        if t.status == Status.CLOSED:
            assert t.closed_at is not None and t.closed_at >= t.resolved_at
        if t.owner_id is not None:
            assert t.department_id == t.owner.department_id
        assert t.created_at == t.received_at  # history, not the moment of the bulk insert
        if t.channel in ("web_form", "email", "letter", "fax"):
            assert t.offline_message  # 留言 (TKT-10): nobody was on the other end
        if t.channel in ("hotline", "visit", "store"):
            assert not t.offline_message
    # Open pauses match the requests whose clock stands still; replies exist for the answered.
    paused = {t.pk for t in tickets if t.status in CLOCK_PAUSED_STATUSES}
    assert (
        set(TicketPause.objects.filter(end__isnull=True).values_list("ticket_id", flat=True))
        == paused
    )
    answered = {t.pk for t in tickets if t.responded}
    assert set(TicketMessage.objects.values_list("ticket_id", flat=True)) == answered
    assert {t.status for t in tickets} >= {Status.CLOSED}
    assert any(t.status in OPEN_STATUSES for t in tickets) or len(tickets) < 50


def test_numbers_are_unique_and_counters_continue(org: dict[str, Any]) -> None:
    _seed(150)
    _seed(100, "--seed", "7")  # a second run adds, after the numbers already given

    numbers = list(Ticket.objects.values_list("number", "received_at"))
    assert len({n for n, _ in numbers}) == 250
    last_by_day: dict[dt.date, int] = {}
    for number, received in numbers:
        match = NUMBER.match(number)
        assert match, number
        day = received.astimezone(SHANGHAI).date()
        assert match.group(1) == f"{day:%Y%m%d}"  # numbered by the local day of receipt
        last_by_day[day] = max(last_by_day.get(day, 0), int(match.group(2)))
    counters = dict(TicketDayCounter.objects.values_list("day", "last"))
    for day, last in last_by_day.items():
        assert counters[day] >= last

    # A request recorded now continues after today's generated numbers.
    ticket = make_ticket(org["agent_a1"])
    today = ticket.received_at.astimezone(SHANGHAI).date()
    assert ticket.number == f"KF{today:%Y%m%d}-{last_by_day.get(today, 0) + 1:04d}"
    assert Ticket.objects.filter(number=ticket.number).count() == 1


def test_ids_continue_after_existing_rows(org: dict[str, Any]) -> None:
    before = make_ticket(org["agent_a1"])
    _seed(30)
    assert Ticket.objects.aggregate(m=Max("pk"))["m"] == before.pk + 30
    after = make_ticket(org["agent_a2"])
    assert after.pk == before.pk + 31


def test_needs_front_line_staff(db: Any) -> None:
    with pytest.raises(CommandError, match="seed_scale"):
        _seed(10)
    with pytest.raises(CommandError):
        call_command("seed_tickets", "--count", "0", stdout=io.StringIO())


# --- the keyword search over generated requests --------------------------------------------
def _plain(q: str) -> Q:
    """The search box's meaning, written the obvious way (what _keyword must be equal to)."""
    return (
        Q(number=q.upper())
        | Q(order_no=q)
        | Q(tracking_no=q)
        | Q(title__icontains=q)
        | Q(description__icontains=q)
        | Q(customer__name__icontains=q)
    )


@pytest.mark.parametrize("q", ["漏水", "扫地机器人", "退货", "王", "e3", "申请换货"])
def test_keyword_search_finds_what_icontains_finds(org: dict[str, Any], q: str) -> None:
    _seed(300)
    user = org["manager"].user
    found = set(tickets_for_user(user, q=q).values_list("pk", flat=True))
    expected = set(Ticket.objects.filter(_plain(q)).values_list("pk", flat=True))
    assert found == expected
    if q in ("退货",):
        assert found  # the vocabulary makes common words common


def test_keyword_search_by_numbers_and_phone(org: dict[str, Any]) -> None:
    _seed(120)
    user = org["manager"].user
    t = Ticket.objects.exclude(order_no="").exclude(contact_phone="").first()
    assert t is not None
    assert t.pk in set(tickets_for_user(user, q=t.order_no).values_list("pk", flat=True))
    assert t.pk in set(tickets_for_user(user, q=t.number.lower()).values_list("pk", flat=True))
    full = set(tickets_for_user(user, q=t.contact_phone).values_list("pk", flat=True))
    assert t.pk in full
    tail = t.contact_phone[-4:]
    by_tail = set(tickets_for_user(user, q=tail).values_list("pk", flat=True))
    expected = set(
        Ticket.objects.filter(
            Q(contact_phone__endswith=tail)
            | Q(customer__phones__last4=tail)
            | Q(number=tail)
            | Q(order_no=tail)
            | Q(tracking_no=tail)
            | Q(title__icontains=tail)
            | Q(description__icontains=tail)
            | Q(customer__name__icontains=tail)
        ).values_list("pk", flat=True)
    )
    assert by_tail == expected and t.pk in by_tail


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bigram index: PostgreSQL only")
def test_postgres_search_uses_the_bigram_index(org: dict[str, Any]) -> None:
    _seed(200)
    with connection.cursor() as cursor:
        # A table this small would be read in full or in index order; real sizes pick the
        # bitmap (see docs/performance.md for the plan at a million requests).
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        # 行政人事部 sees every request: the keyword is the only condition an index can serve.
        sql, params = tickets_for_user(org["hr"].user, q="漏水").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_text_bigrams_idx" in plan
    assert "customer_name_bigrams_idx" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bigram index: PostgreSQL only")
@pytest.mark.parametrize("listed", [True, False], ids=["one-bigram", "all-bigrams"])
def test_postgres_both_bigram_forms_find_the_same(
    org: dict[str, Any], monkeypatch: pytest.MonkeyPatch, listed: bool
) -> None:
    """Whether the statistics list the keyword's bigrams or not, the rows are icontains' rows."""
    from kefu.tickets import keyword_search

    _seed(300)

    def frequencies() -> dict[str, float]:
        if not listed:
            return {}
        return {
            a + b: 0.01 * (i + 1)
            for i, (a, b) in enumerate(zip(q.upper(), q.upper()[1:], strict=False))
        }

    monkeypatch.setattr(keyword_search, "_bigram_frequencies", frequencies)
    user = org["hr"].user
    for q in ("漏水", "扫地机器人", "申请换货", "e3", "无法开机，申请"):
        found = set(tickets_for_user(user, q=q).values_list("pk", flat=True))
        expected = set(Ticket.objects.filter(_plain(q)).values_list("pk", flat=True))
        assert found == expected, q
