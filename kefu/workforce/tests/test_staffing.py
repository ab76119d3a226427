"""Staffing calculator — 人员配置测算 (Erlang C): published worked examples, monotonicity,
stability for thousands of Erlangs, shift coverage from interval requirements. No database."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce.rostering.problem import ShiftSpec
from kefu.workforce.rostering.staffing import (
    IntervalForecast,
    asa,
    coverage_from_staffing,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_agents,
    service_level,
    shift_requirements,
    staff_month,
    traffic_erlangs,
)


def erlang_c_direct(n: int, a: float) -> float:
    """Textbook formula with exact fractions (small N only) — the independent reference."""
    fa = Fraction(a)
    top = fa**n / math.factorial(n) * Fraction(n) / (n - fa)
    bottom = sum(fa**k / math.factorial(k) for k in range(n)) + top
    return float(top / bottom)


# ---------------------------------------------------------------- worked examples


def test_call_centre_helper_example():
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls
    in 30 min, AHT 180 s, 80 % in 20 s, max occupancy 85 %, shrinkage 30 %."""
    a = traffic_erlangs(100, 1800, 180)
    assert a == 10.0
    assert erlang_c(11, a) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(11, a, 180, 20) == pytest.approx(0.3896, abs=5e-5)
    assert service_level(12, a, 180, 20) == pytest.approx(0.6402, abs=5e-5)
    assert service_level(13, a, 180, 20) == pytest.approx(0.7956, abs=5e-5)
    assert erlang_c(14, a) == pytest.approx(0.1741, abs=5e-5)
    assert service_level(14, a, 180, 20) == pytest.approx(0.8884, abs=5e-5)
    assert asa(14, a, 180) == pytest.approx(7.8, abs=0.05)
    assert occupancy(14, a) == pytest.approx(0.714, abs=5e-4)
    r = required_agents(100, 1800, 180, 0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    assert (r.agents, r.scheduled) == (14, 20)
    assert r.traffic == 10.0 and r.service_level == pytest.approx(0.8884, abs=5e-5)


def test_erlang_c_step_by_step_example():
    """The widely reproduced "The Erlang-C Formula" example: 360 calls per half hour, 4 min
    calls, 55 agents, 15 s target."""
    a = traffic_erlangs(360, 1800, 240)
    assert a == 48.0
    assert occupancy(55, a) == pytest.approx(0.8727, abs=5e-5)
    assert erlang_c(55, a) == pytest.approx(0.2387, abs=5e-5)
    assert asa(55, a, 240) == pytest.approx(8.18, abs=0.01)
    assert service_level(55, a, 240, 15) == pytest.approx(0.8459, abs=5e-5)


@pytest.mark.parametrize(("n", "a"), [(1, 0.5), (5, 3.2), (11, 10.0), (30, 24.7), (60, 48.0)])
def test_recursion_matches_the_textbook_formula(n, a):
    assert erlang_c(n, a) == pytest.approx(erlang_c_direct(n, a), rel=1e-12)


def test_erlang_b_known_value_and_edges():
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # A²/2 / (1 + A + A²/2) = 0.5/2.5
    assert erlang_c(3, 3.0) == 1.0  # N ≤ A: everyone waits
    assert service_level(3, 3.0, 180, 20) == 0.0
    assert asa(3, 3.5, 180) == math.inf
    assert erlang_c(5, 0.0) == 0.0 and service_level(5, 0.0, 180, 20) == 1.0


def test_no_calls_needs_nobody():
    r = required_agents(0, 1800, 180, 0.8, 20, shrinkage=0.3)
    assert (r.agents, r.scheduled, r.service_level) == (0, 0, 1.0)


def test_invalid_arguments():
    with pytest.raises(ValueError):
        required_agents(10, 1800, 180, 1.0, 20)
    with pytest.raises(ValueError):
        required_agents(10, 1800, 180, 0.8, 20, max_occupancy=0)
    with pytest.raises(ValueError):
        scheduled_agents(10, 1.0)
    with pytest.raises(ValueError):
        traffic_erlangs(10, 0, 180)
    with pytest.raises(ValueError):
        erlang_b(-1, 2.0)


def test_occupancy_cap_adds_agents():
    free = required_agents(1000, 1800, 180, 0.5, 60)
    capped = required_agents(1000, 1800, 180, 0.5, 60, max_occupancy=0.85)
    assert free.occupancy > 0.85
    assert capped.occupancy <= 0.85 and capped.agents > free.agents


def test_scheduled_agents_with_shrinkage():
    assert scheduled_agents(14, 0.3) == 20
    assert scheduled_agents(7, 0.3) == 10  # exactly 10.0, no float ceil surprise
    assert scheduled_agents(10, 0.0) == 10
    assert scheduled_agents(0, 0.5) == 0


# ---------------------------------------------------------------- large N


def test_stable_for_thousands_of_erlangs():
    r = required_agents(100_000, 1800, 90, 0.8, 20)
    assert r.traffic == 5000.0
    assert 5000 < r.agents < 5100
    assert 0.8 <= r.service_level < 1 and 0 < r.p_wait < 1
    assert math.isfinite(r.asa_s) and r.occupancy < 1
    # one agent fewer misses the target
    assert service_level(r.agents - 1, r.traffic, 90, 20) < 0.8
    b = erlang_b(20_000, 19_500.0)
    assert 0 < b < 1 and math.isfinite(b)


# ---------------------------------------------------------------- properties


@settings(max_examples=100, deadline=None)
@given(a=st.floats(0.1, 200), n=st.integers(1, 300))
def test_more_agents_never_hurt(a, n):
    assert erlang_b(n + 1, a) <= erlang_b(n, a)
    assert erlang_c(n + 1, a) <= erlang_c(n, a) + 1e-15
    assert service_level(n + 1, a, 180, 20) >= service_level(n, a, 180, 20) - 1e-12
    assert 0 <= erlang_c(n, a) <= 1 and 0 <= service_level(n, a, 180, 20) <= 1


@settings(max_examples=100, deadline=None)
@given(
    calls=st.integers(0, 2000),
    more=st.integers(0, 200),
    aht=st.integers(30, 900),
    sl=st.floats(0.5, 0.95),
    target=st.integers(5, 60),
)
def test_required_agents_is_minimal_and_monotone(calls, more, aht, sl, target):
    r = required_agents(calls, 1800, aht, sl, target)
    assert r.agents == 0 or r.service_level >= sl
    if r.agents > r.traffic + 1:
        assert service_level(r.agents - 1, r.traffic, aht, target) < sl
    assert required_agents(calls + more, 1800, aht, sl, target).agents >= r.agents
    assert required_agents(calls, 1800, aht, min(0.99, sl + 0.04), target).agents >= r.agents


# ---------------------------------------------------------------- month and shifts

DAY = ShiftSpec("day", "白班", 8 * 60 + 30, 17 * 60 + 30)
NIGHT = ShiftSpec("night", "晚班", 17 * 60 + 30, 24 * 60, night=True)
EVENING = ShiftSpec("evening", "夜班", 18 * 60 + 30, 24 * 60, night=True)
SUNDAY = ShiftSpec("sunday", "周日班", 9 * 60 + 30, 24 * 60, sunday_only=True)
GALA = ShiftSpec("gala", "庆典班", 10 * 60, 18 * 60, holiday_ok=False)


def forecast_day(day: dt.date, calls_by_hour: dict[int, int]) -> list[IntervalForecast]:
    return [
        IntervalForecast(day, h * 60 + m, calls_by_hour.get(h, 0), 180)
        for h in range(24)
        for m in (0, 30)
    ]


def test_staff_month_keeps_order_and_caches():
    days = [dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(31)]
    items = [f for d in days for f in forecast_day(d, {h: 100 for h in range(9, 23)})]
    results = staff_month(items, shrinkage=0.3)
    assert len(results) == 31 * 48
    assert [(r.day, r.start_min) for r in results] == [(f.day, f.start_min) for f in items]
    busy = [r for r in results if r.calls == 100]
    assert {r.agents for r in busy} == {14} and {r.scheduled for r in busy} == {20}
    assert {r.agents for r in results if r.calls == 0} == {0}


def test_coverage_peak_per_shift_minus_overlap():
    monday = dt.date(2027, 1, 4)
    calls = {9: 100, 10: 200, 14: 100, 18: 100, 20: 200, 23: 40}
    results = staff_month(forecast_day(monday, calls))
    need = {r.start_min: r.scheduled for r in results}
    cover = coverage_from_staffing(results, (DAY, NIGHT, EVENING, SUNDAY), monday)
    # 白班 08:30–17:30 takes the morning peak (10:00 and 10:30)
    assert cover["day"] == need[10 * 60] == max(need[t] for t in range(510, 1050, 30))
    # 晚班 17:30–24:00 takes the evening peak; 夜班 inside it adds nothing
    assert cover["night"] == need[20 * 60]
    assert cover["evening"] == 0
    assert cover["sunday"] == 0  # a Monday
    for t, agents in need.items():  # every interval inside a shift is covered
        if 510 <= t < 1440:
            got = sum(
                n
                for code, n in cover.items()
                if code in {"day", "night", "evening"} and _inside(code, t)
            )
            assert got >= agents


def _inside(code: str, t: int) -> bool:
    spec = {"day": DAY, "night": NIGHT, "evening": EVENING}[code]
    return spec.start_min <= t and t + 30 <= spec.end_min


def test_coverage_overlapping_shift_tops_up():
    sunday = dt.date(2027, 1, 3)
    results = staff_month(forecast_day(sunday, {9: 100, 12: 300, 21: 100}))
    need = {r.start_min: r.scheduled for r in results}
    cover = coverage_from_staffing(results, (DAY, SUNDAY, NIGHT), sunday)
    assert cover["day"] == need[12 * 60]
    assert cover["sunday"] == need[21 * 60]  # 09:30–24:00 is the first to cover 21:00
    assert cover["night"] == 0  # the 周日班 already covers the evening
    holiday = coverage_from_staffing(results, (DAY, GALA), sunday, holiday=True)
    assert holiday["gala"] == 0
    by_day = shift_requirements(results, (DAY, GALA), [sunday], frozenset({sunday}))
    assert by_day[sunday] == holiday
