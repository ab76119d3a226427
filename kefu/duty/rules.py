"""Duty rules — 交接班与在线规则, pure functions (data in, data out; no database).

* ``pick_incoming``: which of the team's rostered shifts is "the next shift" after the outgoing
  one, i.e. who must confirm the handover (WFM-7 day→night, night→day, 三班制).
* ``ack_deadline``: when the confirmation is due.
* ``offline_finding``: whether a person's status log shows them offline or hidden during a
  shift window for at least the grace time (WFM-8), and for how long.
* ``strike_numbers``: which counted violations of a month reach the policy's limit (the 3rd,
  6th … each one is an incident).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .choices import UNREACHABLE, PresenceStatus


@dataclass(frozen=True)
class Cell:
    """One rostered shift of one person: the day it belongs to, its code and its aware window."""

    employee_id: int
    day: dt.date
    code: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Incoming:
    """The next shift: its day, codes starting at ``start`` and the people rostered on them."""

    day: dt.date
    codes: tuple[str, ...]
    start: dt.datetime
    employee_ids: tuple[int, ...]

    @property
    def code(self) -> str:
        return self.codes[0]


def pick_incoming(
    out_start: dt.datetime,
    out_end: dt.datetime,
    candidates: Iterable[Cell],
    *,
    overlap_minutes: int,
    exclude: Iterable[int] = (),
) -> Incoming | None:
    """The earliest shift that starts after the outgoing one began and no earlier than
    ``overlap_minutes`` before it ends; everyone whose shift starts at that moment is incoming.

    ``exclude``: people who must not count (the outgoing shift's own members working a double).
    """
    skip = set(exclude)
    earliest = out_end - dt.timedelta(minutes=overlap_minutes)
    eligible = [
        c
        for c in candidates
        if c.start > out_start and c.start >= earliest and c.employee_id not in skip
    ]
    if not eligible:
        return None
    first = min(c.start for c in eligible)
    chosen = [c for c in eligible if c.start == first]
    return Incoming(
        day=min(c.day for c in chosen),
        codes=tuple(sorted({c.code for c in chosen})),
        start=first,
        employee_ids=tuple(sorted({c.employee_id for c in chosen})),
    )


def ack_deadline(
    incoming_start: dt.datetime | None, written_at: dt.datetime, minutes: int
) -> dt.datetime:
    """接班确认期限: ``minutes`` after the incoming shift starts, or after the handover was
    written when that is later (or when no next shift is rostered)."""
    base = written_at if incoming_start is None else max(incoming_start, written_at)
    return base + dt.timedelta(minutes=minutes)


@dataclass(frozen=True)
class OfflineFinding:
    """What ``offline_finding`` found: the first qualifying period and the qualifying total."""

    started_at: dt.datetime
    minutes: int
    kind: str  # the status of the first qualifying period: offline | hidden
    periods: int


def offline_finding(
    events: Sequence[tuple[dt.datetime, str]],
    *,
    initial: str,
    start: dt.datetime,
    end: dt.datetime,
    grace_minutes: int,
) -> OfflineFinding | None:
    """Offline or hidden during ``start``..``end`` for at least ``grace_minutes`` in a row?

    ``events`` are (time, status) changes sorted by time; ``initial`` is the status in force at
    ``start`` (the last change before it; 离线 for someone who never signed in). Consecutive
    offline and hidden stretches form one period. Only periods of at least the grace time count
    (a dropped connection for a minute does not); away (离开) never counts.
    """
    if end <= start:
        return None
    timeline: list[tuple[dt.datetime, str]] = [(start, initial)]
    for at, status in events:
        if at <= start:
            timeline[0] = (start, status)
        elif at < end:
            timeline.append((at, status))
    periods: list[tuple[dt.datetime, dt.datetime, str]] = []
    for i, (at, status) in enumerate(timeline):
        until = timeline[i + 1][0] if i + 1 < len(timeline) else end
        if status not in UNREACHABLE or until <= at:
            continue
        if periods and periods[-1][1] == at:
            first_at, _, kind = periods[-1]
            periods[-1] = (first_at, until, kind)
        else:
            periods.append((at, until, status))
    grace = dt.timedelta(minutes=grace_minutes)
    counted = [(a, b, k) for a, b, k in periods if b - a >= grace and b > a]
    if not counted:
        return None
    total = sum(((b - a) for a, b, _ in counted), dt.timedelta())
    return OfflineFinding(
        started_at=counted[0][0],
        minutes=max(int(total.total_seconds() // 60), 1),
        kind=counted[0][2],
        periods=len(counted),
    )


def status_at(events: Sequence[tuple[dt.datetime, str]], moment: dt.datetime) -> str:
    """The status in force at ``moment`` from sorted changes; 离线 before the first one."""
    current = PresenceStatus.OFFLINE.value
    for at, status in events:
        if at > moment:
            break
        current = status
    return current


def strike_numbers(
    violations: Sequence[tuple[int, dt.date, dt.datetime]],
    strikes_for: Callable[[dt.date], int],
) -> list[tuple[int, dt.date, int]]:
    """(employee, day, n) for each counted violation that is the n-th of its person and month
    with n a multiple of the limit in force on its day (the 3rd, 6th … with a limit of 3).

    ``violations``: (employee id, day, started_at) of counted violations, any order.
    """
    ordered = sorted(violations, key=lambda v: (v[0], v[1].year, v[1].month, v[2]))
    found: list[tuple[int, dt.date, int]] = []
    key: tuple[int, int, int] | None = None
    n = 0
    for employee_id, day, _ in ordered:
        current = (employee_id, day.year, day.month)
        n = n + 1 if current == key else 1
        key = current
        limit = max(strikes_for(day), 1)
        if n % limit == 0:
            found.append((employee_id, day, n))
    return found
