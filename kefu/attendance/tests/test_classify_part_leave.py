"""Half-day leave in the pure classifier (WFM-4, WFM-5): approved leave of half a day or less keeps
the shift in the roster; the classifier excuses the half it covers — 上半班 (arrive at the
half-day point) or 下半班 (leave at it)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.attendance.choices import DayStatus
from kefu.attendance.classify import (
    PART_END,
    PART_START,
    Rules,
    classify_day,
    expected_window,
    half_day_point,
)

from .test_classify import END, IN, LATER, OUT, START, at, facts, rules

R = Rules()
HALF = half_day_point(START, END)  # 13:00 for 白班 08:30–17:30


def test_the_half_day_point_is_the_middle_of_the_shift() -> None:
    assert at(13) == HALF
    assert expected_window((START, END), PART_START) == (at(13), END)
    assert expected_window((START, END), PART_END) == (START, at(13))
    assert expected_window((START, END)) == (START, END)


def test_morning_leave_arriving_at_the_half_day_point_is_not_late() -> None:
    result = classify_day(facts(IN(at(13)), OUT(at(17, 30)), part_leave=PART_START), R)
    assert result.status == DayStatus.NORMAL and result.penalties == ()
    # without the leave the same day is 旷工 (4 h 30 late)
    assert classify_day(facts(IN(at(13)), OUT(at(17, 30))), R).status == DayStatus.ABSENT


def test_morning_leave_lateness_counts_from_the_half_day_point() -> None:
    result = classify_day(facts(IN(at(13, 12)), OUT(at(17, 30)), part_leave=PART_START), R)
    assert result.status == DayStatus.LATE and result.late_minutes == 12
    beyond = classify_day(facts(IN(at(13, 31)), OUT(at(17, 30)), part_leave=PART_START), R)
    assert beyond.status == DayStatus.ABSENT


def test_afternoon_leave_leaving_at_the_half_day_point_is_not_early() -> None:
    result = classify_day(facts(IN(at(8, 30)), OUT(at(13)), part_leave=PART_END), R)
    assert result.status == DayStatus.NORMAL and result.early_minutes == 0
    early = classify_day(facts(IN(at(8, 30)), OUT(at(12, 50)), part_leave=PART_END), R)
    assert early.status == DayStatus.EARLY and early.early_minutes == 10
    # the morning is still owed: arriving late is late
    late = classify_day(facts(IN(at(8, 40)), OUT(at(13)), part_leave=PART_END), R)
    assert late.status == DayStatus.LATE and late.late_minutes == 10


def test_part_leave_does_not_excuse_a_no_show() -> None:
    result = classify_day(facts(part_leave=PART_START), R)
    assert result.status == DayStatus.TRUANCY


minutes = st.integers(min_value=-120, max_value=600)


@settings(max_examples=300)
@given(in_offset=minutes, out_offset=minutes, r=rules, part=st.sampled_from([PART_START, PART_END]))
def test_half_day_leave_never_makes_a_day_worse(in_offset, out_offset, r, part) -> None:
    """Property: with half-day leave the minutes late/early are never more than with the same
    clocks without it, and a day without an incident never gets one. (The number of incidents
    may grow: 271 minutes late is 旷工 without leave, but 1 minute late and 1 minute early with a
    morning off — two lighter incidents instead of one heavy one.)"""
    clocks = (
        IN(START + dt.timedelta(minutes=in_offset)),
        OUT(END - dt.timedelta(minutes=out_offset)),
    )
    plain = classify_day(facts(*clocks, now=LATER), r)
    excused = classify_day(facts(*clocks, now=LATER, part_leave=part), r)
    assert excused.late_minutes <= plain.late_minutes
    assert excused.early_minutes <= plain.early_minutes
    if not plain.penalties:
        assert not excused.penalties


@settings(max_examples=200)
@given(in_offset=st.integers(-240, 0), out_offset=st.integers(0, 300), r=rules)
def test_arriving_by_the_half_day_point_with_morning_leave_is_never_an_incident(
    in_offset, out_offset, r
) -> None:
    clocks = (
        IN(HALF + dt.timedelta(minutes=in_offset)),
        OUT(END + dt.timedelta(minutes=out_offset)),
    )
    result = classify_day(facts(*clocks, part_leave=PART_START), r)
    assert result.status == DayStatus.NORMAL and result.penalties == ()
