"""Roster solver — 自动排班 (WFM-1, WFM-2) on small teams: every hard rule holds (the independent
checker is the oracle), shortfalls are reported, fixed leave is kept, a re-solve changes few
cells, rest requests and fairness are honoured. Pure functions, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter

from kefu.workforce.rostering.checker import check_roster, shortfall_total
from kefu.workforce.rostering.greedy import forbidden_pairs, greedy_roster, row_models
from kefu.workforce.rostering.problem import (
    LEAVE,
    OFF_CODES,
    REST,
    RULE_CONSECUTIVE,
    Demand,
    Person,
    RosterProblem,
    RosterRules,
    ShiftSpec,
)
from kefu.workforce.rostering.solver import roster_stats, solve

FEB = tuple(dt.date(2027, 2, 1) + dt.timedelta(days=i) for i in range(28))  # Feb 1 is a Monday
DAY = ShiftSpec("day", "白班", 8 * 60 + 30, 17 * 60 + 30)
NIGHT = ShiftSpec("night", "晚班", 17 * 60 + 30, 24 * 60, night=True)
SUNDAY = ShiftSpec("sunday", "周日班", 9 * 60 + 30, 24 * 60, sunday_only=True)
GALA = ShiftSpec("gala", "庆典班", 10 * 60, 18 * 60, holiday_ok=False)
SHIFTS = (DAY, NIGHT, SUNDAY)


def team(n: int = 8, extra: dict[int, dict] | None = None) -> tuple[Person, ...]:
    extra = extra or {}
    skills = [
        frozenset({"presales"}),
        frozenset({"aftersales"}),
        frozenset({"presales", "aftersales"}),
    ]
    return tuple(
        Person(
            i, f"坐席{i}", skills[i % 3], **{"history": ("day",) * 3 + (REST,), **extra.get(i, {})}
        )
        for i in range(1, n + 1)
    )


def demands(day_people: int = 3, night_people: int = 2, days=FEB) -> tuple[Demand, ...]:
    out = []
    for d in days:
        if d.weekday() == 6:
            out += [Demand(d, "sunday", 2, {"presales": 1}), Demand(d, "night", 1)]
        else:
            out += [
                Demand(d, "day", day_people, {"presales": 1, "aftersales": 1}),
                Demand(d, "night", night_people, {"presales": 1}),
            ]
    return tuple(out)


def problem(people=None, **kw) -> RosterProblem:
    return RosterProblem(
        days=kw.pop("days", FEB),
        shifts=kw.pop("shifts", SHIFTS),
        people=people or team(),
        demands=kw.pop("demands", demands()),
        rules=kw.pop("rules", RosterRules(min_rest_days=4, max_rest_days=8)),
        **kw,
    )


def assert_complete_and_valid(p: RosterProblem, assignment) -> None:
    assert set(assignment) == {(q.id, d) for q in p.people for d in p.days}
    assert check_roster(p, assignment).violations == ()


def test_every_hard_rule_and_full_coverage():
    p = problem()
    sol = solve(p, time_limit_s=5)
    assert sol.status in {"optimal", "feasible"}
    assert_complete_and_valid(p, sol.assignment)
    assert sol.shortfalls == () and sol.violations == ()
    assert sol.stats["shortfall_total"] == 0
    # the solver's own view of the rest gap: no night → day anywhere
    assert ("night", "day") in forbidden_pairs(p)
    for q in p.people:
        for a, b in itertools.pairwise(FEB):
            assert (sol.assignment[q.id, a], sol.assignment[q.id, b]) != ("night", "day")


def test_shortfall_reported_when_demand_exceeds_people():
    p = problem(team(4), demands=demands(day_people=4, night_people=2))
    sol = solve(p, time_limit_s=3)
    assert_complete_and_valid(p, sol.assignment)
    assert sol.shortfalls, "4 people cannot cover 6 a day"
    # per (day, shift) the larger of the head and the summed skill shortfalls (checker's rule)
    heads = sum(g.missing for g in sol.shortfalls if not g.skill)
    assert sol.stats["shortfall_total"] == shortfall_total(sol.shortfalls) >= heads
    assert check_roster(p, sol.assignment).shortfalls == sol.shortfalls
    assert all(g.day in FEB and g.shift in {"day", "night", "sunday"} for g in sol.shortfalls)


def test_fixed_leave_is_kept():
    leave = {FEB[3]: LEAVE, FEB[4]: LEAVE, FEB[5]: LEAVE}
    people = team(8, {2: {"fixed": leave}})
    p = problem(people)
    sol = solve(p, time_limit_s=3)
    assert_complete_and_valid(p, sol.assignment)
    assert [sol.assignment[2, d] for d in leave] == [LEAVE] * 3
    # nobody else gets leave the solver invented
    assert sum(1 for c in sol.assignment.values() if c == LEAVE) == 3


def test_fixed_shift_and_history_across_the_month_boundary():
    tired = {"history": ("day",) * 6}  # six days worked at the end of January
    night_before = {"history": (REST, "day", "night")}
    people = team(8, {1: tired, 2: night_before, 3: {"fixed": {FEB[9]: "night"}}})
    p = problem(people)
    sol = solve(p, time_limit_s=3)
    assert_complete_and_valid(p, sol.assignment)
    assert sol.assignment[1, FEB[0]] in OFF_CODES  # 做六休一 across the boundary
    assert sol.assignment[2, FEB[0]] != "day"  # 晚班 on Jan 31 → no 白班 on Feb 1
    assert sol.assignment[3, FEB[9]] == "night"


def test_holiday_and_sunday_only_shifts():
    holiday = FEB[9]
    p = problem(
        shifts=(DAY, NIGHT, SUNDAY, GALA),
        holidays=frozenset({holiday}),
        demands=(*demands(), Demand(holiday, "gala", 2), Demand(FEB[10], "gala", 1)),
    )
    sol = solve(p, time_limit_s=3)
    assert_complete_and_valid(p, sol.assignment)
    on = Counter((d, c) for (_, d), c in sol.assignment.items())
    assert on[holiday, "gala"] == 0 and on[FEB[10], "gala"] >= 1
    assert all(d.weekday() == 6 for (d, c) in on if c == "sunday")
    assert any(g.day == holiday and g.shift == "gala" for g in sol.shortfalls)


def test_rest_requests_are_honoured_when_possible():
    asked = {i: {"requested_rest": frozenset({FEB[i], FEB[i + 10]})} for i in range(1, 9)}
    p = problem(team(8, asked))
    sol = solve(p, time_limit_s=5)
    assert_complete_and_valid(p, sol.assignment)
    assert sol.stats["rest_requests"] == 16
    assert sol.stats["rest_requests_honoured"] == 16
    assert sol.shortfalls == ()


def test_night_and_sunday_shifts_are_spread_evenly():
    people = team(8, {1: {"prior": {"night": 3}}, 2: {"prior": {"sunday": 2}}})
    p = problem(people)
    sol = solve(p, time_limit_s=6)
    assert_complete_and_valid(p, sol.assignment)
    assert sol.stats["night_spread"] <= 1
    assert sol.stats["sunday_spread"] <= 1
    nights = Counter(pid for (pid, _), c in sol.assignment.items() if c == "night")
    assert nights[1] <= min(nights[i] for i in range(2, 9))  # the prior counts


def test_minimal_change_on_re_solve():
    p = problem()
    first = solve(p, time_limit_s=4)
    # 坐席5 gets approved leave on a day they worked
    day = next(d for d in FEB[7:] if first.assignment[5, d] not in OFF_CODES)
    people = tuple(dataclasses.replace(q, fixed={day: LEAVE}) if q.id == 5 else q for q in p.people)
    again = dataclasses.replace(p, people=people, previous=first.assignment)
    second = solve(again, time_limit_s=4)
    assert_complete_and_valid(again, second.assignment)
    assert second.assignment[5, day] == LEAVE
    changed = [k for k in first.assignment if first.assignment[k] != second.assignment[k]]
    assert 1 <= len(changed) <= 4
    assert second.stats["changes_vs_previous"] == len(changed)
    assert second.shortfalls == ()


def test_team_rest_limit_is_soft_but_used():
    rules = RosterRules(min_rest_days=4, max_rest_days=8, max_team_rest_same_day=2, weight_spread=0)
    p = problem(rules=rules)
    sol = solve(p, time_limit_s=4)
    assert_complete_and_valid(p, sol.assignment)
    off = Counter(d for (_, d), c in sol.assignment.items() if c in OFF_CODES)
    assert max(off.values()) <= 3


def test_fallback_is_the_greedy_roster_and_valid():
    p = problem()
    sol = solve(p, time_limit_s=0)
    assert sol.status == "fallback"
    assert_complete_and_valid(p, sol.assignment)
    assert sol.assignment == greedy_roster(p)


def test_forced_violation_is_reported_not_hidden():
    seven = {d: "day" for d in FEB[:7]}
    p = problem(team(8, {4: {"fixed": seven}}))
    sol = solve(p, time_limit_s=3)
    assert [v.rule for v in sol.violations] == [RULE_CONSECUTIVE]
    assert sol.violations[0].person_id == 4
    assert sol.assignment[4, FEB[7]] in OFF_CODES  # the run is not made longer
    assert sol.stats["violations"] == 1


def test_quota_relaxed_when_fixed_days_leave_no_room():
    """Fixed rest days fill the maximum; the consecutive rule then needs more rest: the solver
    relaxes the quota for that person instead of failing."""
    rules = RosterRules(min_rest_days=4, max_rest_days=4)
    fixed = {d: REST for d in FEB[:4]}
    p = problem(team(6, {1: {"fixed": fixed}}), rules=rules)
    models = row_models(p)
    assert models[1].relaxed == "max_rest"
    sol = solve(p, time_limit_s=2)
    assert {v.rule for v in sol.violations} <= {"rest_quota"}
    assert all(v.person_id == 1 for v in sol.violations)


def test_progress_callback_and_stop_when_covered():
    seen: list[tuple[float, str]] = []
    p = problem()
    sol = solve(
        p, time_limit_s=5, progress=lambda f, m: seen.append((f, m)), stop_after_first_covered=True
    )
    assert sol.shortfalls == ()
    assert seen and all(0 <= f <= 1 for f, _ in seen)
    assert any("缺口 0 人次" in m for _, m in seen)
    assert seen[-1][1].startswith("排班完成")


def test_multi_skilled_people_fill_one_skill_each():
    people = (
        Person(1, "甲", frozenset({"a", "b"})),
        Person(2, "乙", frozenset({"a"})),
        Person(3, "丙", frozenset({"a", "b"})),
        Person(4, "丁", frozenset({"b"})),
    )
    days = FEB[:7]
    need = tuple(Demand(d, "day", 2, {"a": 1, "b": 1}) for d in days)
    p = RosterProblem(days, (DAY,), people, need, RosterRules(min_rest_days=0))
    sol = solve(p, time_limit_s=3)
    assert sol.shortfalls == ()
    assert check_roster(p, sol.assignment).ok


def test_empty_problem():
    p = RosterProblem((), SHIFTS, (), ())
    sol = solve(p, time_limit_s=1)
    assert sol.assignment == {} and sol.shortfalls == ()
    assert roster_stats(problem(), greedy_roster(problem()))["rest_requests"] == 0
