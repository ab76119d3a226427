"""Commission of a month (PERF-2, RPT-6) and the payroll source — exact yuan, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.performance.payroll import collect_payroll, payroll_sources
from kefu.sales.choices import InquirySource
from kefu.sales.selectors import month_figures
from kefu.sales.services import inquiry_freeze_tickets
from kefu.tickets.models import Ticket
from kefu.tickets.tests.factories import make_ticket

from .helpers import inquiries, line

pytestmark = pytest.mark.django_db
JUNE = dt.date(2026, 6, 1)
D = Decimal


def _orders(agent: Any, n: int, total: Decimal, day: dt.date = dt.date(2026, 6, 10)) -> None:
    each = (total / n).quantize(D("0.01"))
    for _ in range(n - 1):
        line(agent, day, each)
    line(agent, day, total - each * (n - 1))


def test_20000_at_69_percent_is_200_and_at_70_is_300(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    _orders(agent, 69, D("20000"))
    inquiries(agent, dt.date(2026, 6, 3), 60)
    inquiries(agent, dt.date(2026, 6, 4), 40)
    fig = month_figures(JUNE)[agent.pk]
    assert (fig.inquiries, fig.orders, fig.conversion) == (100, 69, D("0.6900"))
    assert fig.sales == D("20000.00")
    assert fig.commission == D("200.00")
    line(agent, dt.date(2026, 6, 11), "0.00")  # one more order: 70 %
    assert month_figures(JUNE)[agent.pk].commission == D("300.00")


def test_other_months_do_not_count(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    line(agent, dt.date(2026, 5, 31), "1000")
    line(agent, dt.date(2026, 6, 30), "1000")
    line(agent, dt.date(2026, 7, 1), "1000")
    assert month_figures(JUNE)[agent.pk].sales == D("1000")


def test_same_order_two_items_is_one_order(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    line(agent, dt.date(2026, 6, 2), "100", order_no="A1", item="滤芯")
    line(agent, dt.date(2026, 6, 2), "900", order_no="A1", item="净水器")
    inquiries(agent, dt.date(2026, 6, 2), 2)
    fig = month_figures(JUNE)[agent.pk]
    assert (fig.orders, fig.conversion, fig.commission) == (1, D("0.5000"), D("10.00"))


def test_no_inquiries_means_full_rate(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    line(agent, dt.date(2026, 6, 2), "1000")
    fig = month_figures(JUNE)[agent.pk]
    assert fig.conversion == D("1.00") and fig.commission == D("15.00")


def test_tickets_count_when_no_import_and_import_wins(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    day = dt.date(2026, 6, 5)
    at = dt.datetime(2026, 6, 5, 10, 0, tzinfo=dt.UTC)
    tickets = [make_ticket(agent) for _ in range(4)]
    make_ticket(agent, kind="praise", title="表扬")  # not an inquiry
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(received_at=at)
    Ticket.objects.exclude(pk__in=[t.pk for t in tickets]).update(received_at=at)
    line(agent, day, "2000", order_no="B1")
    line(agent, day, "2000", order_no="B2")
    fig = month_figures(JUNE)[agent.pk]
    assert fig.inquiries == 4 and fig.conversion == D("0.5000") and fig.commission == D("40.00")
    # the chat tool's count for the same day replaces the tickets'
    inquiries(agent, day, 2)
    fig = month_figures(JUNE)[agent.pk]
    assert fig.inquiries == 2 and fig.commission == D("60.00")


def test_freeze_stores_ticket_counts(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    Ticket.objects.filter(pk=ticket.pk).update(
        received_at=dt.datetime(2026, 6, 5, 2, tzinfo=dt.UTC)
    )
    assert inquiry_freeze_tickets(actor=None, month=JUNE) == 1
    row = agent.inquiry_counts.get()
    assert (row.day, row.count, row.source) == (dt.date(2026, 6, 5), 1, InquirySource.TICKETS)
    Ticket.objects.filter(pk=ticket.pk).update(kind="praise")  # re-classified after the archive
    line(agent, dt.date(2026, 6, 5), "100")
    assert month_figures(JUNE)[agent.pk].inquiries == 1
    assert inquiry_freeze_tickets(actor=None, month=JUNE) == 0  # idempotent re-run replaces


def test_payroll_source_registered_and_exact(org: dict[str, Any]) -> None:
    assert "sales" in payroll_sources()
    agent = org["agent_a1"]
    _orders(agent, 70, D("20000"))
    inquiries(agent, dt.date(2026, 6, 3), 100)
    lines = list(payroll_sources()["sales"](JUNE, None))
    assert [(pl.employee_id, pl.column, pl.amount) for pl in lines] == [
        (agent.pk, "commission", D("300.00"))
    ]
    assert collect_payroll(JUNE, [agent.pk])[agent.pk].amounts["commission"] == D("300.00")


def test_payroll_source_constant_queries(org: dict[str, Any], make_employee: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(payroll_sources()["sales"](JUNE, None))
        return len(ctx.captured_queries)

    line(org["agent_a1"], dt.date(2026, 6, 2), "100")
    few = count()
    for _ in range(15):
        person = make_employee(department=org["cs"])
        line(person, dt.date(2026, 6, 2), "100")
        inquiries(person, dt.date(2026, 6, 2), 3)
    assert count() == few <= 6
