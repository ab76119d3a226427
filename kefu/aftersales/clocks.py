"""Repair clocks — 维修时限 (AS-2): pure functions from facts to readings, no database.

Three clocks start at the fault report (报修时间):

* 到场 (arrival) — met by the technician's arrival; a remote solution (远程解决, TKT-8) makes a
  visit unnecessary, so it meets the clock too;
* 修复 (fixed) — met when the fault is cleared (修复 or 远程解决);
* 备品替代 (spare) — "如在72小时内不能解决问题的,将以备品替代": met by whichever comes first,
  the fix or a spare unit/part in place.

A clock is **breached** when it was met after its deadline, or is still unmet after it. Deadlines
are wall-clock hours (``mode="wall"``) or working hours on the business calendar
(``mode="business"``: ``kefu.core.calendar.add_business_hours``, holidays and 调休 included).
The time left shown is always wall-clock time to the deadline instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from kefu.core.calendar import BusinessCalendar, WorkSchedule, add_business_hours

CLOCK_KEYS: tuple[str, ...] = ("arrival", "fixed", "spare")
CLOCK_LABELS: dict[str, str] = {"arrival": "到场", "fixed": "修复", "spare": "备品替代"}


@dataclass(frozen=True)
class RepairFacts:
    """What has happened to a repair order, as instants (aware) or None."""

    reported_at: dt.datetime
    arrived_at: dt.datetime | None = None
    fixed_at: dt.datetime | None = None
    spare_at: dt.datetime | None = None
    remote_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClockReading:
    """One clock as of ``now``: its deadline, when it was met, its stage and time left.

    ``stage``: on_time / warning (within the warning window) / overdue (unmet, past due) /
    done (met in time) / late (met after the deadline). ``seconds`` is the wall-clock time to the
    deadline (negative when overdue) while unmet, else None.
    """

    key: str
    due: dt.datetime
    met_at: dt.datetime | None
    stage: str
    seconds: int | None
    breached: bool

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.key]


def deadlines(
    reported_at: dt.datetime,
    hours: Mapping[str, float],
    *,
    mode: str = "wall",
    schedule: WorkSchedule | None = None,
    calendar: BusinessCalendar | None = None,
) -> dict[str, dt.datetime]:
    """Each clock's deadline from the report instant."""
    if reported_at.tzinfo is None:
        raise ValueError("reported_at must be aware")
    if mode == "business":
        if schedule is None or calendar is None:
            raise ValueError("business mode needs a schedule and a calendar")
        return {
            key: add_business_hours(reported_at, hours[key], schedule, calendar)
            for key in CLOCK_KEYS
        }
    if mode != "wall":
        raise ValueError(f"unknown clock mode {mode!r}")
    return {key: reported_at + dt.timedelta(hours=hours[key]) for key in CLOCK_KEYS}


def _earliest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def met_at(key: str, facts: RepairFacts) -> dt.datetime | None:
    """When clock ``key`` was met (None while it runs)."""
    if key == "arrival":
        return _earliest(facts.arrived_at, facts.remote_at)
    if key == "fixed":
        return _earliest(facts.fixed_at, facts.remote_at)
    if key == "spare":
        return _earliest(facts.fixed_at, facts.spare_at, facts.remote_at)
    raise ValueError(f"unknown clock {key!r}")


def reading(
    key: str, due: dt.datetime, facts: RepairFacts, *, now: dt.datetime, warn_before_hours: float
) -> ClockReading:
    met = met_at(key, facts)
    if met is not None:
        late = met > due
        return ClockReading(key, due, met, "late" if late else "done", None, late)
    seconds = int((due - now).total_seconds())
    if now > due:
        return ClockReading(key, due, None, "overdue", seconds, True)
    warn_from = due - dt.timedelta(hours=warn_before_hours)
    stage = "warning" if now >= warn_from else "on_time"
    return ClockReading(key, due, None, stage, seconds, False)


def readings(
    facts: RepairFacts,
    dues: Mapping[str, dt.datetime],
    *,
    now: dt.datetime,
    warn_before_hours: float,
) -> list[ClockReading]:
    """The three clocks in order."""
    return [
        reading(k, dues[k], facts, now=now, warn_before_hours=warn_before_hours) for k in CLOCK_KEYS
    ]


def breached_keys(facts: RepairFacts, dues: Mapping[str, dt.datetime], *, now: dt.datetime) -> set:
    """Clocks breached as of ``now`` (met late, or unmet past the deadline)."""
    return {r.key for r in readings(facts, dues, now=now, warn_before_hours=0) if r.breached}


def events_due(
    facts: RepairFacts,
    dues: Mapping[str, dt.datetime],
    *,
    now: dt.datetime,
    warn_before_hours: float,
    sent: frozenset[str] | set[str],
) -> list[str]:
    """Notifications to send now, as ``"<clock>:warn"`` / ``"<clock>:breach"``, minus ``sent``.

    A warning is due once the warning window opened on an unmet clock; a breach once the clock is
    breached. A clock met in time sends nothing more; a breach skips its warning.
    """
    out: list[str] = []
    for r in readings(facts, dues, now=now, warn_before_hours=warn_before_hours):
        if r.breached:
            event = f"{r.key}:breach"
        elif r.stage == "warning" and warn_before_hours > 0:
            event = f"{r.key}:warn"
        else:
            continue
        if event not in sent:
            out.append(event)
    return out


def next_check(
    facts: RepairFacts,
    dues: Mapping[str, dt.datetime],
    *,
    warn_before_hours: float,
    sent: frozenset[str] | set[str],
) -> dt.datetime | None:
    """The earliest instant a new notification can fall due (None when nothing more can).

    A step is reached just after its instant, so the answer is one microsecond later.
    """
    candidates: list[dt.datetime] = []
    for key in CLOCK_KEYS:
        if met_at(key, facts) is not None:
            continue
        due = dues[key]
        if f"{key}:breach" not in sent:
            candidates.append(due)
        if warn_before_hours > 0 and f"{key}:warn" not in sent and f"{key}:breach" not in sent:
            candidates.append(due - dt.timedelta(hours=warn_before_hours))
    if not candidates:
        return None
    return min(candidates) + dt.timedelta(microseconds=1)


def summary(readings_: list[ClockReading]) -> ClockReading | None:
    """The clock that matters now on a list: the first unmet one (else None)."""
    for r in readings_:
        if r.met_at is None:
            return r
    return None
