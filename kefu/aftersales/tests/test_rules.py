"""Pure rules — 保修期、维修时限、流程、收费: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.calendar import SHANGHAI, BusinessCalendar, WorkSchedule

from ..charges import Line, order_total
from ..clocks import RepairFacts, breached_keys, deadlines, events_due, next_check, readings
from ..flow import RepairAction, TransitionError, allowed_actions, next_status
from ..warranty import add_months, card_state, in_warranty, warranty_end, warranty_months

HOURS = {"arrival": 24, "fixed": 48, "spare": 72}
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def test_warranty_minimum_or_manufacturer() -> None:
    assert warranty_months(12, 0) == 12
    assert warranty_months(12, 6) == 12
    assert warranty_months(12, 36) == 36
    assert warranty_end(dt.date(2026, 3, 1), 12) == dt.date(2027, 2, 28)
    assert warranty_end(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert in_warranty(dt.date(2026, 3, 1), dt.date(2027, 2, 28), dt.date(2027, 2, 28))
    assert not in_warranty(dt.date(2026, 3, 1), dt.date(2027, 2, 28), dt.date(2027, 3, 1))


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
    st.integers(min_value=1, max_value=240),
)
def test_warranty_end_property(acceptance: dt.date, months: int) -> None:
    end = warranty_end(acceptance, months)
    assert end >= acceptance
    assert in_warranty(acceptance, end, end)
    assert not in_warranty(acceptance, end, end + dt.timedelta(days=1))
    # a month more never ends earlier
    assert warranty_end(acceptance, months + 1) > end


def test_card_state() -> None:
    acc = dt.date(2026, 10, 1)
    kw = {"deadline_months": 1, "due_soon_days": 7}
    assert card_state(acc, issued_on=None, today=dt.date(2026, 11, 2), **kw).state == "overdue"
    assert card_state(acc, issued_on=None, today=dt.date(2026, 10, 28), **kw).state == "due_soon"
    assert card_state(acc, issued_on=None, today=dt.date(2026, 10, 5), **kw).state == "pending"
    assert (
        card_state(acc, issued_on=dt.date(2026, 10, 20), today=dt.date(2026, 12, 1), **kw).state
        == "issued"
    )
    assert (
        card_state(acc, issued_on=dt.date(2026, 11, 20), today=dt.date(2026, 12, 1), **kw).state
        == "issued_late"
    )


def test_wall_clock_deadlines_and_arrival_breach() -> None:
    dues = deadlines(T0, HOURS)
    assert dues["arrival"] == T0 + dt.timedelta(hours=24)
    facts = RepairFacts(reported_at=T0, arrived_at=T0 + dt.timedelta(hours=30))
    now = T0 + dt.timedelta(hours=31)
    r = {x.key: x for x in readings(facts, dues, now=now, warn_before_hours=4)}
    assert r["arrival"].stage == "late" and r["arrival"].breached
    assert r["fixed"].stage == "on_time" and r["fixed"].seconds == 17 * 3600
    assert breached_keys(facts, dues, now=now) == {"arrival"}


def test_spare_meets_spare_clock_not_fix() -> None:
    dues = deadlines(T0, HOURS)
    facts = RepairFacts(
        reported_at=T0, arrived_at=T0 + dt.timedelta(hours=2), spare_at=T0 + dt.timedelta(hours=50)
    )
    now = T0 + dt.timedelta(hours=60)
    assert breached_keys(facts, dues, now=now) == {"fixed"}


def test_remote_meets_arrival_and_fix() -> None:
    dues = deadlines(T0, HOURS)
    facts = RepairFacts(reported_at=T0, remote_at=T0 + dt.timedelta(hours=1))
    now = T0 + dt.timedelta(hours=100)
    assert breached_keys(facts, dues, now=now) == set()
    assert next_check(facts, dues, warn_before_hours=4, sent=set()) is None


def test_warning_then_breach_events() -> None:
    dues = deadlines(T0, HOURS)
    facts = RepairFacts(reported_at=T0)
    assert (
        events_due(facts, dues, now=T0 + dt.timedelta(hours=19), warn_before_hours=4, sent=set())
        == []
    )
    assert events_due(
        facts, dues, now=T0 + dt.timedelta(hours=21), warn_before_hours=4, sent=set()
    ) == ["arrival:warn"]
    sent = {"arrival:warn"}
    nxt = next_check(facts, dues, warn_before_hours=4, sent=sent)
    assert nxt == dues["arrival"] + dt.timedelta(microseconds=1)
    assert events_due(facts, dues, now=nxt, warn_before_hours=4, sent=sent) == ["arrival:breach"]


def test_business_hours_skip_holiday() -> None:
    """Working-hours mode: 国庆 holidays do not count."""
    schedule = WorkSchedule.from_pairs([["09:00", "18:00"]])
    holidays = frozenset(dt.date(2026, 10, d) for d in range(1, 8))
    cal = BusinessCalendar(holidays=holidays)
    start = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
    dues = deadlines(
        start,
        {"arrival": 2, "fixed": 9, "spare": 18},
        mode="business",
        schedule=schedule,
        calendar=cal,
    )
    # 1 h on 09-30, holidays 10-01..07, then 2026-10-08 (Thu) from 09:00
    assert dues["arrival"] == dt.datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)
    assert dues["fixed"] == dt.datetime(2026, 10, 8, 17, 0, tzinfo=SHANGHAI)
    assert dues["spare"] == dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError):
        deadlines(start, HOURS, mode="business")


@given(
    st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200), st.booleans()
)
def test_clock_properties(arrive_h: int, now_h: int, remote: bool) -> None:
    dues = deadlines(T0, HOURS)
    arrived = T0 + dt.timedelta(hours=arrive_h) if arrive_h <= now_h and not remote else None
    remote_at = T0 + dt.timedelta(hours=arrive_h) if remote and arrive_h <= now_h else None
    facts = RepairFacts(reported_at=T0, arrived_at=arrived, remote_at=remote_at)
    now = T0 + dt.timedelta(hours=now_h)
    keys = breached_keys(facts, dues, now=now)
    met = arrived or remote_at
    assert ("arrival" in keys) == ((met or now) > dues["arrival"])
    # a breach never un-happens as time passes
    later = breached_keys(facts, dues, now=now + dt.timedelta(hours=5))
    assert keys <= later
    nxt = next_check(facts, dues, warn_before_hours=4, sent=set())
    assert nxt is None or nxt > T0


def test_flow() -> None:
    s = "reported"
    for action in ("assign", "arrive", "spare", "sign_off", "close"):
        s = next_status(s, action)
    assert s == "closed"
    assert allowed_actions("closed") == []
    assert RepairAction.REMOTE in allowed_actions("assigned")
    assert RepairAction.REMOTE not in allowed_actions("arrived")
    with pytest.raises(TransitionError):
        next_status("reported", "arrive")
    with pytest.raises(TransitionError):
        next_status("remote", "sign_off")
    assert next_status("remote", "close") == "closed"
    assert next_status("spare", "fix") == "fixed"


def test_charges() -> None:
    lines = [
        Line("part", Decimal("2"), Decimal("380.00")),
        Line("part", Decimal("1.5"), Decimal("3.33")),
    ]
    assert order_total(
        lines, in_warranty=True, visited=True, default_labour_fee=Decimal("100")
    ) == Decimal("0.00")
    assert order_total(
        lines, in_warranty=False, visited=True, default_labour_fee=Decimal("100")
    ) == Decimal("865.00")
    lines.append(Line("labour", Decimal("1"), Decimal("150")))
    assert order_total(
        lines, in_warranty=False, visited=True, default_labour_fee=Decimal("100")
    ) == Decimal("915.00")
