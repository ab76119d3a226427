"""The pure classifier (WFM-5): every status, the thresholds, night shifts, and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.attendance.choices import DayStatus, IncidentRule
from kefu.attendance.classify import (
    Clock,
    DayFacts,
    LateBandRule,
    Rules,
    assignment_windows,
    classify_day,
    early_minutes,
    late_minutes,
    pick_clocks,
    severity,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
START = dt.datetime(2026, 3, 10, 8, 30, tzinfo=TZ)
END = dt.datetime(2026, 3, 10, 17, 30, tzinfo=TZ)
CLOSE = END + dt.timedelta(hours=6)
DEADLINE = dt.datetime(2026, 3, 13, 0, 0, tzinfo=TZ)  # 2 days to ask for 补卡
LATER = DEADLINE + dt.timedelta(days=1)
R = Rules()


def at(h: int, m: int = 0, s: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, h, m, s, tzinfo=TZ)


def facts(*clocks: Clock, now: dt.datetime = LATER, code: str = "day", **kw) -> DayFacts:
    return DayFacts(
        code=code,
        shift=kw.pop("shift", (START, END)),
        clocks=tuple(clocks),
        now=now,
        close=kw.pop("close", CLOSE),
        fix_deadline=kw.pop("fix_deadline", DEADLINE),
        shift_name="白班",
        **kw,
    )


def IN(t: dt.datetime) -> Clock:
    return Clock(t, "in")


def OUT(t: dt.datetime) -> Clock:
    return Clock(t, "out")


# --- minutes ----------------------------------------------------------------------------------
def test_late_minutes_are_whole_minutes_from_the_start() -> None:
    assert late_minutes(at(8, 30, 59), START) == 0
    assert late_minutes(at(8, 31), START) == 1
    assert late_minutes(at(8, 0), START) == 0
    assert late_minutes(at(9, 0), START) == 30
    # grace: on time within it, then counted from the start
    assert late_minutes(at(8, 35), START, grace=5) == 0
    assert late_minutes(at(8, 36), START, grace=5) == 6


def test_early_minutes() -> None:
    assert early_minutes(at(17, 30), END) == 0
    assert early_minutes(at(17, 29, 30), END) == 0
    assert early_minutes(at(17, 29), END) == 1
    assert early_minutes(at(18, 0), END) == 0
    assert early_minutes(at(17, 25), END, grace=5) == 0
    assert early_minutes(at(17, 24), END, grace=5) == 6


# --- statuses ---------------------------------------------------------------------------------
def test_on_time_is_normal_and_no_incident() -> None:
    r = classify_day(facts(IN(at(8, 20)), OUT(at(17, 35))), R)
    assert r.status == DayStatus.NORMAL and r.penalties == () and r.final
    assert (r.clock_in, r.clock_out) == (at(8, 20), at(17, 35))


def test_late_is_half_a_point_per_policy() -> None:
    r = classify_day(facts(IN(at(8, 42)), OUT(at(17, 31))), R)
    assert r.status == DayStatus.LATE and r.late_minutes == 12
    (p,) = r.penalties
    assert p.rule == IncidentRule.LATE and p.points == Decimal("-0.5") and p.money == 0
    assert p.quantity == 12 and p.description == "迟到 12 分钟"


def test_late_exactly_at_the_threshold_is_still_late_beyond_is_absence() -> None:
    r = classify_day(facts(IN(at(9, 0)), OUT(at(17, 31))), R)
    assert r.status == DayStatus.LATE and r.late_minutes == 30
    r = classify_day(facts(IN(at(9, 1)), OUT(at(17, 31))), R)
    assert r.status == DayStatus.ABSENT and r.late_minutes == 31
    (p,) = r.penalties
    assert p.rule == IncidentRule.ABSENCE and p.points == Decimal(-2)
    assert p.description == "迟到 31 分钟，超过 30 分钟按旷工"


def test_late_bands_variant() -> None:
    bands = Rules(
        late_as_absence_minutes=10,
        late_bands=(
            LateBandRule(5, Decimal(1), Decimal(0)),
            LateBandRule(10, Decimal(5), Decimal(20)),
        ),
    )
    assert classify_day(facts(IN(at(8, 34)), OUT(at(18))), bands).points == Decimal(-1)
    assert classify_day(facts(IN(at(8, 35)), OUT(at(18))), bands).points == Decimal(-1)
    r = classify_day(facts(IN(at(8, 36)), OUT(at(18))), bands)
    assert (r.points, r.money) == (Decimal(-5), Decimal(-20))
    assert classify_day(facts(IN(at(8, 41)), OUT(at(18))), bands).status == DayStatus.ABSENT


def test_lateness_beyond_the_last_band_takes_the_last_band() -> None:
    rules = Rules(late_bands=(LateBandRule(5, Decimal(1), Decimal(0)),))
    assert classify_day(facts(IN(at(8, 50)), OUT(at(18))), rules).points == Decimal(-1)


def test_early_leave_and_both() -> None:
    r = classify_day(facts(IN(at(8, 25)), OUT(at(17, 10))), R)
    assert r.status == DayStatus.EARLY and r.early_minutes == 20
    assert [p.rule for p in r.penalties] == [IncidentRule.EARLY_LEAVE]
    r = classify_day(facts(IN(at(8, 35)), OUT(at(17, 10))), R)
    assert r.status == DayStatus.LATE_EARLY
    assert [p.rule for p in r.penalties] == [IncidentRule.LATE, IncidentRule.EARLY_LEAVE]
    assert r.points == Decimal(-1)


def test_leaving_more_than_the_limit_early_is_absence() -> None:
    r = classify_day(facts(IN(at(8, 25)), OUT(at(16, 59))), R)
    assert r.status == DayStatus.ABSENT and r.early_minutes == 31
    assert r.penalties[0].description == "早退 31 分钟，超过 30 分钟按旷工"
    unlimited = Rules(early_leave_as_absence_minutes=0)
    assert classify_day(facts(IN(at(8, 25)), OUT(at(12))), unlimited).status == DayStatus.EARLY


def test_no_clock_is_missed_until_the_deadline_then_truancy() -> None:
    before = classify_day(facts(now=at(23, 40)), R)
    assert before.status == DayStatus.MISSED and not before.final and before.penalties == ()
    r = classify_day(facts(), R)
    assert r.status == DayStatus.TRUANCY and r.final and r.missing_in and r.missing_out
    (p,) = r.penalties
    assert p.rule == IncidentRule.TRUANCY and p.points == Decimal(-5) and p.pay_days == 1
    assert p.description == "白班全天未打卡且未请假，视为擅自休息（旷班）"


def test_no_show_read_as_absence_by_policy() -> None:
    r = classify_day(facts(), Rules(no_show_as="absence"))
    assert r.status == DayStatus.ABSENT and r.penalties[0].rule == IncidentRule.ABSENCE
    assert r.penalties[0].description == "白班全天未打卡，按旷工处理"


def test_pending_correction_keeps_the_gap_open() -> None:
    r = classify_day(facts(fix_pending=True), R)
    assert r.status == DayStatus.MISSED and r.penalties == () and not r.final


def test_missing_clock_out() -> None:
    before = classify_day(facts(IN(at(8, 20)), now=at(20)), R)
    assert before.status == DayStatus.NORMAL and not before.missing_out and not before.final
    open_gap = classify_day(facts(IN(at(8, 20)), now=at(23, 59)), R)
    assert open_gap.status == DayStatus.MISSED and open_gap.missing_out
    assert open_gap.penalties == ()
    r = classify_day(facts(IN(at(8, 40))), R)
    assert r.status == DayStatus.MISSED and r.final
    assert [p.rule for p in r.penalties] == [IncidentRule.LATE, IncidentRule.MISSED_CLOCK]
    missed = r.penalties[1]
    assert missed.money == Decimal(-30) and missed.description == "缺下班卡，2天内未补卡，视为脱岗"


def test_missing_clock_in_with_early_clock_out() -> None:
    r = classify_day(facts(OUT(at(17, 20))), R)
    assert r.missing_in and r.early_minutes == 10 and r.status == DayStatus.MISSED
    assert [p.rule for p in r.penalties] == [IncidentRule.EARLY_LEAVE, IncidentRule.MISSED_CLOCK]
    assert r.penalties[1].description == "缺上班卡，2天内未补卡，视为脱岗"


def test_late_shows_while_the_shift_runs() -> None:
    r = classify_day(facts(IN(at(8, 45)), now=at(9)), R)
    assert r.status == DayStatus.LATE and r.late_minutes == 15 and not r.final
    assert [p.rule for p in r.penalties] == [IncidentRule.LATE]


def test_before_any_clock_the_day_is_pending() -> None:
    assert classify_day(facts(now=at(7)), R).status == DayStatus.PENDING
    assert classify_day(facts(now=at(9)), R).status == DayStatus.PENDING


def test_rest_leave_unscheduled_are_never_incidents() -> None:
    for code, status in (("rest", DayStatus.REST), ("leave", DayStatus.LEAVE)):
        r = classify_day(facts(IN(at(9)), code=code, shift=None), R)
        assert r.status == status and r.penalties == () and r.final
    r = classify_day(DayFacts(code=None, shift=None, clocks=(IN(at(9)),), now=LATER), R)
    assert r.status == DayStatus.UNSCHEDULED and r.clock_in == at(9)
    unknown = classify_day(DayFacts(code="gone", shift=None, clocks=(), now=LATER), R)
    assert unknown.status == DayStatus.UNSCHEDULED


def test_clocks_without_type_read_by_the_midpoint() -> None:
    assert pick_clocks([Clock(at(8, 29)), Clock(at(17, 40))], START, END) == (at(8, 29), at(17, 40))
    assert pick_clocks([Clock(at(8, 29)), Clock(at(8, 30))], START, END) == (at(8, 29), None)
    assert pick_clocks([Clock(at(17, 40))], START, END) == (None, at(17, 40))
    assert pick_clocks([IN(at(9)), Clock(at(8, 10))], START, END) == (at(8, 10), None)


def test_earliest_in_and_latest_out_count() -> None:
    r = classify_day(facts(IN(at(8, 40)), IN(at(8, 20)), OUT(at(17)), OUT(at(17, 45))), R)
    assert (r.clock_in, r.clock_out, r.status) == (at(8, 20), at(17, 45), DayStatus.NORMAL)


# --- night shift crossing midnight ------------------------------------------------------------
NIGHT = (at(17, 30), at(1, 0, day=11))


def test_night_shift_crossing_midnight() -> None:
    f = facts(
        IN(at(17, 25)),
        OUT(at(0, 50, day=11)),
        shift=NIGHT,
        close=at(4, 45, day=11),
        now=LATER,
    )
    r = classify_day(f, R)
    assert r.status == DayStatus.EARLY and r.early_minutes == 10
    ok = classify_day(
        facts(IN(at(17, 25)), OUT(at(1, 5, day=11)), shift=NIGHT, close=at(4, 45, day=11)), R
    )
    assert ok.status == DayStatus.NORMAL
    # at 00:30 the shift still runs: no clock-out yet is not a gap
    running = classify_day(
        facts(IN(at(17, 25)), shift=NIGHT, close=at(4, 45, day=11), now=at(0, 30, day=11)), R
    )
    assert running.status == DayStatus.NORMAL and not running.final


def test_assignment_windows_split_the_night_between_two_shifts() -> None:
    day_shift_11 = (at(8, 30, day=11), at(17, 30, day=11))
    windows = assignment_windows(
        [(dt.date(2026, 3, 9), None), (DAY, NIGHT), (dt.date(2026, 3, 11), day_shift_11)],
        tz=TZ,
        open_minutes=240,
        close_minutes=360,
    )
    lo, hi = windows[DAY]
    assert lo == at(13, 30) and hi == at(4, 45, day=11)  # midpoint of 01:00 and 08:30
    assert windows[dt.date(2026, 3, 11)][0] == hi
    # the rest day before gives way to the night shift's window
    assert windows[dt.date(2026, 3, 9)] == (at(0, day=9), at(0, day=10))


def test_rest_day_after_a_night_shift_starts_when_the_shift_window_ends() -> None:
    windows = assignment_windows(
        [(DAY, NIGHT), (dt.date(2026, 3, 11), None)], tz=TZ, open_minutes=240, close_minutes=360
    )
    assert windows[DAY][1] == at(7, 0, day=11)
    assert windows[dt.date(2026, 3, 11)] == (at(7, 0, day=11), at(0, day=12))


def test_severity_order() -> None:
    assert severity(DayStatus.TRUANCY) < severity(DayStatus.ABSENT) < severity(DayStatus.LATE)
    assert severity(DayStatus.LATE) < severity(DayStatus.NORMAL) < severity(DayStatus.REST)


# --- properties -------------------------------------------------------------------------------
minutes = st.integers(min_value=-120, max_value=360)
rules = st.builds(
    Rules,
    grace_minutes=st.integers(0, 15),
    early_leave_grace_minutes=st.integers(0, 15),
    late_as_absence_minutes=st.integers(1, 120),
    early_leave_as_absence_minutes=st.integers(0, 120),
    no_show_as=st.sampled_from(["truancy", "absence"]),
)


def _day(in_offset: int | None, out_offset: int | None, now: dt.datetime, **kw) -> DayFacts:
    clocks = []
    if in_offset is not None:
        clocks.append(IN(START + dt.timedelta(minutes=in_offset)))
    if out_offset is not None:
        clocks.append(OUT(END + dt.timedelta(minutes=out_offset)))
    return facts(*clocks, now=now, **kw)


@settings(max_examples=300)
@given(a=minutes, b=minutes, out=st.one_of(st.none(), minutes), r=rules)
def test_a_later_clock_in_never_gives_fewer_late_minutes(a, b, out, r) -> None:
    early, late = sorted((a, b))
    first = classify_day(_day(early, out, LATER), r)
    second = classify_day(_day(late, out, LATER), r)
    assert second.late_minutes >= first.late_minutes
    assert severity(second.status) <= severity(first.status) or first.status == second.status


@settings(max_examples=300)
@given(
    in_offset=st.integers(-240, 0),
    out_offset=st.integers(0, 300),
    r=rules,
    now=st.sampled_from([at(20), LATER]),
)
def test_on_time_is_never_an_incident(in_offset, out_offset, r, now) -> None:
    result = classify_day(_day(in_offset, out_offset, now), r)
    assert result.penalties == ()
    assert result.status == DayStatus.NORMAL


@settings(max_examples=300)
@given(
    in_offset=st.one_of(st.none(), minutes),
    out_offset=st.one_of(st.none(), minutes),
    r=rules,
    now=st.sampled_from([at(7), at(12), at(20), at(23, 59), LATER]),
    pending=st.booleans(),
)
def test_penalties_are_deductions_and_the_status_matches(
    in_offset, out_offset, r, now, pending
) -> None:
    result = classify_day(_day(in_offset, out_offset, now, fix_pending=pending), r)
    for p in result.penalties:
        assert p.points <= 0 and p.money <= 0 and p.pay_days >= 0
    rules_found = {p.rule for p in result.penalties}
    if result.status in (DayStatus.NORMAL, DayStatus.PENDING):
        assert not rules_found
    if result.status == DayStatus.ABSENT:
        assert rules_found == {IncidentRule.ABSENCE}
    if result.status == DayStatus.TRUANCY:
        assert rules_found == {IncidentRule.TRUANCY}
    if IncidentRule.MISSED_CLOCK in rules_found:
        assert now >= DEADLINE and not pending
    # one day, one absence: never an absence together with lateness or early leave
    if IncidentRule.ABSENCE in rules_found:
        assert len(result.penalties) == 1


@settings(max_examples=200)
@given(
    offsets=st.lists(minutes, min_size=0, max_size=5),
    directions=st.lists(st.sampled_from(["in", "out", ""]), min_size=5, max_size=5),
    r=rules,
)
def test_the_order_of_clocks_does_not_matter(offsets, directions, r) -> None:
    clocks = [
        Clock(START + dt.timedelta(minutes=o * 3), d)
        for o, d in zip(offsets, directions, strict=False)
    ]
    forward = classify_day(facts(*clocks), r)
    backward = classify_day(facts(*reversed(clocks)), r)
    assert forward == backward


@settings(max_examples=100)
@given(
    code=st.sampled_from(["rest", "leave", None]),
    offsets=st.lists(minutes, max_size=4),
)
def test_days_off_are_never_incidents(code, offsets) -> None:
    clocks = tuple(IN(START + dt.timedelta(minutes=o)) for o in offsets)
    result = classify_day(DayFacts(code=code, shift=None, clocks=clocks, now=LATER), R)
    assert result.penalties == () and result.final
