"""Holiday calendar and business time (WFM-2): the pure arithmetic, the DB loader, calendar_seed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.core.calendar import (
    MAX_DAYS_WITHOUT_WORK,
    SHANGHAI,
    BusinessCalendar,
    WorkSchedule,
    add_business_hours,
    add_business_hours_on_calendar,
    add_business_time,
    business_hours_between,
    business_hours_between_on_calendar,
    calendar_for_range,
    default_schedule,
    is_workday,
    next_working_moment,
    package_calendar_rows,
)
from kefu.core.choices import CalendarDayKind
from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent, CalendarDay


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def sh(text: str) -> dt.datetime:
    """A Shanghai wall-clock time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def days(first: str, last: str) -> frozenset[dt.date]:
    start, end = d(first), d(last)
    return frozenset(start + dt.timedelta(days=i) for i in range((end - start).days + 1))


# The State Council's notices for 2024 国庆节 and 2025 春节, written out by hand so the pure tests
# do not depend on the package.
REAL = BusinessCalendar(
    holidays=days("2024-10-01", "2024-10-07") | days("2025-01-28", "2025-02-04"),
    adjusted_workdays=frozenset(
        {d("2024-09-29"), d("2024-10-12"), d("2025-01-26"), d("2025-02-08")}
    ),
)
ORDINARY = BusinessCalendar()
SERVICE = WorkSchedule.from_pairs([["08:30", "24:00"]])
OFFICE = WorkSchedule.from_pairs([["08:30", "12:00"], ["13:30", "18:00"]])


# --- BusinessCalendar -----------------------------------------------------------------------
def test_ordinary_week():
    assert [ORDINARY.is_workday(d("2024-10-14") + dt.timedelta(days=i)) for i in range(7)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_real_holidays_and_adjusted_saturday():
    assert REAL.is_workday(d("2024-10-01")) is False  # 国庆节, a Tuesday
    assert REAL.is_workday(d("2025-01-29")) is False  # 春节 (正月初一), a Wednesday
    assert REAL.is_workday(d("2024-10-12")) is True  # 国庆节调休, a Saturday
    assert REAL.is_workday(d("2025-01-26")) is True  # 春节调休, a Sunday
    assert REAL.is_workday(d("2024-10-13")) is False  # the ordinary Sunday after it
    assert REAL.is_workday(d("2024-10-08")) is True


def test_explicit_workday_wins_over_holiday():
    cal = BusinessCalendar(
        holidays=frozenset({d("2024-10-01")}), explicit_workdays=frozenset({d("2024-10-01")})
    )
    assert cal.is_workday(d("2024-10-01")) is True
    assert BusinessCalendar(explicit_workdays=frozenset({d("2024-10-19")})).is_workday(
        d("2024-10-19")
    )


# --- WorkSchedule ---------------------------------------------------------------------------
def test_schedule_parses_24_00_as_end_of_day():
    assert SERVICE.intervals == ((8 * 3600 + 30 * 60, 24 * 3600),)
    assert SERVICE.seconds_per_day == 15 * 3600 + 30 * 60
    assert SERVICE.as_pairs() == [("08:30", "24:00")]
    start, end = SERVICE.windows(d("2024-10-08"))[0]
    assert end == sh("2024-10-09T00:00")
    assert start == sh("2024-10-08T08:30")


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [["09:00", "08:00"]],
        [["08:00", "12:00"], ["11:00", "18:00"]],  # overlap
        [["13:00", "18:00"], ["08:00", "12:00"]],  # not sorted
        [["24:00", "24:00"]],  # 24:00 only as an end
        [["08:00", "25:00"]],
        [["08:60", "12:00"]],
        [["8:30", "12:00"]],
        [["08:30"]],
    ],
)
def test_schedule_refuses_bad_windows(pairs):
    with pytest.raises(DomainError) as exc:
        WorkSchedule.from_pairs(pairs)
    assert exc.value.code == "calendar_schedule_invalid"
    assert "business_hours" in exc.value.fields


def test_touching_windows_are_allowed():
    schedule = WorkSchedule.from_pairs([["08:00", "12:00"], ["12:00", "24:00"]])
    assert add_business_hours(sh("2024-10-08T11:00"), 2, schedule, ORDINARY) == sh(
        "2024-10-08T13:00"
    )


# --- add_business_hours ---------------------------------------------------------------------
def test_inside_working_time_simple():
    assert add_business_hours(sh("2024-10-08T09:00"), 2, SERVICE, REAL) == sh("2024-10-08T11:00")


def test_crossing_midnight():
    # 23:30 Tuesday + 1h: 30 minutes until 24:00, the rest from 08:30 Wednesday.
    assert add_business_hours(sh("2024-10-15T23:30"), 1, SERVICE, REAL) == sh("2024-10-16T09:00")


def test_24_00_end():
    assert add_business_hours(sh("2024-10-15T23:00"), 0.5, SERVICE, REAL) == sh("2024-10-15T23:30")
    # A budget that runs out exactly at 24:00 falls due at the next working moment.
    assert add_business_hours(sh("2024-10-15T23:00"), 1, SERVICE, REAL) == sh("2024-10-16T08:30")
    assert business_hours_between(
        sh("2024-10-15T23:00"), sh("2024-10-16T00:30"), SERVICE, REAL
    ) == pytest.approx(1.0)
    assert business_hours_between(
        sh("2024-10-15T23:00"), sh("2024-10-16T09:00"), SERVICE, REAL
    ) == pytest.approx(1.5)


def test_weekend_is_skipped():
    # Friday 23:00 + 2h → Monday 09:30.
    assert add_business_hours(sh("2024-10-18T23:00"), 2, SERVICE, REAL) == sh("2024-10-21T09:30")
    # The ordinary calendar judges the same way; a full working day is 15.5 hours.
    assert add_business_hours(sh("2024-10-18T08:30"), 15.5 + 1, SERVICE, ORDINARY) == sh(
        "2024-10-21T09:30"
    )


def test_national_day_2024_is_skipped():
    # Monday 30 Sep 23:00 + 2h: one hour that night, then nothing until Tuesday 8 Oct.
    assert add_business_hours(sh("2024-09-30T23:00"), 2, SERVICE, REAL) == sh("2024-10-08T09:30")
    # Without the calendar the 1st (a Tuesday) would be a working day.
    assert add_business_hours(sh("2024-09-30T23:00"), 2, SERVICE, ORDINARY) == sh(
        "2024-10-01T09:30"
    )


def test_spring_festival_2025_is_skipped():
    # Monday 27 Jan 2025 (the day before 除夕) 23:30 + 1h → Wednesday 5 Feb 09:00.
    assert add_business_hours(sh("2025-01-27T23:30"), 1, SERVICE, REAL) == sh("2025-02-05T09:00")
    assert business_hours_between(
        sh("2025-01-27T08:30"), sh("2025-02-05T08:30"), SERVICE, REAL
    ) == pytest.approx(15.5)


def test_adjusted_saturday_is_worked():
    # Friday 11 Oct 2024 23:30 + 1h lands on Saturday 12 Oct, a 调休 working day.
    assert add_business_hours(sh("2024-10-11T23:30"), 1, SERVICE, REAL) == sh("2024-10-12T09:00")
    # A normal Saturday is not.
    assert add_business_hours(sh("2024-10-18T23:30"), 1, SERVICE, REAL) == sh("2024-10-21T09:00")
    # The 调休 Sunday before 春节 2025 counts too.
    assert add_business_hours(sh("2025-01-25T10:00"), 1, SERVICE, REAL) == sh("2025-01-26T09:30")


def test_two_windows():
    assert add_business_hours(sh("2024-10-15T11:30"), 1, OFFICE, REAL) == sh("2024-10-15T14:00")
    assert add_business_hours(sh("2024-10-15T17:00"), 2, OFFICE, REAL) == sh("2024-10-16T09:30")
    assert business_hours_between(
        sh("2024-10-15T11:00"), sh("2024-10-15T14:00"), OFFICE, REAL
    ) == pytest.approx(1.5)
    assert business_hours_between(
        sh("2024-10-15T08:00"), sh("2024-10-16T08:00"), OFFICE, REAL
    ) == pytest.approx(8.0)


def test_start_outside_working_time():
    # Before opening, in the lunch break, on a Saturday, on a holiday.
    assert add_business_hours(sh("2024-10-15T06:00"), 1, SERVICE, REAL) == sh("2024-10-15T09:30")
    assert add_business_hours(sh("2024-10-15T12:30"), 0.5, OFFICE, REAL) == sh("2024-10-15T14:00")
    assert add_business_hours(sh("2024-10-19T10:00"), 1, SERVICE, REAL) == sh("2024-10-21T09:30")
    assert add_business_hours(sh("2024-10-03T10:00"), 1, SERVICE, REAL) == sh("2024-10-08T09:30")


def test_zero_hours_normalises_the_start():
    inside = sh("2024-10-15T10:15:30.250000")
    assert add_business_hours(inside, 0, SERVICE, REAL) == inside
    assert add_business_hours(sh("2024-10-19T10:00"), 0, SERVICE, REAL) == sh("2024-10-21T08:30")
    assert add_business_hours(sh("2024-10-15T12:00"), 0, OFFICE, REAL) == sh("2024-10-15T13:30")
    assert next_working_moment(sh("2024-10-16T00:00"), SERVICE, REAL) == sh("2024-10-16T08:30")


def test_aware_in_any_zone_result_in_shanghai():
    start = dt.datetime(2024, 10, 15, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    result = add_business_hours(start, 1, SERVICE, REAL)
    assert result == sh("2024-10-15T10:00")
    assert result.utcoffset() == dt.timedelta(hours=8)


def test_decimal_hours():
    assert add_business_hours(sh("2024-10-15T09:00"), Decimal("1.25"), SERVICE, REAL) == sh(
        "2024-10-15T10:15"
    )


def test_bad_arguments():
    with pytest.raises(ValueError):
        add_business_hours(dt.datetime(2024, 10, 15, 9), 1, SERVICE, REAL)
    with pytest.raises(ValueError):
        add_business_hours(sh("2024-10-15T09:00"), -1, SERVICE, REAL)
    with pytest.raises(ValueError):
        add_business_hours(sh("2024-10-15T09:00"), float("nan"), SERVICE, REAL)
    with pytest.raises(ValueError):
        business_hours_between(dt.datetime(2024, 10, 15, 9), sh("2024-10-15T09:00"), SERVICE, REAL)


def test_calendar_without_workdays_raises_instead_of_looping():
    closed = BusinessCalendar(holidays=days("2024-01-01", "2026-12-31"))
    with pytest.raises(DomainError) as exc:
        add_business_hours(sh("2024-03-01T09:00"), 1, SERVICE, closed)
    assert exc.value.code == "calendar_no_workday"
    # A long but finite closure is crossed: the first workday after it is found.
    closure = BusinessCalendar(
        holidays=days("2024-03-01", "2024-03-01") | days("2024-03-04", "2025-01-01")
    )
    assert MAX_DAYS_WITHOUT_WORK > 310
    assert add_business_hours(sh("2024-02-29T23:30"), 1, SERVICE, closure) == sh("2025-01-02T09:00")


# --- business_hours_between -----------------------------------------------------------------
def test_between_is_zero_when_b_not_after_a():
    a = sh("2024-10-15T10:00")
    assert business_hours_between(a, a, SERVICE, REAL) == 0
    assert business_hours_between(a, a - dt.timedelta(hours=3), SERVICE, REAL) == 0


def test_between_counts_whole_seconds():
    a = sh("2024-10-15T10:00")
    assert business_hours_between(a, a + dt.timedelta(seconds=90), SERVICE, REAL) == 90 / 3600
    assert business_hours_between(a, a + dt.timedelta(milliseconds=400), SERVICE, REAL) == 0
    assert business_hours_between(a, a + dt.timedelta(milliseconds=1600), SERVICE, REAL) == 2 / 3600


def test_between_skips_holidays_and_weekends():
    # Friday 27 Sep 2024 08:30 → Tuesday 8 Oct 08:30: Fri, Sun 29 (调休), Mon 30 = 3 days.
    assert business_hours_between(
        sh("2024-09-27T08:30"), sh("2024-10-08T08:30"), SERVICE, REAL
    ) == pytest.approx(3 * 15.5)


# --- properties -----------------------------------------------------------------------------
SCHEDULES = [
    SERVICE,
    OFFICE,
    WorkSchedule.from_pairs([["00:00", "24:00"]]),
    WorkSchedule.from_pairs([["08:30", "17:30"], ["17:30", "24:00"]]),
]
starts = st.datetimes(
    min_value=dt.datetime(2024, 9, 1),
    max_value=dt.datetime(2025, 3, 1),
    timezones=st.just(SHANGHAI),
)
seconds = st.integers(min_value=0, max_value=300 * 3600)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(start=starts, secs=seconds, schedule=st.sampled_from(SCHEDULES))
def test_add_then_between_round_trips(start, secs, schedule):
    hours = secs / 3600
    normalised = add_business_hours(start, 0, schedule, REAL)
    end = add_business_hours(normalised, hours, schedule, REAL)
    assert business_hours_between(normalised, end, schedule, REAL) == hours
    # Time before the normalised start is not working time, so the raw start agrees.
    assert business_hours_between(start, end, schedule, REAL) == hours
    assert add_business_hours(start, hours, schedule, REAL) == end
    # The deadline is always a working moment.
    assert next_working_moment(end, schedule, REAL) == end


@PROPERTY
@given(start=starts, a=seconds, b=seconds, schedule=st.sampled_from(SCHEDULES))
def test_add_is_monotonic_in_hours(start, a, b, schedule):
    low, high = sorted((a, b))
    assert add_business_hours(start, low / 3600, schedule, REAL) <= add_business_hours(
        start, high / 3600, schedule, REAL
    )
    if high > low:
        assert add_business_hours(start, low / 3600, schedule, REAL) < add_business_hours(
            start, high / 3600, schedule, REAL
        )


@PROPERTY
@given(start=starts, a=seconds, b=seconds, schedule=st.sampled_from(SCHEDULES))
def test_add_is_additive(start, a, b, schedule):
    h1, h2 = a / 3600, b / 3600
    stepwise = add_business_hours(add_business_hours(start, h1, schedule, REAL), h2, schedule, REAL)
    assert stepwise == add_business_hours(start, h1 + h2, schedule, REAL)


@PROPERTY
@given(
    start=starts,
    micros=st.integers(min_value=0, max_value=300 * 3600 * 10**6),
    schedule=st.sampled_from(SCHEDULES),
)
def test_add_time_is_add_hours_to_the_microsecond(start, micros, schedule):
    # The SLA clock's timedelta path and the hours path (exact Decimal hours) agree.
    hours = Decimal(micros) / Decimal(3_600_000_000)
    expected = add_business_hours(start, hours, schedule, REAL)
    assert add_business_time(start, dt.timedelta(microseconds=micros), schedule, REAL) == expected


def test_add_time_refuses_negative_amounts():
    with pytest.raises(ValueError):
        add_business_time(sh("2024-10-08 09:00"), dt.timedelta(seconds=-1), SERVICE, REAL)


def test_day_windows_are_kept_and_equal_to_building_them():
    day = d("2024-10-08")
    first = SERVICE.windows(day)
    assert SERVICE.windows(day) is first  # kept per process
    rebuilt = WorkSchedule(intervals=SERVICE.intervals, tz=SERVICE.tz).windows(day)
    assert rebuilt == first == ((sh("2024-10-08 08:30"), sh("2024-10-09 00:00")),)


# --- database layer -------------------------------------------------------------------------
@pytest.fixture
def national_day_2024(db):
    rows = [
        CalendarDay(date=day, kind=CalendarDayKind.HOLIDAY, name="国庆节")
        for day in days("2024-10-01", "2024-10-07")
    ]
    rows += [
        CalendarDay(date=d("2024-09-29"), kind=CalendarDayKind.ADJUSTED_WORKDAY, name="国庆节调休"),
        CalendarDay(date=d("2024-10-12"), kind=CalendarDayKind.ADJUSTED_WORKDAY, name="国庆节调休"),
        CalendarDay(date=d("2024-10-19"), kind=CalendarDayKind.WORKDAY, name="公司盘点"),
    ]
    CalendarDay.objects.bulk_create(rows)


def test_calendar_for_range_loads_each_kind(national_day_2024):
    cal = calendar_for_range(d("2024-10-01"), d("2024-10-31"))
    assert cal.holidays == days("2024-10-01", "2024-10-07")
    assert cal.adjusted_workdays == {d("2024-10-12")}  # 29 Sep is outside the range
    assert cal.explicit_workdays == {d("2024-10-19")}
    assert is_workday(d("2024-10-12")) is True
    assert is_workday(d("2024-10-19")) is True
    assert is_workday(d("2024-10-02")) is False
    assert is_workday(d("2024-10-26")) is False  # a Saturday without a row


def test_default_schedule_comes_from_the_sla_policy(db):
    assert default_schedule(d("2024-10-08")).as_pairs() == [("08:30", "24:00")]


def test_add_on_stored_calendar(national_day_2024):
    assert add_business_hours_on_calendar(sh("2024-09-30T23:00"), 2) == sh("2024-10-08T09:30")
    assert add_business_hours_on_calendar(sh("2024-10-11T23:30"), 1) == sh("2024-10-12T09:00")
    assert add_business_hours_on_calendar(sh("2024-10-15T11:30"), 1, OFFICE) == sh(
        "2024-10-15T14:00"
    )
    assert business_hours_between_on_calendar(
        sh("2024-09-30T23:00"), sh("2024-10-08T09:30")
    ) == pytest.approx(2.0)


def test_add_on_stored_calendar_loads_past_a_long_closure(db):
    # 80 days of holidays: more than the first load covers, so the loader must widen its range.
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=CalendarDayKind.HOLIDAY, name="停业")
        for day in days("2024-03-01", "2024-05-20")
    )
    # The closure ends on Monday 20 May, so Tuesday 21 May is the first working day.
    assert add_business_hours_on_calendar(sh("2024-02-29T23:30"), 1) == sh("2024-05-21T09:00")


# --- calendar_seed --------------------------------------------------------------------------
def test_package_rows_have_chinese_names():
    rows = package_calendar_rows()
    assert rows[d("2025-01-29")] == (CalendarDayKind.HOLIDAY.value, "春节")
    assert rows[d("2024-10-01")] == (CalendarDayKind.HOLIDAY.value, "国庆节")
    assert rows[d("2024-04-04")] == (CalendarDayKind.HOLIDAY.value, "清明节")
    assert rows[d("2024-10-12")] == (CalendarDayKind.ADJUSTED_WORKDAY.value, "国庆节调休")
    assert rows[d("2025-01-26")] == (CalendarDayKind.ADJUSTED_WORKDAY.value, "春节调休")
    assert all(len(name) <= 40 for _kind, name in rows.values())
    assert not any(name.isascii() for _kind, name in rows.values())


def test_calendar_seed_creates_rows_and_is_idempotent(db, django_assert_max_num_queries):
    # An administrator entered one package date before the first seed, and one later year.
    CalendarDay.objects.create(date=d("2024-10-07"), kind=CalendarDayKind.WORKDAY, name="值班")
    CalendarDay.objects.create(date=d("2027-01-01"), kind=CalendarDayKind.HOLIDAY, name="元旦")
    expected = len(package_calendar_rows()) - 1

    out = StringIO()
    with django_assert_max_num_queries(20):  # bulk inserts, not one query per day
        call_command("calendar_seed", stdout=out)
    text = out.getvalue()
    assert "2004–2026" in text
    assert f"新增 {expected} 天" in text
    assert CalendarDay.objects.count() == expected + 2

    spring = CalendarDay.objects.get(date=d("2025-01-29"))
    assert (spring.kind, spring.name) == (CalendarDayKind.HOLIDAY, "春节")
    national = CalendarDay.objects.get(date=d("2024-10-01"))
    assert (national.kind, national.name) == (CalendarDayKind.HOLIDAY, "国庆节")
    adjusted = CalendarDay.objects.get(date=d("2024-10-12"))
    assert (adjusted.kind, adjusted.name) == (CalendarDayKind.ADJUSTED_WORKDAY, "国庆节调休")
    kept = CalendarDay.objects.get(date=d("2024-10-07"))
    assert (kept.kind, kept.name) == (CalendarDayKind.WORKDAY, "值班")
    event = AuditEvent.objects.get(action="calendar.seed")
    assert event.after["created"] == expected
    assert "2025-01-29" in event.after["dates"]
    assert "2024-10-07" not in event.after["dates"]

    # The administrator corrects a seeded row; a second run creates nothing and keeps the change.
    CalendarDay.objects.filter(date=d("2024-10-01")).update(
        kind=CalendarDayKind.WORKDAY, name="国庆节（值班）"
    )
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert "新增 0 天" in out.getvalue()
    assert CalendarDay.objects.count() == expected + 2
    edited = CalendarDay.objects.get(date=d("2024-10-01"))
    assert (edited.kind, edited.name) == (CalendarDayKind.WORKDAY, "国庆节（值班）")
    assert CalendarDay.objects.get(date=d("2027-01-01")).name == "元旦"
    assert AuditEvent.objects.filter(action="calendar.seed").count() == 1


def test_seeded_calendar_drives_the_arithmetic(db):
    call_command("calendar_seed", stdout=StringIO())
    assert add_business_hours_on_calendar(sh("2025-01-27T23:30"), 1) == sh("2025-02-05T09:00")
    assert add_business_hours_on_calendar(sh("2024-10-11T23:30"), 1) == sh("2024-10-12T09:00")


# --- calendar page --------------------------------------------------------------------------
def test_calendar_page_warns_when_a_year_is_missing(client_for, sysadmin):
    call_command("calendar_seed", stdout=StringIO())
    client = client_for(sysadmin)
    body = client.get("/settings/calendar/?year=2027").content.decode()
    assert "2027 年的节假日日历尚未录入" in body
    assert "2004–2026" in body
    assert 'value="2027" selected' in body

    body = client.get("/settings/calendar/?year=2024").content.decode()
    assert "尚未录入" not in body
    assert "国庆节调休" in body

    # A year no date can hold falls back to this year instead of failing.
    assert client.get("/settings/calendar/?year=99999").status_code == 200


def test_calendar_page_refused_without_settings_permission(client_for, agent):
    response = client_for(agent).get("/settings/calendar/?year=2027")
    assert response.status_code == 403
