"""Quick entry and an ordinary create running at once do not deadlock (TKT-1, TKT-3).

Every create takes the day's counter row (the numbered insert) before the audit chain's lock
(its audit event). Quick entry for a new caller records the customer first — an audit event —
so it holds the chain's lock before it reaches the counter; a create that took the counter in
between then waits for the chain's lock while quick entry waits for the counter: PostgreSQL
kills one of them after ``deadlock_timeout``. ``ticket_create_for_caller`` (behind quick entry and
the new-request form with a typed phone) therefore takes the counter first. This test holds the counter in another transaction exactly where a create would, lets
quick entry start, then asks for the chain's lock: both must finish.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import SHANGHAI
from kefu.customers.models import Customer
from kefu.org.tests.factories import make_org
from kefu.tickets.models import Ticket
from kefu.tickets.services import next_number, ticket_quick_create

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row and advisory locks: PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_quick_entry_for_a_new_caller_and_a_create_do_not_deadlock() -> None:
    org = make_org()
    agent = org["agent_a1"].user
    day = timezone.now().astimezone(SHANGHAI).date()
    holding = threading.Event()
    failures: list[BaseException] = []
    numbers: list[str] = []

    def ordinary_create() -> None:
        # A create between its numbered insert and its audit event.
        try:
            with transaction.atomic():
                numbers.append(next_number(day))  # holds the day's counter row
                holding.set()
                time.sleep(1.0)  # quick entry runs meanwhile, as far as it can
                audit.record(actor=None, action="test.create_audit", object_type="t", object_id=1)
        except BaseException as exc:
            failures.append(exc)
        finally:
            holding.set()
            connections.close_all()

    def quick_entry() -> None:
        try:
            holding.wait(10)
            ticket = ticket_quick_create(
                actor=agent, phone="13912348765", kind="inquiry", title="来电咨询保修期"
            )
            numbers.append(ticket.number)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ordinary_create), threading.Thread(target=quick_entry)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert len(numbers) == 2 and len(set(numbers)) == 2  # both numbered, no number twice
    assert Customer.objects.filter(phones__phone="13912348765").count() == 1
    assert Ticket.objects.filter(number=numbers[-1]).exists()
    assert audit.verify_chain() is None


def test_quick_entry_takes_the_counter_first(org: dict[str, Any]) -> None:
    """The statement order behind the test above, pinned: the counter before any audit event;
    the day's first request still gets number 0001 (the counter row is created at 0)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        ticket = ticket_quick_create(
            actor=org["agent_a1"].user, phone="13912348766", kind="inquiry", title="来电咨询"
        )
    sql = [q["sql"] for q in captured.captured_queries]
    counter = next(i for i, q in enumerate(sql) if "tickets_ticketdaycounter" in q)
    audits = [i for i, q in enumerate(sql) if "kefu_audit_append" in q or "core_auditevent" in q]
    assert audits and counter < min(audits), sql
    assert ticket.number.endswith("-0001"), ticket.number


def test_the_new_request_page_takes_the_counter_first_for_a_typed_phone(
    org: dict[str, Any], client_for: Any
) -> None:
    """The full form with a phone typed instead of a chosen customer goes the same way."""
    from django.test.utils import CaptureQueriesContext

    client = client_for(org["agent_a1"].user)
    form = {
        "channel": "hotline",
        "kind": "inquiry",
        "priority": "normal",
        "customer": "13912348767",
        "title": "来电咨询安装时间",
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/tickets/new/", form)
    assert response.status_code == 302, response.content.decode()[:500]
    sql = [q["sql"] for q in captured.captured_queries]
    counter = next(i for i, q in enumerate(sql) if "tickets_ticketdaycounter" in q)
    audits = [i for i, q in enumerate(sql) if "kefu_audit_append" in q or "core_auditevent" in q]
    assert len(audits) >= 2 and counter < min(audits), sql  # the customer's event and the request's
    assert Customer.objects.filter(phones__phone="13912348767").count() == 1
