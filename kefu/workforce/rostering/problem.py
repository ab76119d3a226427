"""Roster problem — 排班问题: the data the solver and the checker share (WFM-1, WFM-2).

Plain frozen dataclasses, no Django: the CP-SAT solver (``solver.py``) turns a
``RosterProblem`` into a ``RosterSolution``; the independent checker (``checker.py``, separate code
from the solver) verifies every hard rule on any assignment, whether it came from the solver, a
team lead's hand edit, an Excel import, a swap or a leave. ``kefu.workforce.services`` builds the
problem from the database and policy.

Cell codes: a shift code from policy (``day``, ``night`` …), ``REST`` (休息) or ``LEAVE`` (请假).
Every (person, day) of the month has exactly one code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

REST = "rest"
LEAVE = "leave"
OFF_CODES = frozenset({REST, LEAVE})

# Hard rules, by code — the checker reports these; messages are Chinese (shown to team leads).
RULE_ONE_PER_DAY = "one_per_day"  # 每人每天只能一个班次/休息/请假
RULE_UNKNOWN_CODE = "unknown_code"  # 未知班次
RULE_SKILL = "skill"  # 员工不具备该班次所需技能
RULE_CONSECUTIVE = "consecutive"  # 连续上班超过上限（跨月计算，做六休一）
RULE_REST_QUOTA = "rest_quota"  # 月休息天数不足 / 超过
RULE_FIXED = "fixed"  # 已批准的请假或已发布的日期被改动
RULE_REST_GAP = "rest_gap"  # 晚班后紧接白班（两班间休息不足）
RULE_HOLIDAY = "holiday"  # 节假日不可排的班次
RULE_COVERAGE = "coverage"  # 人数或技能不足（缺口按天、班次报告）

HARD_RULES = (
    RULE_ONE_PER_DAY,
    RULE_UNKNOWN_CODE,
    RULE_SKILL,
    RULE_CONSECUTIVE,
    RULE_REST_QUOTA,
    RULE_FIXED,
    RULE_REST_GAP,
    RULE_HOLIDAY,
    RULE_COVERAGE,
)


@dataclass(frozen=True)
class ShiftSpec:
    """One shift type — 班次. Minutes from midnight of its day; ``end_min`` > 1440 crosses midnight.

    ``skills``: the skills a person needs to be put on this shift at all (empty = anyone).
    ``night``: counts as a night shift for the even spread. ``sunday_only``/``holiday_ok`` limit
    the days it may be used on.
    """

    code: str
    name: str
    start_min: int
    end_min: int
    skills: frozenset[str] = frozenset()
    night: bool = False
    sunday_only: bool = False
    holiday_ok: bool = True

    @property
    def hours(self) -> float:
        return (self.end_min - self.start_min) / 60


@dataclass(frozen=True)
class Person:
    """One member of the team — 排班人员.

    ``history``: codes of the last days of the previous month, oldest first, most recent last
    (at least ``max_consecutive_work_days`` of them when known) — for 做六休一 across the month
    boundary and the rest gap on the 1st.
    ``fixed``: days whose code may not change (approved leave → ``LEAVE``, already-published days).
    ``requested_rest``: days the person asked to rest (soft).
    ``prior``: counts carried from earlier months for fairness: keys ``night``, ``sunday``,
    ``holiday`` (total shifts of that kind over the tracked window, minus the team average is
    what matters).
    """

    id: int
    name: str
    skills: frozenset[str] = frozenset()
    history: tuple[str, ...] = ()
    fixed: Mapping[dt.date, str] = field(default_factory=dict)
    requested_rest: frozenset[dt.date] = frozenset()
    prior: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Demand:
    """Coverage requirement — 人员配置需求: on ``day`` the shift needs ``min_people`` people, of
    whom at least ``skills[s]`` have skill ``s``."""

    day: dt.date
    shift: str
    min_people: int
    skills: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRules:
    """Hard and soft limits from policy (``shifts`` and ``roster`` domains)."""

    max_consecutive_work_days: int = 6  # 做六休一
    min_rest_days: int = 4  # 月休息配额（下限）
    max_rest_days: int | None = None  # 月休息配额（上限），None = 不限
    min_rest_hours_between_shifts: float = 10.0  # 晚班(24:00)→白班(8:30) = 8.5 h < 10 → 禁止
    max_team_rest_same_day: int | None = None  # 同一天最多几人休息（软）
    # Weights of the soft objective; larger = more important.
    weight_shortfall: int = 1000  # 每缺一人（始终远大于其他项）
    weight_spread: int = 20  # 夜班/周日/节假日班次分布不均
    weight_rest_request: int = 10  # 未满足的休息申请
    weight_team_rest: int = 5  # 同日休息人数超限
    weight_change: int = 30  # 相对上一版的改动（最小改动）


@dataclass(frozen=True)
class RosterProblem:
    """Everything needed to roster one team for one period (normally a calendar month)."""

    days: tuple[dt.date, ...]
    shifts: tuple[ShiftSpec, ...]
    people: tuple[Person, ...]
    demands: tuple[Demand, ...]
    rules: RosterRules = field(default_factory=RosterRules)
    holidays: frozenset[dt.date] = frozenset()  # 法定节假日（休息日）
    workdays_adjusted: frozenset[dt.date] = frozenset()  # 调休上班日（周末但上班）
    # Previous version of this roster (person id, day) → code, for minimal change when re-solving.
    previous: Mapping[tuple[int, dt.date], str] = field(default_factory=dict)

    def shift(self, code: str) -> ShiftSpec | None:
        for spec in self.shifts:
            if spec.code == code:
                return spec
        return None


@dataclass(frozen=True)
class Shortfall:
    """缺口: on ``day`` shift ``shift`` is short of ``missing`` people (``skill`` empty) or of
    ``missing`` people with ``skill``."""

    day: dt.date
    shift: str
    missing: int
    skill: str = ""


@dataclass(frozen=True)
class Violation:
    """A broken hard rule found by the checker — 违反排班硬性规则."""

    rule: str
    message: str  # Chinese, shown to the team lead as is
    person_id: int | None = None
    day: dt.date | None = None
    shift: str = ""


@dataclass(frozen=True)
class RosterSolution:
    """The solver's answer: a complete assignment plus what it could not meet.

    ``status``: ``optimal`` / ``feasible`` (time limit reached) / ``fallback`` (no CP-SAT answer
    in time; a greedy roster that still meets every person-level hard rule). A roster always
    comes back: uncovered demand is in ``shortfalls``, never a bare "infeasible".
    """

    assignment: Mapping[tuple[int, dt.date], str]
    shortfalls: tuple[Shortfall, ...]
    status: str
    objective: float = 0.0
    wall_seconds: float = 0.0
    stats: Mapping[str, float] = field(default_factory=dict)
    # Person-level rules the roster still breaks because fixed days force it (normally empty).
    violations: tuple[Violation, ...] = ()
