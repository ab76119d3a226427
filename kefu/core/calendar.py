"""Holiday calendar and business time — 节假日日历与工作时间计时 (WFM-2).

Two layers:

* a pure layer (no database): ``BusinessCalendar`` (which days are 工作日), ``WorkSchedule`` (the
  working hours of a 工作日, from the sla policy's ``business_hours``), ``add_business_hours`` and
  ``business_hours_between``;
* a database layer: ``calendar_for_range`` / ``is_workday`` read ``CalendarDay`` rows,
  ``default_schedule`` reads the sla policy, ``add_business_hours_on_calendar`` combines them, and
  ``calendar_seed_from_package`` fills ``CalendarDay`` from the chinese-calendar package.

Conventions of the arithmetic (all computed on the Asia/Shanghai wall clock, results are aware):

* Working time is the union of half-open windows ``[start, end)`` on every 工作日; "24:00" is the
  next day's midnight. A moment outside every window is not working time.
* ``add_business_hours(start, h)`` returns the **latest** instant ``t`` such that
  ``business_hours_between(start, t) <= h``. So when the budget runs out exactly at the end of a
  window, the answer is the start of the next window (a 1-hour limit started at 23:00 on a Friday
  with hours 08:30–24:00 falls due at 08:30 on Monday, not at 24:00 on Friday). The reason is that
  "done at or before the deadline" then means exactly "no more than h business hours used": a
  reply on Saturday morning to that request is on time by both measures. It also makes the
  arithmetic exactly additive: ``add(add(s, h1), h2) == add(s, h1 + h2)`` for all h1, h2 >= 0.
* Consequently ``add_business_hours(start, 0)`` is ``start`` when ``start`` is working time and the
  next working moment otherwise (the "normalised start").
* Hours are converted to whole microseconds (half-even); ``business_hours_between`` counts whole
  seconds (rounded half up) and returns them divided by 3600.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from .errors import DomainError

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY_SECONDS = 24 * 3600
_MICROS_PER_HOUR = 3_600_000_000
# Real calendars never have more than a few rest days in a row (春节 is at most 9). A calendar
# that offers no working time for this many consecutive days is broken data, and searching on
# would loop for ever; a year and a margin leaves room for any legitimate closure.
MAX_DAYS_WITHOUT_WORK = 400

_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")

__all__ = [
    "MAX_DAYS_WITHOUT_WORK",
    "SHANGHAI",
    "BusinessCalendar",
    "SeedResult",
    "WorkSchedule",
    "add_business_hours",
    "add_business_hours_on_calendar",
    "business_hours_between",
    "business_hours_between_on_calendar",
    "business_seconds_between",
    "calendar_for_range",
    "calendar_seed_from_package",
    "default_schedule",
    "is_workday",
    "next_working_moment",
    "package_calendar_rows",
    "package_years",
]


# --- pure layer -----------------------------------------------------------------------------
@dataclass(frozen=True)
class BusinessCalendar:
    """BusinessCalendar — 工作日历: the exceptions to the ordinary week for some range of days.

    ``holidays`` are 法定节假日 (rest), ``adjusted_workdays`` are 调休上班日 and
    ``explicit_workdays`` are days an administrator marked 工作日. A day in none of them follows
    the week: Monday–Friday work, Saturday and Sunday rest.
    """

    holidays: frozenset[dt.date] = frozenset()
    adjusted_workdays: frozenset[dt.date] = frozenset()
    explicit_workdays: frozenset[dt.date] = frozenset()

    def is_workday(self, day: dt.date) -> bool:
        """工作日? A workday row wins over a holiday row (the admin's explicit decision)."""
        if day in self.adjusted_workdays or day in self.explicit_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def _parse_clock(text: str, *, is_end: bool) -> int:
    """ "HH:MM" → seconds after midnight; "24:00" only as the end of a window."""
    match = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise _schedule_error(f"时间 {text!r} 格式不正确（应为 HH:MM）")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes == 0 and is_end:
        return DAY_SECONDS
    if hours > 23 or minutes > 59:
        raise _schedule_error(f"时间 {text} 不存在（24:00 只能作为结束时间）")
    return hours * 3600 + minutes * 60


def _schedule_error(message: str) -> DomainError:
    return DomainError(
        "calendar_schedule_invalid",
        f"工作时段不合法：{message}",
        fields={"business_hours": message},
    )


def _clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class WorkSchedule:
    """WorkSchedule — 工作时段: the working windows of every 工作日, on the ``tz`` wall clock.

    ``intervals`` holds ``(start, end)`` in seconds after local midnight, sorted and not
    overlapping (touching is allowed); ``end`` may be 86400, i.e. "24:00". Build it from the sla
    policy's ``[["08:30", "24:00"]]`` pairs with ``WorkSchedule.from_pairs``.
    """

    intervals: tuple[tuple[int, int], ...]
    tz: dt.tzinfo = field(default=SHANGHAI)

    def __post_init__(self) -> None:
        if not self.intervals:
            raise _schedule_error("至少需要一个工作时段")
        previous_end = 0
        for start, end in self.intervals:
            if not 0 <= start < end <= DAY_SECONDS:
                raise _schedule_error(
                    f"{_clock_text(start)}-{_clock_text(end)} 的开始须早于结束，且在当天之内"
                )
            if start < previous_end:
                raise _schedule_error(
                    f"{_clock_text(start)}-{_clock_text(end)} 与前一时段重叠或未按时间顺序排列"
                )
            previous_end = end

    @classmethod
    def from_pairs(cls, pairs: Iterable[Sequence[str]], tz: dt.tzinfo = SHANGHAI) -> WorkSchedule:
        """Parse ``[["08:30", "12:00"], ["13:00", "24:00"]]``; "24:00" is end of day."""
        intervals = []
        for pair in pairs:
            if len(pair) != 2:
                raise _schedule_error("每个时段须为 [开始, 结束]")
            intervals.append(
                (_parse_clock(pair[0], is_end=False), _parse_clock(pair[1], is_end=True))
            )
        return cls(intervals=tuple(intervals), tz=tz)

    def as_pairs(self) -> list[tuple[str, str]]:
        """The windows as "HH:MM" pairs (for display and round-tripping to the policy)."""
        return [(_clock_text(s), _clock_text(e)) for s, e in self.intervals]

    @property
    def seconds_per_day(self) -> int:
        """Working seconds of one 工作日."""
        return sum(end - start for start, end in self.intervals)

    def windows(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The windows of ``day`` as UTC instants (whether or not ``day`` is a 工作日)."""
        return _day_windows(self.intervals, self.tz, day)


# Every deadline walks the same few days again (a request's seven SLA instants, the next request
# received the same day): their windows are kept, a few hundred bytes a day, per process. Pure —
# the instants depend on the schedule, the zone and the day alone.
@lru_cache(maxsize=4096)
def _day_windows(
    intervals: tuple[tuple[int, int], ...], tz: dt.tzinfo, day: dt.date
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    return tuple((_instant(tz, day, s), _instant(tz, day, e)) for s, e in intervals)


def _instant(tz: dt.tzinfo, day: dt.date, seconds: int) -> dt.datetime:
    # Build the wall-clock time and only then convert, so "24:00" is the next local midnight
    # and a zone with an offset change still gets the right instant.
    day = day + dt.timedelta(days=seconds // DAY_SECONDS)
    rest = seconds % DAY_SECONDS
    clock = dt.time(rest // 3600, rest % 3600 // 60, rest % 60)
    return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC)


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _to_micros(hours: float | Decimal | int) -> int:
    if isinstance(hours, bool) or not isinstance(hours, float | Decimal | int):
        raise TypeError("hours must be a number")
    amount = Decimal(hours)
    if not amount.is_finite() or amount < 0:
        raise ValueError("hours must be a finite number >= 0")
    return int((amount * _MICROS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN))


def _local_day(instant: dt.datetime, schedule: WorkSchedule) -> dt.date:
    return instant.astimezone(schedule.tz).date()


def _no_workday_error(since: dt.date) -> DomainError:
    return DomainError(
        "calendar_no_workday",
        f"自 {since} 起连续 {MAX_DAYS_WITHOUT_WORK} 天没有工作日，无法计算工作时间，"
        "请检查节假日日历",
        status=409,
    )


def _open_windows(
    instant: dt.datetime, schedule: WorkSchedule, calendar: BusinessCalendar
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working windows from ``instant`` on, clipped so none starts before it (UTC instants).

    Endless for a sane calendar; raises DomainError after MAX_DAYS_WITHOUT_WORK days that offer
    no working time, so a calendar full of holidays cannot hang a request.
    """
    day = _local_day(instant, schedule)
    idle_since = day
    idle_days = 0
    while True:
        found = False
        if calendar.is_workday(day):
            for start, end in schedule.windows(day):
                if end > instant:
                    found = True
                    yield max(start, instant), end
        if found:
            idle_days = 0
        else:
            if idle_days == 0:
                idle_since = day
            idle_days += 1
            if idle_days > MAX_DAYS_WITHOUT_WORK:
                raise _no_workday_error(idle_since)
        day += dt.timedelta(days=1)


def next_working_moment(
    instant: dt.datetime, schedule: WorkSchedule, calendar: BusinessCalendar
) -> dt.datetime:
    """``instant`` itself if it is working time, else the start of the next working window."""
    _require_aware(instant, "instant")
    start, _end = next(_open_windows(instant.astimezone(dt.UTC), schedule, calendar))
    return start.astimezone(schedule.tz)


def add_business_hours(
    start: dt.datetime,
    hours: float | Decimal | int,
    schedule: WorkSchedule,
    calendar: BusinessCalendar,
) -> dt.datetime:
    """工作时间加法: the deadline ``hours`` business hours after ``start`` (aware, in ``schedule.tz``).

    The clock starts at the next working moment when ``start`` is outside working time. See the
    module docstring for why a budget that ends with a window yields the next window's start.
    """
    return add_business_time(
        start, dt.timedelta(microseconds=_to_micros(hours)), schedule, calendar
    )


def add_business_time(
    start: dt.datetime,
    amount: dt.timedelta,
    schedule: WorkSchedule,
    calendar: BusinessCalendar,
) -> dt.datetime:
    """``add_business_hours`` for an exact ``amount`` (≥ 0) of working time — the SLA clock's
    budgets are timedeltas already, and their round trip through a Decimal of hours cost more
    than the walk itself."""
    _require_aware(start, "start")
    if amount < dt.timedelta(0):
        raise ValueError("amount must be >= 0")
    remaining = amount
    for window_start, window_end in _open_windows(start.astimezone(dt.UTC), schedule, calendar):
        available = window_end - window_start
        if remaining < available:
            return (window_start + remaining).astimezone(schedule.tz)
        remaining -= available
    raise AssertionError("unreachable: _open_windows never ends without raising")


def business_seconds_between(
    a: dt.datetime, b: dt.datetime, schedule: WorkSchedule, calendar: BusinessCalendar
) -> int:
    """Whole business seconds in ``[a, b)`` (0 when ``b <= a``), rounded half up."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    a_utc, b_utc = a.astimezone(dt.UTC), b.astimezone(dt.UTC)
    if b_utc <= a_utc:
        return 0
    total = dt.timedelta(0)
    day, last_day = _local_day(a_utc, schedule), _local_day(b_utc, schedule)
    while day <= last_day:
        if calendar.is_workday(day):
            for start, end in schedule.windows(day):
                low, high = max(start, a_utc), min(end, b_utc)
                if high > low:
                    total += high - low
        day += dt.timedelta(days=1)
    micros = total // dt.timedelta(microseconds=1)
    return (micros + 500_000) // 1_000_000


def business_hours_between(
    a: dt.datetime, b: dt.datetime, schedule: WorkSchedule, calendar: BusinessCalendar
) -> float:
    """工作时长: business hours from ``a`` to ``b`` at seconds precision (0 when ``b <= a``)."""
    return business_seconds_between(a, b, schedule, calendar) / 3600


# --- database layer -------------------------------------------------------------------------
# Imports of models and policy stay inside the functions so the pure layer above can be used
# (and tested) without a configured Django.


# The table changes a few times a year (an administrator enters next year's 调休), yet every new
# service request reads a month of it for its deadlines. Outside a transaction a range is kept per
# process for this long (the access cache's rules: inside a transaction the database is asked).
CALENDAR_CACHE_SECONDS = 60.0


def calendar_for_range(start: dt.date, end: dt.date) -> BusinessCalendar:
    """The BusinessCalendar of the ``CalendarDay`` rows from ``start`` to ``end`` inclusive.

    Kept per process for ``CALENDAR_CACHE_SECONDS`` when read outside a transaction; an edit in
    the admin clears this process's copy at once, other processes see it within that time.
    """
    from . import access_cache

    return access_cache.cached_value(
        ("calendar", start, end),
        lambda: _calendar_rows(start, end),
        seconds=CALENDAR_CACHE_SECONDS,
    )


def _calendar_rows(start: dt.date, end: dt.date) -> BusinessCalendar:
    from .choices import CalendarDayKind
    from .models import CalendarDay

    buckets: dict[str, set[dt.date]] = {kind.value: set() for kind in CalendarDayKind}
    rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
    for day, kind in rows:
        buckets.setdefault(kind, set()).add(day)
    return BusinessCalendar(
        holidays=frozenset(buckets[CalendarDayKind.HOLIDAY.value]),
        adjusted_workdays=frozenset(buckets[CalendarDayKind.ADJUSTED_WORKDAY.value]),
        explicit_workdays=frozenset(buckets[CalendarDayKind.WORKDAY.value]),
    )


def is_workday(day: dt.date) -> bool:
    """工作日? by the stored calendar (one query)."""
    return calendar_for_range(day, day).is_workday(day)


def default_schedule(on: dt.date | None = None) -> WorkSchedule:
    """The service schedule of the sla policy in force on ``on`` (today by default)."""
    from .policy import sla_policy

    return WorkSchedule.from_pairs(sla_policy(on).business_hours, tz=SHANGHAI)


def add_business_hours_on_calendar(
    start: dt.datetime,
    hours: float | Decimal | int,
    schedule: WorkSchedule | None = None,
) -> dt.datetime:
    """``add_business_hours`` on the stored calendar and (by default) the sla policy's hours.

    Loads enough days for the expected answer; if the answer falls past the loaded range (long
    holidays), loads twice as many and computes again, so no day is judged without its row.
    """
    _require_aware(start, "start")
    if schedule is None:
        schedule = default_schedule(start.astimezone(SHANGHAI).date())
    first = _local_day(start, schedule)
    needed_days = math.ceil(_to_micros(hours) / (schedule.seconds_per_day * 1_000_000))
    # Five 工作日 a week, plus a month for holidays: usually one query is enough.
    span = needed_days * 7 // 5 + 31
    while True:
        last = first + dt.timedelta(days=span)
        calendar = calendar_for_range(first, last)
        result = add_business_hours(start, hours, schedule, calendar)
        if _local_day(result, schedule) <= last:
            return result
        span *= 2


def business_hours_between_on_calendar(
    a: dt.datetime, b: dt.datetime, schedule: WorkSchedule | None = None
) -> float:
    """``business_hours_between`` on the stored calendar and (by default) the sla policy's hours."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    if schedule is None:
        schedule = default_schedule(a.astimezone(SHANGHAI).date())
    calendar = calendar_for_range(_local_day(a, schedule), _local_day(b, schedule))
    return business_hours_between(a, b, schedule, calendar)


# --- seeding from chinese-calendar ----------------------------------------------------------
# The package's own Chinese names are short forms (清明, 端午, 中秋); the calendar page shows the
# names of the State Council's notices instead.
_HOLIDAY_NAMES: dict[str, str] = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "抗战胜利70周年纪念日",
}
_ADJUSTED_SUFFIX = "调休"


def _chinese_holiday_name(english: str) -> str:
    from chinese_calendar import Holiday  # type: ignore[import-untyped]

    try:
        member = Holiday(english)
    except ValueError:
        return english[:38]
    return _HOLIDAY_NAMES.get(member.name) or str(getattr(member, "chinese", english))[:38]


def package_calendar_rows() -> dict[dt.date, tuple[str, str]]:
    """Every day chinese-calendar knows: date → (kind, Chinese name).

    Its ``holidays`` are 法定节假日 (weekends inside a holiday period included, as the notices list
    them); its ``workdays`` are the 调休 weekend days, named after the holiday they pay for.
    """
    import chinese_calendar  # type: ignore[import-untyped]

    from .choices import CalendarDayKind

    rows: dict[dt.date, tuple[str, str]] = {}
    for day, english in chinese_calendar.holidays.items():
        rows[day] = (CalendarDayKind.HOLIDAY.value, _chinese_holiday_name(english))
    for day, english in chinese_calendar.workdays.items():
        name = _chinese_holiday_name(english) + _ADJUSTED_SUFFIX
        rows[day] = (CalendarDayKind.ADJUSTED_WORKDAY.value, name)
    return rows


def package_years() -> tuple[int, int] | None:
    """The first and last year chinese-calendar covers, or None if it is not installed."""
    try:
        import chinese_calendar  # type: ignore[import-untyped]
    except ImportError:
        return None
    years = [day.year for day in chinese_calendar.holidays]
    return (min(years), max(years)) if years else None


@dataclass(frozen=True)
class SeedResult:
    """What ``calendar_seed_from_package`` did: years covered and rows created."""

    first_year: int
    last_year: int
    created: int
    existing: int


@transaction.atomic
def calendar_seed_from_package(*, actor: Any = None) -> SeedResult:
    """导入节假日日历: create the ``CalendarDay`` rows chinese-calendar knows and the table lacks.

    Idempotent. A date that already has a row is never touched, so whatever an administrator
    entered or corrected stays. One audit event records the dates created.
    """
    from . import audit
    from .models import CalendarDay

    rows = package_calendar_rows()
    if not rows:
        raise DomainError("calendar_package_empty", "chinese-calendar 中没有节假日数据")
    first, last = min(rows), max(rows)
    existing = set(
        CalendarDay.objects.filter(date__range=(first, last)).values_list("date", flat=True)
    )
    missing = [
        CalendarDay(date=day, kind=kind, name=name)
        for day, (kind, name) in sorted(rows.items())
        if day not in existing
    ]
    # ignore_conflicts: a concurrent seed (two `make run`s) must not fail on the unique date;
    # the other run's row is as good as ours.
    CalendarDay.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    if missing:
        from . import access_cache

        access_cache.clear_on_commit()  # calendar_for_range's copies
        audit.record(
            actor=actor,
            action="calendar.seed",
            object_type="core.calendarday",
            object_id=f"{first.year}-{last.year}",
            after={
                "source": "chinese-calendar",
                "created": len(missing),
                "dates": [row.date for row in missing],
            },
            reason="从 chinese-calendar 导入法定节假日与调休上班日",
        )
    return SeedResult(
        first_year=first.year,
        last_year=last.year,
        created=len(missing),
        existing=len(rows) - len(missing),
    )
