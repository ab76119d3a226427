"""Pure meeting rules (no database): recurrence dates, monthly "25日前周五", periods, ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kefu.core.calendar import BusinessCalendar
from kefu.meetings.ranking import Learner, rank_learners
from kefu.meetings.recurrence import (
    Rule,
    monthly_date,
    occurrence_dates,
    period_bounds,
    rule_errors,
)

NATIONAL_DAY = frozenset(dt.date(2026, 10, d) for d in range(1, 8))
CAL = BusinessCalendar(holidays=NATIONAL_DAY, adjusted_workdays=frozenset({dt.date(2026, 10, 10)}))


def test_weekly_monday_skips_the_national_day_holiday() -> None:
    rule = Rule("weekly", dt.date(2026, 9, 1), weekday=0)
    dates = occurrence_dates(rule, dt.date(2026, 9, 20), dt.date(2026, 10, 20), CAL)
    assert dates == [
        dt.date(2026, 9, 21),
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 19),
    ]
    keep = Rule("weekly", dt.date(2026, 9, 1), weekday=0, skip_holidays=False)
    assert dt.date(2026, 10, 5) in occurrence_dates(
        keep, dt.date(2026, 10, 1), dt.date(2026, 10, 7), CAL
    )


def test_workdays_follow_the_calendar_including_adjusted_saturdays() -> None:
    rule = Rule("workdays", dt.date(2026, 9, 1))
    dates = occurrence_dates(rule, dt.date(2026, 9, 28), dt.date(2026, 10, 11), CAL)
    assert dates == [
        dt.date(2026, 9, 28),
        dt.date(2026, 9, 29),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),
    ]


def test_monthly_last_friday_on_or_before_the_25th() -> None:
    assert monthly_date(2026, 12, 25, 4) == dt.date(2026, 12, 25)  # a Friday itself
    assert monthly_date(2026, 11, 25, 4) == dt.date(2026, 11, 20)
    assert monthly_date(2026, 2, 31, None) == dt.date(2026, 2, 28)
    assert monthly_date(2026, 3, 2, 4) == dt.date(2026, 3, 6)  # none before: the first one
    rule = Rule("monthly", dt.date(2026, 1, 1), day_of_month=25, weekday=4)
    dates = occurrence_dates(rule, dt.date(2026, 10, 1), dt.date(2026, 12, 31), CAL)
    assert dates == [dt.date(2026, 10, 23), dt.date(2026, 11, 20), dt.date(2026, 12, 25)]


def test_once_and_series_bounds() -> None:
    once = Rule("once", dt.date(2026, 12, 3))
    assert occurrence_dates(once, dt.date(2026, 12, 1), dt.date(2026, 12, 31), CAL) == [
        dt.date(2026, 12, 3)
    ]
    ended = Rule("weekly", dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 10), weekday=0)
    assert occurrence_dates(ended, dt.date(2026, 12, 1), dt.date(2026, 12, 31), CAL) == [
        dt.date(2026, 12, 7)
    ]


def test_rule_errors_name_the_field() -> None:
    errors = rule_errors(
        recurrence="weekly",
        weekday=None,
        day_of_month=None,
        starts_on=dt.date(2026, 12, 3),
        ends_on=dt.date(2026, 12, 1),
        start_time=dt.time(10),
        end_time=dt.time(9, 30),
    )
    assert set(errors) == {"weekday", "ends_on", "end_time"}
    assert rule_errors(
        recurrence="monthly",
        weekday=None,
        day_of_month=None,
        starts_on=None,
        ends_on=None,
        start_time=dt.time(9),
        end_time=dt.time(10),
    ).keys() == {"day_of_month", "starts_on"}


def test_periods() -> None:
    assert period_bounds(dt.date(2026, 12, 15), "month") == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
    )
    assert period_bounds(dt.date(2026, 5, 15), "quarter") == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )


def _learner(i: int, days: int | None, score: int = 80) -> Learner:
    start = dt.date(2026, 12, 1)
    return Learner(
        i,
        100 + i,
        200 + i,
        start,
        start + dt.timedelta(days=days) if days is not None else None,
        Decimal(score),
    )


def test_fastest_learners_earn_their_mentors_150_100_50() -> None:
    rewards = [Decimal("150"), Decimal("100"), Decimal("50")]
    ranked = rank_learners(
        [_learner(1, 20), _learner(2, 12), _learner(3, None), _learner(4, 12, 95), _learner(5, 30)],
        rewards,
    )
    assert [(r.learner.mentorship_id, r.rank, r.days, r.amount) for r in ranked] == [
        (4, 1, 12, Decimal("150")),  # same days, better score
        (2, 2, 12, Decimal("100")),
        (1, 3, 20, Decimal("50")),
        (5, 4, 30, Decimal("0")),
    ]


@given(st.lists(st.one_of(st.none(), st.integers(0, 90)), max_size=12))
def test_ranking_is_ordered_and_pays_at_most_the_listed_rewards(days) -> None:
    rewards = [Decimal("150"), Decimal("100"), Decimal("50")]
    ranked = rank_learners([_learner(i, d) for i, d in enumerate(days)], rewards)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r.days for r in ranked] == sorted(r.days for r in ranked)
    assert len(ranked) == sum(1 for d in days if d is not None)
    assert sum(r.amount for r in ranked) == sum(rewards[: len(ranked)], Decimal(0))


@given(
    st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    st.integers(0, 60),
    st.integers(0, 6),
)
def test_weekly_dates_are_that_weekday_within_range(start, span, weekday) -> None:
    rule = Rule("weekly", start, weekday=weekday, skip_holidays=False)
    end = start + dt.timedelta(days=span)
    dates = occurrence_dates(rule, start, end, BusinessCalendar())
    assert all(d.weekday() == weekday and start <= d <= end for d in dates)
    assert len(dates) in (span // 7, span // 7 + 1)
