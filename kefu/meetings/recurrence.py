"""Meeting recurrence — 例会重复规则, pure (WFM-9): which dates a standing meeting falls on.

* 每周: on one weekday (the Monday meeting, the weekly 班务会);
* 每个工作日: every workday of the holiday calendar (晨会 9:30, 午会 13:30; 调休 Saturdays
  included, 法定节假日 left out);
* 每月: on a day of the month, or the last given weekday on or before it ("每月25日前周五");
* 单次: once, on the start date.

With ``skip_holidays`` a weekly or monthly date on a 法定节假日 is left out.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from kefu.core.calendar import BusinessCalendar

from .choices import Recurrence


@dataclass(frozen=True)
class Rule:
    """A series' recurrence."""

    recurrence: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    weekday: int | None = None
    day_of_month: int | None = None
    skip_holidays: bool = True


def monthly_date(year: int, month: int, day_of_month: int, weekday: int | None) -> dt.date:
    """The month's date: ``day_of_month`` (clamped to the month's length), or with ``weekday``
    the last such weekday on or before it."""
    last = cal.monthrange(year, month)[1]
    day = dt.date(year, month, min(day_of_month, last))
    if weekday is None:
        return day
    back = (day.weekday() - weekday) % 7
    candidate = day - dt.timedelta(days=back)
    return candidate if candidate.month == month else candidate + dt.timedelta(days=7)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def occurrence_dates(
    rule: Rule, start: dt.date, end: dt.date, calendar: BusinessCalendar
) -> list[dt.date]:
    """Dates of ``rule`` within ``start``..``end`` (inclusive) and the series' own bounds."""
    lo = max(start, rule.starts_on)
    hi = min(end, rule.ends_on) if rule.ends_on else end
    if hi < lo:
        return []
    if rule.recurrence == Recurrence.ONCE:
        return [rule.starts_on] if lo <= rule.starts_on <= hi else []
    if rule.recurrence == Recurrence.WORKDAYS:
        return [d for d in _days(lo, hi) if calendar.is_workday(d)]
    if rule.recurrence == Recurrence.WEEKLY:
        found = [d for d in _days(lo, hi) if d.weekday() == rule.weekday]
    elif rule.recurrence == Recurrence.MONTHLY:
        found = []
        year, month = lo.year, lo.month
        while (year, month) <= (hi.year, hi.month):
            day = monthly_date(year, month, rule.day_of_month or 1, rule.weekday)
            if lo <= day <= hi:
                found.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        return []
    if rule.skip_holidays:
        found = [d for d in found if d not in calendar.holidays]
    return found


def rule_errors(
    *,
    recurrence: str,
    weekday: int | None,
    day_of_month: int | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    start_time: dt.time | None,
    end_time: dt.time | None,
) -> dict[str, str]:
    """Chinese messages per field for an inconsistent recurrence (empty when it holds)."""
    errors: dict[str, str] = {}
    if recurrence not in Recurrence.values:
        errors["recurrence"] = "请选择重复方式"
    if recurrence == Recurrence.WEEKLY and (weekday is None or not 0 <= weekday <= 6):
        errors["weekday"] = "每周例会请选择星期几"
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = "星期不正确"
    if recurrence == Recurrence.MONTHLY and (day_of_month is None or not 1 <= day_of_month <= 31):
        errors["day_of_month"] = "每月例会请填写日期（1～31）"
    if starts_on is None:
        errors["starts_on"] = "请填写开始日期"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if start_time is None:
        errors["start_time"] = "请填写开始时间"
    if end_time is None:
        errors["end_time"] = "请填写结束时间"
    elif start_time and end_time <= start_time:
        errors["end_time"] = "结束时间须晚于开始时间"
    return errors


def period_bounds(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The ranking period (month or quarter) that ``day`` falls in."""
    if period == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first_month, 1)
        last_month = first_month + 2
    else:
        start = day.replace(day=1)
        last_month = day.month
    end = dt.date(day.year, last_month, cal.monthrange(day.year, last_month)[1])
    return start, end
