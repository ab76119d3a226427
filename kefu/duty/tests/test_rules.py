"""Pure duty rules (no database): next shift, deadline, offline detection, monthly strikes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kefu.duty.rules import (
    Cell,
    ack_deadline,
    offline_finding,
    pick_incoming,
    status_at,
    strike_numbers,
)

TZ = dt.timezone(dt.timedelta(hours=8))
D = dt.date(2026, 12, 2)


def t(hour: float, day: dt.date = D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TZ) + dt.timedelta(hours=hour)


def cell(emp: int, code: str, start: float, end: float, day: dt.date = D) -> Cell:
    return Cell(emp, day, code, t(start, day), t(end, day))


NEXT = D + dt.timedelta(days=1)
ROSTER = [
    cell(1, "day", 8.5, 17.5),
    cell(2, "night", 17.5, 24),
    cell(3, "evening", 18.5, 24),
    cell(1, "night", 17.5, 24, NEXT),
    cell(2, "day", 8.5, 17.5, NEXT),
    cell(4, "day", 8.5, 17.5, NEXT),
]


def test_day_hands_over_to_night_not_to_the_later_evening_shift() -> None:
    found = pick_incoming(t(8.5), t(17.5), ROSTER, overlap_minutes=120, exclude=[1])
    assert found is not None
    assert (found.day, found.codes, found.employee_ids) == (D, ("night",), (2,))


def test_night_hands_over_to_next_morning() -> None:
    found = pick_incoming(t(17.5), t(24), ROSTER, overlap_minutes=120, exclude=[2])
    assert found is not None
    assert (found.day, found.code, found.employee_ids) == (NEXT, "day", (4,))
    assert found.start == t(8.5, NEXT)
    # The writer is never their own relief, even when working the next morning too.
    both = pick_incoming(t(17.5), t(24), ROSTER, overlap_minutes=120)
    assert both is not None and both.employee_ids == (2, 4)


def test_three_shift_rotation_and_overlap() -> None:
    roster = [
        cell(1, "early", 8, 16),
        cell(2, "middle", 16, 24),
        cell(3, "graveyard", 0, 8, NEXT),
        cell(4, "early", 8, 16, NEXT),
    ]
    assert pick_incoming(t(8), t(16), roster, overlap_minutes=0).employee_ids == (2,)
    assert pick_incoming(t(16), t(24), roster, overlap_minutes=0).employee_ids == (3,)
    # 中班 starting 16:00 still follows a 白班 ending 17:30 with enough overlap allowed.
    day = [cell(1, "day", 8.5, 17.5), cell(2, "middle", 16, 24), cell(3, "day", 8.5, 17.5, NEXT)]
    assert pick_incoming(t(8.5), t(17.5), day, overlap_minutes=120).employee_ids == (2,)
    assert pick_incoming(t(8.5), t(17.5), day, overlap_minutes=0).employee_ids == (3,)


def test_nobody_next_gives_none() -> None:
    assert pick_incoming(t(8.5), t(17.5), [cell(1, "day", 8.5, 17.5)], overlap_minutes=60) is None


def test_ack_deadline_counts_from_the_later_of_shift_start_and_writing() -> None:
    assert ack_deadline(t(17.5), t(17.4), 30) == t(18)
    assert ack_deadline(t(17.5), t(19), 30) == t(19.5)
    assert ack_deadline(None, t(19), 30) == t(19.5)


def test_never_signed_in_is_offline_for_the_whole_shift() -> None:
    found = offline_finding([], initial="offline", start=t(8.5), end=t(17.5), grace_minutes=10)
    assert found is not None and found.minutes == 9 * 60 and found.kind == "offline"


def test_short_drop_under_grace_and_away_do_not_count() -> None:
    events = [(t(8.4), "online"), (t(10), "offline"), (t(10.1), "online"), (t(12), "away")]
    assert (
        offline_finding(
            [e for e in events if e[0] > t(8.5)],
            initial="online",
            start=t(8.5),
            end=t(17.5),
            grace_minutes=10,
        )
        is None
    )


def test_hidden_then_offline_is_one_period_and_events_before_start_set_the_initial() -> None:
    events = [(t(7), "online"), (t(9), "hidden"), (t(9.1), "offline"), (t(9.5), "online")]
    found = offline_finding(events, initial="offline", start=t(8.5), end=t(17.5), grace_minutes=10)
    assert found is not None
    assert (found.started_at, found.minutes, found.kind, found.periods) == (t(9), 30, "hidden", 1)


def test_status_at() -> None:
    events = [(t(8), "online"), (t(12), "away")]
    assert status_at(events, t(7)) == "offline"
    assert status_at(events, t(13)) == "away"


def test_every_third_counted_violation_of_a_month_is_a_strike() -> None:
    rows = [(1, dt.date(2026, 12, d), t(9, dt.date(2026, 12, d))) for d in (1, 3, 5, 7, 9, 11)]
    rows += [(2, dt.date(2026, 12, 2), t(9)), (2, dt.date(2026, 12, 4), t(9))]
    rows += [(1, dt.date(2027, 1, 2), t(9, dt.date(2027, 1, 2)))]  # a new month starts at one
    assert strike_numbers(rows, lambda d: 3) == [
        (1, dt.date(2026, 12, 5), 3),
        (1, dt.date(2026, 12, 11), 6),
    ]


statuses = st.sampled_from(["online", "away", "hidden", "offline"])


@given(
    st.lists(st.tuples(st.integers(0, 600), statuses), max_size=20),
    statuses,
    st.integers(0, 60),
)
def test_offline_finding_stays_within_the_window(changes, initial, grace) -> None:
    start, end = t(8), t(18)
    events = sorted((start + dt.timedelta(minutes=m), s) for m, s in changes)
    found = offline_finding(events, initial=initial, start=start, end=end, grace_minutes=grace)
    reachable = initial not in ("offline", "hidden") and all(
        s in ("online", "away") for _, s in events
    )
    if reachable:
        assert found is None
    if found is not None:
        assert start <= found.started_at < end
        assert 1 <= found.minutes <= 600
        assert found.kind in ("offline", "hidden")
        assert found.periods >= 1
