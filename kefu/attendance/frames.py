"""Roster frames — 排班框架 of person-days (reads only): the rostered code, the shift's start and
end (``kefu.workforce.shifts.shift_window``) and the window of time whose clocks belong to the day.
Shared by the classifier service, the clock button and the 补卡 checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from kefu.workforce.selectors import published_schedule
from kefu.workforce.shifts import shift_names, shift_window

from .choices import Direction
from .classify import Clock, assignment_windows, pick_clocks
from .models import ClockEvent
from .policybook import PolicyBook

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Frame:
    """One person-day's roster frame: the code, the shift (start, end), the clock window."""

    day: dt.date
    code: str | None
    shift: tuple[dt.datetime, dt.datetime] | None
    window: tuple[dt.datetime, dt.datetime]
    shift_name: str


class Shifts:
    """shift_window and shift names, each asked once per (code, day) in one computation."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime] | None] = {}
        self._names: dict[dt.date, dict[str, str]] = {}

    def window(self, code: str | None, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if code is None:
            return None
        key = (code, day)
        if key not in self._windows:
            self._windows[key] = shift_window(code, day)
        return self._windows[key]

    def name(self, code: str | None, day: dt.date) -> str:
        if code is None:
            return ""
        if day not in self._names:
            self._names[day] = shift_names(day)
        return self._names[day].get(code, code)


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def build_frames(
    employee_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    *,
    book: PolicyBook,
    shifts: Shifts | None = None,
) -> dict[tuple[int, dt.date], Frame]:
    """Roster frames of ``start``..``end`` for each person (the roster is read a day either side,
    so a night shift and the next morning's shift split the night between them)."""
    shifts = shifts or Shifts()
    schedule = published_schedule(employee_ids, start - ONE_DAY, end + ONE_DAY)
    tz = timezone.get_current_timezone()
    span = days_between(start - ONE_DAY, end + ONE_DAY)
    frames: dict[tuple[int, dt.date], Frame] = {}
    for emp in employee_ids:
        by_day = [(d, shifts.window(schedule.get((emp, d)), d)) for d in span]
        opening = book.day(start).attendance
        windows = assignment_windows(
            by_day,
            tz=tz,
            open_minutes=opening.clock_in_open_minutes,
            close_minutes=opening.clock_out_close_minutes,
        )
        for d, shift in by_day[1:-1]:
            code = schedule.get((emp, d))
            frames[(emp, d)] = Frame(d, code, shift, windows[d], shifts.name(code, d))
    return frames


def frame_at(employee_id: int, at: dt.datetime) -> Frame:
    """The work day a moment belongs to: the day whose clock window holds ``at`` (a clock at
    00:40 after a 晚班 to 01:00 belongs to the day before)."""
    day = timezone.localdate(at)
    frames = build_frames([employee_id], day - ONE_DAY, day + ONE_DAY, book=PolicyBook())
    for d in (day - ONE_DAY, day, day + ONE_DAY):
        lo, hi = frames[(employee_id, d)].window
        if lo <= at < hi:
            return frames[(employee_id, d)]
    return frames[(employee_id, day)]


def clocks_in(employee_id: int, window: tuple[dt.datetime, dt.datetime]) -> list[ClockEvent]:
    """The clocks of one person inside a window, in time order."""
    lo, hi = window
    return list(ClockEvent.objects.filter(employee_id=employee_id, at__gte=lo, at__lt=hi))


def next_direction(frame: Frame, events: list[ClockEvent]) -> str:
    """上班 until the day has a clock-in, then 下班 (every later press moves the clock-out)."""
    if frame.shift is not None:
        clock_in, _ = pick_clocks(
            [Clock(e.at, e.direction) for e in events], frame.shift[0], frame.shift[1]
        )
        return Direction.OUT if clock_in is not None else Direction.IN
    return Direction.OUT if events else Direction.IN
