"""工单编号 at creation (TKT-1): on PostgreSQL the day's counter and the request are stored by
one statement (services.create._insert_numbered); the numbers and the stored row are the same
as the two statements give (``next_number`` + ``rowsql.insert``, still used on SQLite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.core.calendar import SHANGHAI
from kefu.tickets.models import Ticket, TicketDayCounter
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 1)


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def test_numbers_follow_the_days_counter(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    first = make_ticket(agent, received_at=_at(9))
    second = make_ticket(agent, received_at=_at(10))
    assert (first.number, second.number) == ("KF20260501-0001", "KF20260501-0002")
    assert TicketDayCounter.objects.get(day=DAY).last == 2
    # Late evening in Shanghai is still that day; the next day starts again at 1.
    late = make_ticket(agent, received_at=_at(23, 59))
    next_day = make_ticket(agent, received_at=_at(0, 5, DAY + dt.timedelta(days=1)))
    assert late.number == "KF20260501-0003" and next_day.number == "KF20260502-0001"


@pytest.mark.parametrize(
    ("last", "number"),
    [(41, "KF20260501-0042"), (9998, "KF20260501-9999"), (9999, "KF20260501-10000")],
)
def test_four_digits_at_least(org: dict[str, Any], last: int, number: str) -> None:
    TicketDayCounter.objects.create(day=DAY, last=last)
    assert make_ticket(org["agent_a1"], received_at=_at(9)).number == number


def test_the_stored_row_is_the_instance(org: dict[str, Any]) -> None:
    ticket = make_ticket(
        org["agent_a1"],
        received_at=_at(9),
        red_flag=True,
        red_flag_note="只接受上午上门",
        order_no="SO-1",
        purchase_date=DAY,
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    for field in Ticket._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(ticket, field.attname), field.name
    assert stored.number == "KF20260501-0001" and not ticket._state.adding
