"""Who is on duty when — 当班人员, read from the published roster (kefu.workforce.selectors).

The duty module never reads drafts: only the published version counts (``rostered_on``). Shift
times come from the policy in force on the shift's day (``shift_window``). A day without a
published roster simply has nobody rostered: handover and presence then tolerate the gap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.selectors import rostered_on
from kefu.workforce.shifts import shift_window

from .rules import Cell


class WindowCache:
    """``shift_window`` memoised per (code, day): one policy read per day, not per cell."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime] | None] = {}

    def __call__(self, code: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        key = (code, day)
        if key not in self._cache:
            self._cache[key] = shift_window(code, day)
        return self._cache[key]


def team_cells(
    days: Iterable[dt.date], *, team_ids: Iterable[int] | None = None, windows: WindowCache | None
) -> dict[int | None, list[Cell]]:
    """Rostered shift cells (rest and leave left out) of ``days``, by roster team."""
    windows = windows or WindowCache()
    wanted = set(team_ids) if team_ids is not None else None
    found: dict[int | None, list[Cell]] = defaultdict(list)
    for day in days:
        qs = rostered_on(day).exclude(code__in=OFF_CODES)
        if wanted is not None:
            qs = qs.filter(roster__team_id__in=wanted)
        for employee_id, code, team_id in qs.values_list("employee_id", "code", "roster__team_id"):
            window = windows(code, day)
            if window is None:
                continue
            found[team_id].append(Cell(employee_id, day, code, window[0], window[1]))
    return found


def cell_of(employee_id: int, day: dt.date) -> tuple[int | None, str] | None:
    """(team id, code) of one person's published cell on ``day``, or None when not rostered."""
    row = (
        rostered_on(day)
        .filter(employee_id=employee_id)
        .values_list("roster__team_id", "code")
        .first()
    )
    return (row[0], row[1]) if row else None


def current_or_last_shift(
    employee_id: int, now: dt.datetime, *, windows: WindowCache | None = None
) -> tuple[dt.date, str] | None:
    """The shift the person is on now, else the one that ended last (today or yesterday) — what
    the handover form suggests."""
    windows = windows or WindowCache()
    today = timezone.localdate(now)
    best: tuple[dt.datetime, dt.date, str] | None = None
    for day in (today + dt.timedelta(days=1), today, today - dt.timedelta(days=1)):
        cell = cell_of(employee_id, day)
        if cell is None or cell[1] in OFF_CODES:
            continue
        window = windows(cell[1], day)
        if window is None or window[0] > now:
            continue
        if window[1] > now:
            return day, cell[1]
        if best is None or window[1] > best[0]:
            best = (window[1], day, cell[1])
    return (best[1], best[2]) if best else None
