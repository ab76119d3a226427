"""Shift types — 班次 (WFM-1): the policy's shift definitions as solver specs and as times.

``shift_specs(on)`` turns the ``shifts`` policy in force on a day into ``ShiftSpec`` values;
``shift_window(code, day)`` gives the aware start and end of a shift worked on ``day``
(Asia/Shanghai; an end at or before the start means the next day). Attendance, handover and
presence use the window to know when someone is on duty.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from kefu.core.policy import shift_policy

from .rostering.problem import OFF_CODES, ShiftSpec


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def shift_specs(on: dt.date | None = None) -> tuple[ShiftSpec, ...]:
    """Every shift of the policy in force on ``on``, as the solver's ``ShiftSpec``."""
    specs = []
    for s in shift_policy(on).shifts:
        start, end = _minutes(s.start), _minutes(s.end)
        if end <= start:
            end += 24 * 60  # 晚班 17:30–01:00 ends the next day
        specs.append(
            ShiftSpec(
                code=s.code,
                name=s.name,
                start_min=start,
                end_min=end,
                skills=frozenset(s.skills),
                night=s.night,
                sunday_only=s.sunday_only,
                holiday_ok=s.holiday_ok,
            )
        )
    return tuple(specs)


def shift_names(on: dt.date | None = None) -> dict[str, str]:
    """Code → Chinese name for every shift plus 休息 / 请假."""
    names = {s.code: s.name for s in shift_policy(on).shifts}
    names.update({"rest": "休息", "leave": "请假"})
    return names


def shift_window(code: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The aware (start, end) of shift ``code`` worked on ``day``; None for rest/leave/unknown."""
    if code in OFF_CODES:
        return None
    spec = next((s for s in shift_specs(day) if s.code == code), None)
    if spec is None:
        return None
    tz = ZoneInfo(settings.TIME_ZONE)
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    return (
        midnight + dt.timedelta(minutes=spec.start_min),
        midnight + dt.timedelta(minutes=spec.end_min),
    )
