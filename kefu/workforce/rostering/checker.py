"""Roster checker — 排班校验 (WFM-1, WFM-2): verifies every hard rule on any assignment.

Independent of the solver (``solver.py`` is never imported here): the same checks run on the
solver's output, a team lead's hand edit, an Excel import, a swap (换班) or a leave (请假), and the
tests use it as the oracle for the solver.

``check_roster`` returns person-level violations (违规) and coverage shortfalls (缺口);
``check_person`` is the fast path for one person's row (one edited cell, a swap, a leave).

Rule choices (documented here because the regulations leave them open):

* 做六休一 — consecutive working days: a day counts as working unless it is ``REST`` or
  ``LEAVE`` (an unknown code counts as working, a missing cell does not). The run is counted
  across the month boundary with ``Person.history`` (the last days of the previous month). One
  violation per over-long run, on the first day past the limit, naming the run's full length.
* 月休息配额 — rest quota: the minimum counts ``REST`` *and* ``LEAVE`` days (请假一次可充抵调休一次,
  a person on leave is not working); the maximum counts ``REST`` only (approved leave never
  pushes a person over it). A partial period (fewer days than its calendar month) is pro-rated:
  minimum ``floor(min × n / month_len)``, maximum ``ceil(max × n / month_len)``. Both are then
  clamped to what the person's fixed days allow: the minimum never exceeds the days not fixed to
  a shift, the maximum is never below the days fixed to ``REST`` — a person whose whole month
  is fixed is never a quota violation.
* 两班间休息 — rest gap: end of the previous day's shift to the start of this day's shift (a
  shift ending after midnight counts from its real end), including the history's last day → the
  period's first day.
* 节假日 / 周日班 — a shift with ``holiday_ok=False`` on a day in ``problem.holidays``, or a
  ``sunday_only`` shift on a day that is not a Sunday, are both reported as ``RULE_HOLIDAY``.
* Coverage — per ``Demand``: people short (``skill`` empty) and, per skill, people short with
  that skill, where one person counts for at most one skill (a bipartite max-flow, so a
  multi-skilled person is never counted twice).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .problem import (
    LEAVE,
    OFF_CODES,
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
    ShiftSpec,
    Shortfall,
    Violation,
)

Assignment = Mapping[tuple[int, dt.date], str]

_CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class CheckResult:
    """Result of a full check — 排班校验结果: hard-rule violations and coverage shortfalls."""

    violations: tuple[Violation, ...]
    shortfalls: tuple[Shortfall, ...]

    @property
    def ok(self) -> bool:
        """No person-level hard rule is broken — 无违规."""
        return not self.violations

    @property
    def covered(self) -> bool:
        """Every demand is met — 无缺口."""
        return not self.shortfalls

    @property
    def shortfall_total(self) -> int:
        """People-shifts missing (people short; skill shortfalls included when larger) — 缺口人次."""
        return shortfall_total(self.shortfalls)


# --------------------------------------------------------------------------------------------
# Small helpers (labels, dates)
# --------------------------------------------------------------------------------------------


def md(day: dt.date) -> str:
    """``11月7日`` — month and day as shown to team leads."""
    return f"{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """Chinese numeral for 0..10 (``做六休一``), digits otherwise."""
    return _CN_DIGITS[n] if 0 <= n <= 10 else str(n)


def clock(minutes: int) -> str:
    """``17:30``; a time past midnight is ``次日01:00`` (24:00 stays ``24:00``)."""
    if minutes > 24 * 60:
        minutes -= 24 * 60
        return f"次日{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def code_label(problem: RosterProblem, code: str) -> str:
    """Chinese label of a cell code: 休息 / 请假 / the shift's name / the raw code."""
    if code == REST:
        return "休息"
    if code == LEAVE:
        return "请假"
    spec = problem.shift(code)
    return spec.name if spec else code


def shift_label(spec: ShiftSpec) -> str:
    """``晚班（17:30–24:00）``."""
    return f"{spec.name}（{clock(spec.start_min)}–{clock(spec.end_min)}）"


def is_working(code: str | None) -> bool:
    """A working day for 做六休一: any code but rest/leave; a missing cell is not working."""
    return code is not None and code not in OFF_CODES


def rest_gap_minutes(before: ShiftSpec, after: ShiftSpec) -> int:
    """Minutes between the end of ``before`` (worked one day) and the start of ``after`` (the next
    day) — 两班间休息时长."""
    return 24 * 60 + after.start_min - before.end_min


def consecutive_run_lengths(codes: Sequence[str | None]) -> list[int]:
    """For each position, the length of the working run ending there (0 on a rest/leave day).

    ``consecutive_run_lengths(history + month)`` gives 做六休一 across the month boundary.
    """
    out: list[int] = []
    run = 0
    for code in codes:
        run = run + 1 if is_working(code) else 0
        out.append(run)
    return out


def month_length(day: dt.date) -> int:
    """Days in the calendar month of ``day``."""
    return calendar.monthrange(day.year, day.month)[1]


def rest_quota_bounds(problem: RosterProblem, person: Person) -> tuple[int, int | None]:
    """The person's effective rest quota (min over REST+LEAVE, max over REST) — 月休息配额.

    Pro-rated for a partial period and clamped by the person's fixed days (module docstring).
    """
    rules = problem.rules
    n = len(problem.days)
    if not n:
        return 0, None
    full = month_length(problem.days[0])
    lo: int = rules.min_rest_days
    hi: int | None = rules.max_rest_days
    if n < full:
        lo = math.floor(rules.min_rest_days * n / full)
        hi = None if hi is None else math.ceil(hi * n / full)
    in_period = set(problem.days)
    fixed_work = sum(1 for d, c in person.fixed.items() if d in in_period and c not in OFF_CODES)
    fixed_rest = sum(1 for d, c in person.fixed.items() if d in in_period and c == REST)
    lo = min(lo, n - fixed_work)
    if hi is not None:
        hi = max(hi, fixed_rest)
    return lo, hi


def shortfall_total(shortfalls: Iterable[Shortfall]) -> int:
    """People-shifts missing: per (day, shift) the larger of the head-count shortfall and the
    sum of the per-skill shortfalls (a person found for a missing skill also fills a head)."""
    heads: dict[tuple[dt.date, str], int] = defaultdict(int)
    skills: dict[tuple[dt.date, str], int] = defaultdict(int)
    for s in shortfalls:
        if s.skill:
            skills[s.day, s.shift] += s.missing
        else:
            heads[s.day, s.shift] += s.missing
    keys = set(heads) | set(skills)
    return sum(max(heads[k], skills[k]) for k in keys)


# --------------------------------------------------------------------------------------------
# Person-level rules
# --------------------------------------------------------------------------------------------


def _person_row(problem: RosterProblem, assignment: Assignment, pid: int) -> list[str | None]:
    return [assignment.get((pid, d)) for d in problem.days]


def _check_row(
    problem: RosterProblem, person: Person, row: Sequence[str | None]
) -> list[Violation]:
    """Every person-level hard rule on one row (one code or None per day of the period)."""
    out: list[Violation] = []
    name = person.name
    pid = person.id
    rules = problem.rules
    days = problem.days
    specs = {s.code: s for s in problem.shifts}

    for day, code in zip(days, row, strict=True):
        if not code:
            out.append(
                Violation(
                    RULE_ONE_PER_DAY,
                    f"{name} {md(day)} 没有排班（每人每天须有一个班次、休息或请假）",
                    pid,
                    day,
                )
            )
            continue
        fixed = person.fixed.get(day)
        if fixed is not None and fixed != code:
            out.append(
                Violation(
                    RULE_FIXED,
                    f"{name} {md(day)} 已固定为{code_label(problem, fixed)}（已批准请假或已发布），"
                    f"不能改为{code_label(problem, code)}",
                    pid,
                    day,
                    code,
                )
            )
        if code in OFF_CODES:
            continue
        spec = specs.get(code)
        if spec is None:
            out.append(
                Violation(RULE_UNKNOWN_CODE, f"{name} {md(day)} 班次“{code}”不存在", pid, day, code)
            )
            continue
        missing = spec.skills - person.skills
        if missing:
            out.append(
                Violation(
                    RULE_SKILL,
                    f"{name} {md(day)} 不具备{spec.name}所需技能：{'、'.join(sorted(missing))}",
                    pid,
                    day,
                    code,
                )
            )
        if day in problem.holidays and not spec.holiday_ok:
            out.append(
                Violation(
                    RULE_HOLIDAY,
                    f"{name} {md(day)} 为法定节假日，不能排{spec.name}",
                    pid,
                    day,
                    code,
                )
            )
        if spec.sunday_only and day.weekday() != 6:
            out.append(
                Violation(
                    RULE_HOLIDAY,
                    f"{name} {md(day)} 不是周日，不能排{spec.name}（仅限周日）",
                    pid,
                    day,
                    code,
                )
            )

    # 做六休一, counted across the month boundary.
    limit = rules.max_consecutive_work_days
    history = list(person.history)
    runs = consecutive_run_lengths([*history, *row])[len(history) :]
    i = 0
    while i < len(days):
        if runs[i] > limit:
            j = i
            while j + 1 < len(days) and runs[j + 1] > runs[j]:
                j += 1
            out.append(
                Violation(
                    RULE_CONSECUTIVE,
                    f"{name} {md(days[i])} 连续上班{runs[j]}天，超过上限{limit}天"
                    f"（做{cn_number(limit)}休一）",
                    pid,
                    days[i],
                    row[i] or "",
                )
            )
            i = j + 1
        else:
            i += 1

    # 两班间休息 (history's last day → the first day too).
    min_gap = rules.min_rest_hours_between_shifts * 60
    prev_day = days[0] - dt.timedelta(days=1) if days else None
    prev_code: str | None = history[-1] if history else None
    for day, code in zip(days, row, strict=True):
        before = specs.get(prev_code) if prev_code else None
        after = specs.get(code) if code else None
        if before is not None and after is not None and prev_day == day - dt.timedelta(days=1):
            gap = rest_gap_minutes(before, after)
            if gap < min_gap:
                out.append(
                    Violation(
                        RULE_REST_GAP,
                        f"{name} {md(prev_day)}上{shift_label(before)}后，{md(day)}接着上"
                        f"{shift_label(after)}，两班间仅休息{gap / 60:g}小时，"
                        f"少于{rules.min_rest_hours_between_shifts:g}小时",
                        pid,
                        day,
                        code or "",
                    )
                )
        prev_day, prev_code = day, code

    # 月休息配额.
    if days:
        lo, hi = rest_quota_bounds(problem, person)
        rest = sum(1 for c in row if c == REST)
        off = rest + sum(1 for c in row if c == LEAVE)
        month = f"{days[0].year}年{days[0].month}月"
        if off < lo:
            out.append(
                Violation(
                    RULE_REST_QUOTA,
                    f"{name} {month} 休息{off}天（含请假），少于每月最少休息{lo}天",
                    pid,
                )
            )
        if hi is not None and rest > hi:
            out.append(
                Violation(
                    RULE_REST_QUOTA,
                    f"{name} {month} 休息{rest}天，超过每月最多休息{hi}天",
                    pid,
                )
            )
    return out


def _extra_cells(
    problem: RosterProblem, keys: Iterable[tuple[int, dt.date]], names: Mapping[int, str]
) -> list[Violation]:
    """Cells outside the period or for someone not on the roster — 多余的排班."""
    in_period = set(problem.days)
    out = []
    first, last = (problem.days[0], problem.days[-1]) if problem.days else (None, None)
    for pid, day in sorted(keys, key=lambda k: (k[0], k[1])):
        if pid not in names:
            out.append(
                Violation(
                    RULE_ONE_PER_DAY,
                    f"编号{pid}的人员 {md(day)} 不在本班组排班名单中，不能排班",
                    pid,
                    day,
                )
            )
        elif day not in in_period:
            span = f"{md(first)}–{md(last)}" if first and last else "空"
            out.append(
                Violation(
                    RULE_ONE_PER_DAY,
                    f"{names[pid]} {md(day)} 不在本排班周期内（{span}），不能排班",
                    pid,
                    day,
                )
            )
    return out


def check_person(
    problem: RosterProblem, assignment: Assignment, person_id: int
) -> tuple[Violation, ...]:
    """Person-level hard rules for one person — 单人校验 (a cell edit, a swap, a leave).

    Only this person's row is read (the whole mapping is scanned once for cells outside the
    period), so it runs in well under a millisecond for a 31-day month.
    """
    person = next((p for p in problem.people if p.id == person_id), None)
    if person is None:
        raise KeyError(person_id)
    row = _person_row(problem, assignment, person_id)
    out = _check_row(problem, person, row)
    in_period = set(problem.days)
    extra = [k for k in assignment if k[0] == person_id and k[1] not in in_period]
    out.extend(_extra_cells(problem, extra, {person.id: person.name}))
    return tuple(out)


def check_people(problem: RosterProblem, assignment: Assignment) -> tuple[Violation, ...]:
    """Person-level hard rules for everyone, plus cells outside the period/roster."""
    out: list[Violation] = []
    for person in problem.people:
        out.extend(_check_row(problem, person, _person_row(problem, assignment, person.id)))
    names = {p.id: p.name for p in problem.people}
    in_period = set(problem.days)
    extra = [k for k in assignment if k[0] not in names or k[1] not in in_period]
    out.extend(_extra_cells(problem, extra, names))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def skill_roles(need: Mapping[str, int], people_skills: Sequence[frozenset[str]]) -> dict[int, str]:
    """Max-flow of people to skill slots — 技能匹配: person index → the skill slot it fills, for
    a maximum number of filled slots, every person filling at most one slot of a skill they have.

    Augmenting paths over (skill → person → the person's current skill → …); skills are
    processed in sorted order so the result is deterministic.
    """
    skills = sorted(s for s, k in need.items() if k > 0)
    filled = dict.fromkeys(skills, 0)
    owner: dict[int, str] = {}  # person index → skill it fills
    by_skill = {s: [i for i, ps in enumerate(people_skills) if s in ps] for s in skills}

    def augment(skill: str, seen_skills: set[str], seen_people: set[int]) -> bool:
        seen_skills.add(skill)
        for i in by_skill[skill]:
            if i in seen_people:
                continue
            seen_people.add(i)
            current = owner.get(i)
            if current is None or (
                current not in seen_skills and augment(current, seen_skills, seen_people)
            ):
                owner[i] = skill
                return True
        return False

    # Cheap first pass: people with one relevant skill.
    for s in skills:
        for i in by_skill[s]:
            if filled[s] >= need[s]:
                break
            if i not in owner and sum(1 for t in skills if t in people_skills[i]) == 1:
                owner[i] = s
                filled[s] += 1
    # An augmenting path moves people between skills but never changes another skill's count:
    # it ends on a free person, so every other skill on it keeps its number of filled slots.
    for s in skills:
        while filled[s] < need[s] and augment(s, set(), set()):
            filled[s] += 1
    return owner


def skill_matching(
    need: Mapping[str, int], people_skills: Sequence[frozenset[str]]
) -> dict[str, int]:
    """Filled slots per skill of a maximum matching (``skill_roles``)."""
    filled = {s: 0 for s, k in need.items() if k > 0}
    for skill in skill_roles(need, people_skills).values():
        filled[skill] += 1
    return filled


def coverage_shortfalls(problem: RosterProblem, assignment: Assignment) -> tuple[Shortfall, ...]:
    """Coverage per demand — 覆盖缺口: people short and per-skill short (one skill per person)."""
    skills_of = {p.id: p.skills for p in problem.people}
    on_shift: dict[tuple[dt.date, str], list[int]] = defaultdict(list)
    in_period = set(problem.days)
    for (pid, day), code in assignment.items():
        if pid in skills_of and day in in_period and code and code not in OFF_CODES:
            on_shift[day, code].append(pid)
    out: list[Shortfall] = []
    for demand in sorted(problem.demands, key=_demand_key):
        out.extend(
            _demand_shortfalls(demand, on_shift.get((demand.day, demand.shift), []), skills_of)
        )
    return tuple(out)


def _demand_key(d: Demand) -> tuple[dt.date, str]:
    return d.day, d.shift


def _demand_shortfalls(
    demand: Demand, pids: Sequence[int], skills_of: Mapping[int, frozenset[str]]
) -> list[Shortfall]:
    out = []
    if len(pids) < demand.min_people:
        out.append(Shortfall(demand.day, demand.shift, demand.min_people - len(pids)))
    need = {s: k for s, k in demand.skills.items() if k > 0}
    if need:
        filled = skill_matching(need, [skills_of[p] for p in pids])
        for s in sorted(need):
            if filled[s] < need[s]:
                out.append(Shortfall(demand.day, demand.shift, need[s] - filled[s], s))
    return out


def check_roster(problem: RosterProblem, assignment: Assignment) -> CheckResult:
    """Full check — 排班校验: every person-level hard rule and every demand's coverage."""
    return CheckResult(
        violations=check_people(problem, assignment),
        shortfalls=coverage_shortfalls(problem, assignment),
    )
