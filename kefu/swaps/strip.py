"""Roster strip — 排班对照: both parties' published codes on the days around a swap, before and
after the exchange, for the request form's preview and the swap's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kefu.org.models import Employee
from kefu.workforce.selectors import published_schedule
from kefu.workforce.shifts import shift_names

from .rules import swapped

AROUND = 3
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class StripCell:
    code: str
    name: str
    changed: bool = False


@dataclass(frozen=True)
class StripRow:
    name: str
    label: str
    cells: list[StripCell]


@dataclass(frozen=True)
class Strip:
    """Column days (highlighted: the exchange days) and a row per person and state."""

    days: list[dt.date]
    highlight: frozenset[dt.date]
    rows: list[StripRow]

    @property
    def columns(self) -> list[tuple[dt.date, str, bool]]:
        """(day, weekday character, highlighted) per column."""
        return [(d, WEEKDAYS[d.weekday()], d in self.highlight) for d in self.days]


def strip_days(days: Iterable[dt.date]) -> list[dt.date]:
    out: set[dt.date] = set()
    for day in days:
        out.update(day + dt.timedelta(days=i) for i in range(-AROUND, AROUND + 1))
    return sorted(out)


def roster_strip(
    a: Employee,
    b: Employee,
    exchange: list[dt.date],
    *,
    schedule: Mapping[tuple[int, dt.date], str] | None = None,
    show_after: bool = True,
) -> Strip:
    """Rows 现排班 for both people (and 换班后 when ``show_after``) over the days around
    ``exchange``. One query for the schedule (unless given) and one for the shift names."""
    days = strip_days(exchange)
    if schedule is None:
        schedule = published_schedule([a.pk, b.pk], days[0], days[-1])
    names = shift_names(days[0])
    after = swapped(schedule, a.pk, b.pk, exchange)
    rows: list[StripRow] = []
    for person in (a, b):
        before_cells = [
            StripCell(c := schedule.get((person.pk, d), ""), names.get(c, c) if c else "—")
            for d in days
        ]
        rows.append(StripRow(person.name, "现排班", before_cells))
        if show_after:
            after_cells = [
                StripCell(
                    c := after.get((person.pk, d), ""),
                    names.get(c, c) if c else "—",
                    changed=c != schedule.get((person.pk, d), ""),
                )
                for d in days
            ]
            rows.append(StripRow(person.name, "换班后", after_cells))
    return Strip(days, frozenset(exchange), rows)
