"""Staffing calculator — 话务量测算 (Erlang C) and its use for coverage (WFM-1).

``staffing_table`` computes one typical day (traffic, agents, P(wait), SL, ASA, occupancy,
scheduled agents per interval, and people per shift of a layout); ``coverage_apply_staffing``
writes a team's month of coverage requirements from the forecast (source 话务量测算), keeping
each cell's skill requirements where they still fit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kefu.core.calendar import calendar_for_range

from ..choices import CoverageSource
from ..models import CoverageRequirement
from ..rostering.problem import ShiftSpec
from ..rostering.staffing import (
    IntervalForecast,
    StaffingResult,
    coverage_from_staffing,
    staff_month,
)
from ..selectors import month_days, month_end, month_start
from ..staffing_input import Forecast, StaffingParams, month_forecast
from .coverage import Need, _require_coverage, coverage_save
from .problem import layout_specs

REFERENCE_DAY = dt.date(2024, 1, 1)  # a Monday: the typical day is computed on it


@dataclass(frozen=True)
class StaffingTable:
    """测算结果 of one typical day."""

    rows: list[StaffingResult]
    per_shift: dict[str, int]
    peak_agents: int
    peak_scheduled: int
    total_calls: float


def staffing_table(
    params: StaffingParams,
    forecast: Forecast,
    *,
    weekday: int = 0,
    shifts: tuple[ShiftSpec, ...] = (),
) -> StaffingTable:
    """Erlang C per interval of the typical ``weekday`` (0 = Monday … 6, 7 = 节假日)."""
    params.check()
    day = REFERENCE_DAY + dt.timedelta(days=min(weekday, 6))
    items = [
        IntervalForecast(day=day, start_min=s, calls=c, aht_s=params.aht_seconds)
        for s, c in forecast.day_calls(weekday)
    ]
    rows = staff_month(
        items,
        interval_s=params.interval_minutes * 60,
        target_sl=params.target_sl,
        target_s=params.target_seconds,
        max_occupancy=params.max_occupancy,
        shrinkage=params.shrinkage,
    )
    per_shift = coverage_from_staffing(rows, shifts, day, holiday=weekday == 7) if shifts else {}
    return StaffingTable(
        rows=rows,
        per_shift=per_shift,
        peak_agents=max((r.agents for r in rows), default=0),
        peak_scheduled=max((r.scheduled for r in rows), default=0),
        total_calls=round(sum(r.calls for r in rows), 2),
    )


def coverage_apply_staffing(
    *,
    actor: Any,
    team_id: int,
    month: dt.date,
    params: StaffingParams,
    forecast: Forecast,
) -> int:
    """应用到人员配置需求: the team's month of minimum people per shift from the forecast
    (Erlang C, shrinkage) — 来源“话务量测算”. Existing skill requirements are kept when they
    still fit the new minimum (their sum never exceeds it). Returns the cells changed."""
    _require_coverage(actor, team_id)
    params.check()
    month = month_start(month)
    days = month_days(month)
    holidays = calendar_for_range(month, month_end(month)).holidays
    results = staff_month(
        month_forecast(forecast, days, params.aht_seconds, holidays),
        interval_s=params.interval_minutes * 60,
        target_sl=params.target_sl,
        target_s=params.target_seconds,
        max_occupancy=params.max_occupancy,
        shrinkage=params.shrinkage,
    )
    shifts = layout_specs(team_id, month)
    by_day: dict[dt.date, list[StaffingResult]] = {}
    for r in results:
        if r.day is not None:
            by_day.setdefault(r.day, []).append(r)
    existing = {
        (r.day, r.shift_code): dict(r.skills or {})
        for r in CoverageRequirement.objects.filter(
            team_id=team_id, day__gte=month, day__lte=month_end(month)
        )
    }
    needs: dict[tuple[dt.date, str], Need] = {}
    for day in days:
        people = coverage_from_staffing(by_day.get(day, []), shifts, day, holiday=day in holidays)
        for spec in shifts:
            n = people.get(spec.code, 0)
            skills = existing.get((day, spec.code), {})
            if sum(int(v) for v in skills.values()) > n:
                skills = {}
            needs[(day, spec.code)] = Need(n, skills)
    return coverage_save(
        actor=actor,
        team_id=team_id,
        month=month,
        needs=needs,
        source=CoverageSource.STAFFING,
    )
