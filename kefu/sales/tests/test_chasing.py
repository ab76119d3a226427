"""The chasing rule (seed 000: 拍下后一小时内没催付的,抽查一次扣5元) — pure, no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kefu.core.calendar import SHANGHAI
from kefu.sales.chasing import chase_deadline, chase_state, missed_chase
from kefu.sales.choices import ChaseState, UnpaidStatus

PLACED = dt.datetime(2026, 6, 2, 10, 0, tzinfo=SHANGHAI)
DEADLINE = chase_deadline(PLACED, 60)
minutes = st.integers(min_value=-30, max_value=600)
maybe = st.one_of(st.none(), minutes)


def at(m: int | None) -> dt.datetime | None:
    return None if m is None else PLACED + dt.timedelta(minutes=m)


def test_deadline_is_placed_plus_window() -> None:
    assert chase_deadline(PLACED, 60) == dt.datetime(2026, 6, 2, 11, 0, tzinfo=SHANGHAI)
    assert chase_deadline(PLACED, 30) == dt.datetime(2026, 6, 2, 10, 30, tzinfo=SHANGHAI)


def test_examples() -> None:
    late = PLACED + dt.timedelta(hours=2)
    assert missed_chase(deadline=DEADLINE, handled=(None, None, None), now=late)
    assert not missed_chase(deadline=DEADLINE, handled=(DEADLINE, None, None), now=late)  # 11:00
    assert missed_chase(deadline=DEADLINE, handled=(at(61), None, None), now=late)  # 11:01
    assert not missed_chase(deadline=DEADLINE, handled=(None, at(20), None), now=late)  # paid
    assert not missed_chase(deadline=DEADLINE, handled=(None, None, None), now=DEADLINE)


@given(chase=maybe, paid=maybe, closed=maybe, now=minutes)
def test_missed_iff_deadline_passed_and_nothing_in_time(
    chase: int | None, paid: int | None, closed: int | None, now: int
) -> None:
    handled = (at(chase), at(paid), at(closed))
    in_time = any(m is not None and m <= 60 for m in (chase, paid, closed))
    assert missed_chase(deadline=DEADLINE, handled=handled, now=at(now)) == (
        now > 60 and not in_time
    )


@given(chase=maybe, paid=maybe, now=minutes, later=st.integers(min_value=0, max_value=10_000))
def test_a_miss_is_final(chase: int | None, paid: int | None, now: int, later: int) -> None:
    """Time passing or a chase/payment after the deadline never undoes a miss."""
    handled = (at(chase), at(paid), None)
    if missed_chase(deadline=DEADLINE, handled=handled, now=at(now)):
        assert missed_chase(deadline=DEADLINE, handled=handled, now=at(now + later))
        after = at(61 + later)
        assert missed_chase(deadline=DEADLINE, handled=(*handled[:2], after), now=at(now))


@given(m=st.integers(min_value=0, max_value=60), now=minutes)
def test_a_chase_within_the_hour_is_never_missed(m: int, now: int) -> None:
    assert not missed_chase(deadline=DEADLINE, handled=(at(m), None, None), now=at(now))


@given(
    status=st.sampled_from(list(UnpaidStatus)),
    chase=maybe,
    paid=maybe,
    now=minutes,
)
def test_state(status: str, chase: int | None, paid: int | None, now: int) -> None:
    state = chase_state(
        status=status,
        deadline=DEADLINE,
        chased_at=at(chase),
        paid_at=at(paid),
        closed_at=None,
        now=at(now),
    )
    if status == UnpaidStatus.PAID:
        assert state == ChaseState.PAID
    elif status == UnpaidStatus.CLOSED:
        assert state == ChaseState.CLOSED
    elif chase is not None:
        assert state == ChaseState.CHASED
    elif now > 60 and not (paid is not None and paid <= 60):
        assert state == ChaseState.LATE
    else:
        assert state == ChaseState.PENDING
