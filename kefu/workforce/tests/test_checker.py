"""Roster checker — 排班校验 (WFM-1, WFM-2): every hard rule, its exact Chinese message, the
boundaries and 做六休一 across the month boundary. Pure functions, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce.rostering.checker import (
    CheckResult,
    check_person,
    check_roster,
    consecutive_run_lengths,
    coverage_shortfalls,
    rest_quota_bounds,
    shortfall_total,
    skill_matching,
)
from kefu.workforce.rostering.problem import (
    LEAVE,
    REST,
    RULE_CONSECUTIVE,
    RULE_FIXED,
    RULE_HOLIDAY,
    RULE_ONE_PER_DAY,
    RULE_REST_GAP,
    RULE_REST_QUOTA,
    RULE_SKILL,
    RULE_UNKNOWN_CODE,
    Demand,
    Person,
    RosterProblem,
    RosterRules,
    ShiftSpec,
    Shortfall,
)

NOV = tuple(dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30))  # Nov 1 is a Sunday
SHIFTS = (
    ShiftSpec("day", "白班", 8 * 60 + 30, 17 * 60 + 30),
    ShiftSpec("night", "晚班", 17 * 60 + 30, 24 * 60, night=True),
    ShiftSpec("evening", "夜班", 18 * 60 + 30, 24 * 60, skills=frozenset({"chat"}), night=True),
    ShiftSpec("sunday", "周日班", 9 * 60 + 30, 24 * 60, sunday_only=True),
    ShiftSpec("gala", "庆典班", 10 * 60, 18 * 60, holiday_ok=False),
    ShiftSpec("late", "晚班延长", 17 * 60 + 30, 25 * 60, night=True),  # 17:30–次日01:00
)
HISTORY = ("day",) * 6 + (REST,)
ZHANG = Person(1, "张三", frozenset({"presales", "chat"}), HISTORY)
LI = Person(2, "李四", frozenset({"aftersales"}), HISTORY)


def problem(*people: Person, days=NOV, demands=(), **kw) -> RosterProblem:
    return RosterProblem(
        days=days,
        shifts=SHIFTS,
        people=people or (ZHANG, LI),
        demands=tuple(demands),
        rules=kw.pop("rules", RosterRules()),
        **kw,
    )


def base_row(days=NOV) -> dict[dt.date, str]:
    """白班 every day, 休息 on the 7th, 14th, 21st, 28th: 4 rest days, runs of 6."""
    return {d: REST if d.day % 7 == 0 else "day" for d in days}


def roster(rows: dict[int, dict[dt.date, str]]) -> dict[tuple[int, dt.date], str]:
    return {(pid, d): c for pid, row in rows.items() for d, c in row.items()}


def valid(days=NOV) -> dict[tuple[int, dt.date], str]:
    return roster({1: base_row(days), 2: base_row(days)})


def only(result: CheckResult | tuple, rule: str) -> list[str]:
    violations = result.violations if isinstance(result, CheckResult) else result
    return [v.message for v in violations if v.rule == rule]


def d(day: int) -> dt.date:
    return dt.date(2026, 11, day)


# ---------------------------------------------------------------- a valid roster


def test_valid_roster_has_no_violation_and_is_covered():
    p = problem(demands=[Demand(d(2), "day", 2, {"presales": 1, "aftersales": 1})])
    result = check_roster(p, valid())
    assert result.violations == ()
    assert result.shortfalls == ()
    assert result.ok and result.covered and result.shortfall_total == 0


# ---------------------------------------------------------------- one code per person-day


def test_missing_cell():
    a = valid()
    del a[1, d(7)]
    a[1, d(6)] = REST  # keep the rest quota
    msgs = only(check_roster(problem(), a), RULE_ONE_PER_DAY)
    assert msgs == ["张三 11月7日 没有排班（每人每天须有一个班次、休息或请假）"]


def test_empty_code_counts_as_missing():
    a = valid()
    a[1, d(8)] = ""
    assert only(check_person(problem(), a, 1), RULE_ONE_PER_DAY) == [
        "张三 11月8日 没有排班（每人每天须有一个班次、休息或请假）"
    ]


def test_extra_cells_outside_period_or_roster():
    a = valid()
    a[1, dt.date(2026, 12, 1)] = "day"
    a[99, d(3)] = "day"
    msgs = only(check_roster(problem(), a), RULE_ONE_PER_DAY)
    assert msgs == [
        "张三 12月1日 不在本排班周期内（11月1日–11月30日），不能排班",
        "编号99的人员 11月3日 不在本班组排班名单中，不能排班",
    ]
    # check_person sees its own extra cell only
    assert only(check_person(problem(), a, 1), RULE_ONE_PER_DAY) == [msgs[0]]


def test_unknown_code():
    a = valid()
    a[2, d(3)] = "swing"
    assert only(check_roster(problem(), a), RULE_UNKNOWN_CODE) == ["李四 11月3日 班次“swing”不存在"]


# ---------------------------------------------------------------- skills, holidays, Sundays


def test_skill_missing_names_the_skill():
    a = valid()
    a[2, d(3)] = "evening"
    violations = check_roster(problem(), a).violations
    assert only(violations, RULE_SKILL) == ["李四 11月3日 不具备夜班所需技能：chat"]
    v = next(v for v in violations if v.rule == RULE_SKILL)
    assert (v.person_id, v.day, v.shift) == (2, d(3), "evening")
    a[2, d(3)] = "day"
    a[1, d(3)] = "evening"  # 张三 has chat
    assert only(check_roster(problem(), a), RULE_SKILL) == []


def test_holiday_shift_on_a_holiday():
    a = valid()
    a[1, d(3)] = "gala"
    p = problem(holidays=frozenset({d(3)}))
    assert only(check_roster(p, a), RULE_HOLIDAY) == ["张三 11月3日 为法定节假日，不能排庆典班"]
    assert only(check_roster(problem(), a), RULE_HOLIDAY) == []  # not a holiday: fine


def test_sunday_only_shift():
    a = valid()
    a[1, d(3)] = "sunday"  # Tuesday
    a[2, d(8)] = "sunday"  # Sunday: fine
    assert only(check_roster(problem(), a), RULE_HOLIDAY) == [
        "张三 11月3日 不是周日，不能排周日班（仅限周日）"
    ]


# ---------------------------------------------------------------- 做六休一


def test_seven_days_in_a_row_message():
    a = valid()
    a[1, d(7)] = "day"
    a[1, d(8)] = REST
    msgs = only(check_person(problem(), a, 1), RULE_CONSECUTIVE)
    assert msgs == ["张三 11月7日 连续上班7天，超过上限6天（做六休一）"]


def test_six_days_in_a_row_is_fine_and_one_message_per_run():
    a = valid()
    assert only(check_person(problem(), a, 1), RULE_CONSECUTIVE) == []
    for day in (7, 14):
        a[1, d(day)] = "night" if day == 7 else "day"
    a[1, d(15)] = REST
    a[1, d(16)] = REST
    # Nov 1–14 is one run of 14 days: one violation on the first day past the limit
    assert only(check_person(problem(), a, 1), RULE_CONSECUTIVE) == [
        "张三 11月7日 连续上班14天，超过上限6天（做六休一）"
    ]


def test_consecutive_counts_previous_month_tail():
    a = valid()
    worked = dataclasses.replace(ZHANG, history=(REST, "day", "day", "day", "day"))
    # 4 days in October + Nov 1–6 = 10 days
    msgs = only(check_person(problem(worked, LI), a, 1), RULE_CONSECUTIVE)
    assert msgs == ["张三 11月3日 连续上班10天，超过上限6天（做六休一）"]
    rested = dataclasses.replace(ZHANG, history=("day", "day", "day", "day", REST))
    assert only(check_person(problem(rested, LI), a, 1), RULE_CONSECUTIVE) == []


def test_history_over_the_limit_but_first_day_off_is_fine():
    a = valid()
    a[1, d(1)] = REST
    tired = dataclasses.replace(ZHANG, history=("day",) * 9)
    assert only(check_person(problem(tired, LI), a, 1), RULE_CONSECUTIVE) == []


def test_leave_breaks_a_run_and_limit_follows_rules():
    a = valid()
    a[1, d(7)] = "day"
    a[1, d(10)] = REST
    a[1, d(4)] = LEAVE
    p = problem(dataclasses.replace(ZHANG, fixed={d(4): LEAVE}), LI)
    assert only(check_person(p, a, 1), RULE_CONSECUTIVE) == []
    # 做五休一
    strict = problem(rules=RosterRules(max_consecutive_work_days=5))
    assert only(check_person(strict, valid(), 1), RULE_CONSECUTIVE)[0] == (
        "张三 11月6日 连续上班6天，超过上限5天（做五休一）"
    )


def test_consecutive_run_lengths():
    assert consecutive_run_lengths(["day", "night", REST, "day", LEAVE, None, "x"]) == [
        1,
        2,
        0,
        1,
        0,
        0,
        1,
    ]


# ---------------------------------------------------------------- 月休息配额


def test_rest_quota_too_few_and_too_many():
    a = valid()
    a[1, d(28)] = "day"
    a[1, d(27)] = REST  # still 4 …
    a[1, d(21)] = "day"
    a[1, d(22)] = "day"
    a[1, d(20)] = REST
    assert only(check_person(problem(), a, 1), RULE_REST_QUOTA) == []
    a[1, d(27)] = "day"  # … now 3
    assert only(check_person(problem(), a, 1), RULE_REST_QUOTA) == [
        "张三 2026年11月 休息3天（含请假），少于每月最少休息4天"
    ]
    b = valid()
    for day in (1, 2, 3):
        b[2, d(day)] = REST
    p = problem(rules=RosterRules(max_rest_days=6))
    assert only(check_person(p, b, 2), RULE_REST_QUOTA) == [
        "李四 2026年11月 休息7天，超过每月最多休息6天"
    ]
    b[2, d(3)] = "day"
    assert only(check_person(p, b, 2), RULE_REST_QUOTA) == []  # 6 is the limit itself


def test_leave_counts_for_the_minimum_not_the_maximum():
    a = valid()
    a[1, d(28)] = LEAVE  # 3 rest + 1 leave = 4
    fixed = dataclasses.replace(ZHANG, fixed={d(28): LEAVE})
    assert only(check_person(problem(fixed, LI), a, 1), RULE_REST_QUOTA) == []
    # ten days of approved leave never push anyone over the maximum
    leave_days = {d(i): LEAVE for i in range(15, 25)}
    long_leave = dataclasses.replace(ZHANG, fixed=leave_days)
    a.update({(1, day): LEAVE for day in leave_days})
    p = problem(long_leave, LI, rules=RosterRules(max_rest_days=6))
    assert only(check_person(p, a, 1), RULE_REST_QUOTA) == []


def test_whole_month_fixed_is_not_a_quota_violation():
    all_day = {day: "day" for day in NOV}
    p = problem(dataclasses.replace(ZHANG, fixed=all_day), LI)
    assert rest_quota_bounds(p, p.people[0]) == (0, None)
    a = valid()
    a.update({(1, day): "day" for day in NOV})
    assert only(check_person(p, a, 1), RULE_REST_QUOTA) == []
    assert only(check_person(p, a, 1), RULE_CONSECUTIVE)  # 做六休一 is still reported
    all_rest = {day: REST for day in NOV}
    p = problem(dataclasses.replace(ZHANG, fixed=all_rest), LI, rules=RosterRules(max_rest_days=6))
    a.update({(1, day): REST for day in NOV})
    assert rest_quota_bounds(p, p.people[0]) == (4, 30)
    assert only(check_person(p, a, 1), RULE_REST_QUOTA) == []


def test_partial_month_is_pro_rated():
    half = NOV[:15]  # 15 of 30 days: min floor(4 × 0.5) = 2, max ceil(5 × 0.5) = 3
    p = problem(days=half, rules=RosterRules(min_rest_days=4, max_rest_days=5))
    assert rest_quota_bounds(p, p.people[0]) == (2, 3)
    a = valid(half)  # rests on the 7th and 14th
    assert check_roster(p, a).violations == ()
    a[1, d(14)] = "day"
    a[1, d(13)] = REST
    a[1, d(12)] = REST
    a[1, d(1)] = REST
    a[1, d(2)] = REST
    assert only(check_person(p, a, 1), RULE_REST_QUOTA) == [
        "张三 2026年11月 休息5天，超过每月最多休息3天"
    ]


# ---------------------------------------------------------------- fixed days


def test_fixed_day_changed():
    fixed = dataclasses.replace(ZHANG, fixed={d(10): LEAVE, d(11): "night"})
    a = valid()
    a[1, d(10)] = LEAVE
    a[1, d(11)] = "night"
    a[1, d(12)] = REST  # no day shift after the night
    p = problem(fixed, LI)
    assert check_person(p, a, 1) == ()
    a[1, d(10)] = "day"
    assert only(check_person(p, a, 1), RULE_FIXED) == [
        "张三 11月10日 已固定为请假（已批准请假或已发布），不能改为白班"
    ]


# ---------------------------------------------------------------- rest between shifts


def test_night_then_day_is_too_short():
    a = valid()
    a[1, d(2)] = "night"
    violations = check_person(problem(), a, 1)
    assert only(violations, RULE_REST_GAP) == [
        "张三 11月2日上晚班（17:30–24:00）后，11月3日接着上白班（08:30–17:30），"
        "两班间仅休息8.5小时，少于10小时"
    ]
    v = next(v for v in violations if v.rule == RULE_REST_GAP)
    assert (v.day, v.shift) == (d(3), "day")


def test_night_then_night_or_rest_is_fine_and_threshold_is_inclusive():
    a = valid()
    a[1, d(2)] = "night"
    a[1, d(3)] = "evening"
    a[1, d(4)] = REST
    assert only(check_person(problem(), a, 1), RULE_REST_GAP) == []
    a[1, d(3)] = "day"
    a[1, d(4)] = "day"
    relaxed = problem(rules=RosterRules(min_rest_hours_between_shifts=8.5))
    assert only(check_person(relaxed, a, 1), RULE_REST_GAP) == []  # exactly 8.5 h is enough


def test_shift_past_midnight():
    a = valid()
    a[1, d(2)] = "late"
    a[1, d(3)] = "day"
    assert only(check_person(problem(), a, 1), RULE_REST_GAP) == [
        "张三 11月2日上晚班延长（17:30–次日01:00）后，11月3日接着上白班（08:30–17:30），"
        "两班间仅休息7.5小时，少于10小时"
    ]


def test_rest_gap_from_previous_month():
    night_before = dataclasses.replace(ZHANG, history=(*HISTORY[:-2], REST, "night"))
    a = valid()
    assert only(check_person(problem(night_before, LI), a, 1), RULE_REST_GAP) == [
        "张三 10月31日上晚班（17:30–24:00）后，11月1日接着上白班（08:30–17:30），"
        "两班间仅休息8.5小时，少于10小时"
    ]


# ---------------------------------------------------------------- coverage


def test_people_shortfall():
    p = problem(demands=[Demand(d(2), "day", 3), Demand(d(2), "night", 1)])
    result = check_roster(p, valid())
    assert result.shortfalls == (
        Shortfall(d(2), "day", 1),
        Shortfall(d(2), "night", 1),
    )
    assert result.ok and not result.covered and result.shortfall_total == 2


def test_skill_shortfall():
    p = problem(demands=[Demand(d(2), "day", 2, {"presales": 1, "vip": 1})])
    assert check_roster(p, valid()).shortfalls == (Shortfall(d(2), "day", 1, "vip"),)


def test_multi_skilled_person_counts_once():
    both = Person(3, "王五", frozenset({"presales", "aftersales"}), HISTORY)
    a = roster({3: base_row()})
    p = problem(both, demands=[Demand(d(2), "day", 1, {"presales": 1, "aftersales": 1})])
    gaps = check_roster(p, a).shortfalls
    assert len(gaps) == 1 and gaps[0].missing == 1 and gaps[0].skill in {"presales", "aftersales"}
    assert shortfall_total(gaps) == 1


def test_matching_moves_a_multi_skilled_person():
    """张三 (presales+chat) and 赵六 (presales): need presales 1 and chat 1 — only a matching
    that puts 张三 on chat covers both (a greedy in skill order would not)."""
    zhao = Person(4, "赵六", frozenset({"presales"}), HISTORY)
    a = roster({1: base_row(), 4: base_row()})
    p = problem(ZHANG, zhao, demands=[Demand(d(2), "day", 2, {"chat": 1, "presales": 1})])
    assert coverage_shortfalls(p, a) == ()
    assert skill_matching({"a": 2, "b": 1}, [frozenset("ab"), frozenset("a"), frozenset("b")]) == {
        "a": 2,
        "b": 1,
    }
    assert skill_matching({"a": 2, "b": 2}, [frozenset("ab"), frozenset("ab"), frozenset("a")]) in (
        {"a": 1, "b": 2},
        {"a": 2, "b": 1},
    )


def test_rest_and_leave_do_not_cover():
    a = valid()
    p = problem(demands=[Demand(d(7), "day", 1)])
    assert check_roster(p, a).shortfalls == (Shortfall(d(7), "day", 1),)


# ---------------------------------------------------------------- fast path


def test_check_person_matches_full_check_and_is_fast():
    a = valid()
    a[1, d(2)] = "night"
    a[1, d(7)] = "day"
    a[1, d(8)] = REST
    full = [v for v in check_roster(problem(), a).violations if v.person_id == 1]
    assert list(check_person(problem(), a, 1)) == full
    people = tuple(Person(i, f"坐席{i}", frozenset({"presales"}), HISTORY) for i in range(1, 201))
    days31 = tuple(dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(31))
    big = problem(*people, days=days31)
    assignment = roster({p.id: base_row(days31) for p in people})
    best = min(_timed(lambda: check_person(big, assignment, 150)) for _ in range(5))
    assert best < 0.05


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ---------------------------------------------------------------- property: 做六休一 oracle


@settings(max_examples=200, deadline=None)
@given(
    history=st.lists(st.sampled_from(["day", REST]), max_size=8),
    row=st.lists(st.sampled_from(["day", "night", REST, LEAVE]), min_size=30, max_size=30),
    limit=st.integers(min_value=1, max_value=8),
)
def test_consecutive_violation_iff_a_long_run_touches_the_month(history, row, limit):
    person = dataclasses.replace(ZHANG, history=tuple(history))
    p = problem(person, rules=RosterRules(max_consecutive_work_days=limit))
    a = roster({1: dict(zip(NOV, row, strict=True))})
    got = [v for v in check_person(p, a, 1) if v.rule == RULE_CONSECUTIVE]
    # brute force: every maximal run that includes a month day and is longer than the limit
    seq = [c not in (REST, LEAVE) for c in [*history, *row]]
    runs, start = [], None
    for i, working in enumerate([*seq, False]):
        if working and start is None:
            start = i
        elif not working and start is not None:
            if i - 1 >= len(history) and i - start > limit:
                runs.append(i - start)
            start = None
    assert [int(v.message.split("连续上班")[1].split("天")[0]) for v in got] == runs
