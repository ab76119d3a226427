"""Staffing calculator — 人员配置测算 (Erlang C) for the roster's coverage (WFM-1, WFM-2).

Pure functions: from a forecast of contacts per interval (calls or chats, 咨询量) and the average
handling time (AHT, 平均处理时长) to the agents needed for a service-level target (服务水平, e.g.
80 % answered within 20 s), then to the people per shift (``coverage_from_staffing``) that feed
``Demand.min_people``.

Formulas (the standard M/M/N queue):

* traffic ``A = calls × AHT / interval`` (Erlangs, 话务量);
* Erlang B by the stable recursion ``B(0) = 1``, ``B(n) = A·B(n−1) / (n + A·B(n−1))`` — every
  value stays in [0, 1], so it works for thousands of agents where the textbook form with
  ``A^N / N!`` overflows;
* Erlang C ``C = N·B / (N − A·(1 − B))`` (probability of waiting, 需等待概率), 1 when N ≤ A;
* service level ``SL = 1 − C·exp(−(N − A)·t / AHT)``; ASA ``= C·AHT / (N − A)``;
  occupancy ``A / N``;
* scheduled agents with shrinkage (缺勤/培训/休息占比) ``ceil(required / (1 − shrinkage))``.

Worked examples (figures recomputed by this module; ``tests/test_staffing.py`` pins them):

* Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
  (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30
  minutes, AHT 180 s, 80 % within 20 s, max occupancy 85 %, shrinkage 30 % → 10 Erlangs;
  11 agents P(wait) 68.21 %, SL 38.96 %; 13 agents SL 79.56 %; 14 agents P(wait) 17.41 %,
  SL 88.84 %, ASA 7.8 s, occupancy 71.4 % → 14 agents on line, 20 scheduled.
* The widely reproduced step-by-step example "The Erlang-C Formula" (360 calls per half hour,
  4 min call duration, 55 agents, 15 s target) → 48 Erlangs, occupancy 87.3 %, P(wait) 23.9 %,
  ASA 8.2 s, SL 84.6 %.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .problem import ShiftSpec


@dataclass(frozen=True)
class IntervalForecast:
    """Forecast for one interval — 时段预测: ``calls`` contacts starting in the interval that
    begins ``start_min`` minutes after midnight of ``day``, handled in ``aht_s`` seconds."""

    day: dt.date
    start_min: int
    calls: float
    aht_s: float


@dataclass(frozen=True)
class StaffingResult:
    """Agents for one interval — 时段人员需求."""

    calls: float
    aht_s: float
    interval_s: int
    traffic: float  # Erlangs 话务量
    agents: int  # 在线坐席数 (Erlang C)
    p_wait: float  # 需等待概率
    service_level: float  # 服务水平 (fraction answered within target_s)
    asa_s: float  # 平均应答速度 (s)
    occupancy: float  # 坐席占用率
    scheduled: int  # 排班人数 (with shrinkage)
    day: dt.date | None = None
    start_min: int = 0


def traffic_erlangs(calls: float, interval_s: float, aht_s: float) -> float:
    """Offered traffic ``A = calls × AHT / interval`` — 话务量 (Erlang)."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    return max(0.0, calls) * max(0.0, aht_s) / interval_s


def erlang_b(servers: int, traffic: float) -> float:
    """Blocking probability (Erlang B) by the stable recursion — 呼损率."""
    if servers < 0 or traffic < 0:
        raise ValueError("servers and traffic must be non-negative")
    b = 1.0
    for n in range(1, servers + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _c_from_b(servers: int, traffic: float, b: float) -> float:
    if servers <= traffic:
        return 1.0
    return servers * b / (servers - traffic * (1 - b))


def erlang_c(servers: int, traffic: float) -> float:
    """Probability that a contact waits (Erlang C) — 需等待概率; 1 when ``servers ≤ traffic``."""
    if traffic == 0:
        return 0.0
    return _c_from_b(servers, traffic, erlang_b(servers, traffic))


def _sl(servers: int, traffic: float, c: float, aht_s: float, target_s: float) -> float:
    if traffic == 0:
        return 1.0
    if servers <= traffic:
        return 0.0
    return max(0.0, 1 - c * math.exp(-(servers - traffic) * target_s / aht_s))


def service_level(servers: int, traffic: float, aht_s: float, target_s: float) -> float:
    """Fraction answered within ``target_s`` seconds — 服务水平."""
    return _sl(servers, traffic, erlang_c(servers, traffic), aht_s, target_s)


def asa(servers: int, traffic: float, aht_s: float) -> float:
    """Average speed of answer in seconds — 平均应答速度 (∞ when ``servers ≤ traffic``)."""
    if traffic == 0:
        return 0.0
    if servers <= traffic:
        return math.inf
    return erlang_c(servers, traffic) * aht_s / (servers - traffic)


def occupancy(servers: int, traffic: float) -> float:
    """Agent occupancy ``A / N`` — 坐席占用率 (capped at 1)."""
    if servers <= 0:
        return 1.0 if traffic > 0 else 0.0
    return min(1.0, traffic / servers)


def scheduled_agents(required: int, shrinkage: float) -> int:
    """People to roster so ``required`` are on line after shrinkage — 考虑缺勤率后的排班人数."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    if required <= 0:
        return 0
    return math.ceil(required / (1 - shrinkage) - 1e-9)


def required_agents(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_sl: float,
    target_s: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Fewest agents meeting the service level (and occupancy cap) — 所需坐席数 (Erlang C).

    Starts at the first N above the traffic and adds one agent at a time, updating Erlang B by
    one recursion step per agent, so the cost is O(N) even for thousands of Erlangs.
    """
    if not 0 < target_sl < 1:
        raise ValueError("target_sl must be in (0, 1)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    a = traffic_erlangs(calls, interval_s, aht_s)
    if a == 0:
        return StaffingResult(calls, aht_s, int(interval_s), 0.0, 0, 0.0, 1.0, 0.0, 0.0, 0)
    n = math.floor(a) + 1
    b = erlang_b(n, a)
    while True:
        c = _c_from_b(n, a, b)
        sl = _sl(n, a, c, aht_s, target_s)
        if sl >= target_sl and (max_occupancy is None or a / n <= max_occupancy + 1e-12):
            break
        n += 1
        b = a * b / (n + a * b)
    return StaffingResult(
        calls=calls,
        aht_s=aht_s,
        interval_s=int(interval_s),
        traffic=a,
        agents=n,
        p_wait=c,
        service_level=sl,
        asa_s=c * aht_s / (n - a),
        occupancy=a / n,
        scheduled=scheduled_agents(n, shrinkage),
    )


def staff_month(
    intervals: Sequence[IntervalForecast],
    *,
    interval_s: int = 1800,
    target_sl: float = 0.8,
    target_s: float = 20.0,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> list[StaffingResult]:
    """Agents for every interval of a month — 月度人员需求, in the order given.

    Results are cached by (calls, AHT): a month repeats the same forecast values many times.
    """
    cache: dict[tuple[float, float], StaffingResult] = {}
    out = []
    for item in intervals:
        key = (item.calls, item.aht_s)
        base = cache.get(key)
        if base is None:
            base = cache[key] = required_agents(
                item.calls, interval_s, item.aht_s, target_sl, target_s, max_occupancy, shrinkage
            )
        out.append(replace(base, day=item.day, start_min=item.start_min))
    return out


def coverage_from_staffing(
    results: Sequence[StaffingResult],
    shifts: Sequence[ShiftSpec],
    day: dt.date,
    *,
    holiday: bool = False,
) -> dict[str, int]:
    """Minimum people per shift for ``day`` — 班次最少人数, from the interval requirements.

    The simple rule: shifts are taken in order of start time; each gets the peak, over the
    intervals it fully covers, of the scheduled agents still missing after the shifts already
    taken (``max(need(t) − provided(t))``). Every interval inside some shift is then covered.
    Shifts not usable that day (``sunday_only`` on another day, ``holiday_ok=False`` on a
    holiday) get 0; intervals no shift covers, and the part of a shift after midnight, are
    ignored. Not an optimum (that is a small integer programme) but predictable for a team lead.
    """
    todays = sorted((r for r in results if r.day == day), key=lambda r: r.start_min)
    out = {s.code: 0 for s in shifts}
    provided: dict[int, int] = {}
    usable = [
        s
        for s in shifts
        if not (s.sunday_only and day.weekday() != 6) and not (holiday and not s.holiday_ok)
    ]
    for spec in sorted(usable, key=lambda s: (s.start_min, s.end_min, s.code)):
        inside = [
            r
            for r in todays
            if r.start_min >= spec.start_min and r.start_min + r.interval_s / 60 <= spec.end_min
        ]
        if not inside:
            continue
        people = max(0, *(r.scheduled - provided.get(r.start_min, 0) for r in inside))
        out[spec.code] = people
        for r in inside:
            provided[r.start_min] = provided.get(r.start_min, 0) + people
    return out


def shift_requirements(
    results: Sequence[StaffingResult],
    shifts: Sequence[ShiftSpec],
    days: Sequence[dt.date],
    holidays: frozenset[dt.date] = frozenset(),
) -> Mapping[dt.date, dict[str, int]]:
    """``coverage_from_staffing`` for every day of the period — 每日班次人数."""
    return {d: coverage_from_staffing(results, shifts, d, holiday=d in holidays) for d in days}
