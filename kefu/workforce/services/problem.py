"""Roster problem builder — 排班问题构建 (WFM-1, WFM-2): the database and the policy in force on the
month turned into the solver's and the checker's ``RosterProblem``.

What goes in, and from where:

* people — active members of the team hired by the month's end (``selectors.team_members``),
  their skills (``EmployeeSkill``); days before a newcomer's hire date are fixed to 休息;
* history — the last ``rules.history_days`` days of the previous month's published roster
  (做六休一 counted across the month boundary; the longest run of known days ending on the
  previous month's last day);
* fixed — approved leave from the registered fixed-day sources (``selectors.fixed_days``), and,
  when the month is already published, the published codes of the days before today;
* requested rest — ``RestRequest``; prior counts — night, Sunday and holiday shifts worked in the
  three published months before (for the even spread across months);
* demands — ``CoverageRequirement`` of the shifts of the team's layout;
* holidays and 调休 — the stored calendar (``CalendarDay``);
* previous — the current draft's cells, else the published ones (minimal change on re-solve).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from kefu.core.calendar import calendar_for_range

from .. import selectors
from ..models import RestRequest
from ..policy import roster_policy
from ..rostering.problem import (
    REST,
    Demand,
    Person,
    RosterProblem,
    RosterRules,
    ShiftSpec,
)
from ..selectors import add_months, month_days, month_start
from ..shifts import shift_specs

PRIOR_MONTHS = 3  # 夜班/周日/节假日 counts carried from the three months before


@dataclass(frozen=True)
class ProblemContext:
    """A built problem and what the services need beside it — 排班问题及其来源."""

    problem: RosterProblem
    team_id: int
    month: dt.date
    names: dict[int, str]  # employee id → name
    employee_nos: dict[int, str]  # employee id → 工号
    published_id: int | None
    draft_id: int | None
    frozen_before: dt.date | None  # days before this are fixed to the published roster


def roster_rules(month: dt.date, team_size: int) -> RosterRules:
    """The hard and soft limits of the roster policy in force on ``month`` (1st)."""
    policy = roster_policy(month_start(month))
    rules, weights = policy.rules, policy.solver
    max_rest_same_day = max(1, math.floor(rules.max_team_rest_ratio * team_size + 1e-9))
    return RosterRules(
        max_consecutive_work_days=rules.max_consecutive_work_days,
        min_rest_days=rules.min_rest_days,
        max_rest_days=rules.max_rest_days,
        min_rest_hours_between_shifts=rules.min_rest_hours_between_shifts,
        max_team_rest_same_day=max_rest_same_day,
        weight_shortfall=weights.weight_shortfall,
        weight_spread=weights.weight_spread,
        weight_rest_request=weights.weight_rest_request,
        weight_team_rest=weights.weight_team_rest,
        weight_change=weights.weight_change,
    )


def layout_specs(team_id: int, month: dt.date) -> tuple[ShiftSpec, ...]:
    """The shifts of the team's layout, as defined by the shifts policy in force on the 1st."""
    first = month_start(month)
    by_code = {s.code: s for s in shift_specs(first)}
    return tuple(by_code[c] for c in selectors.team_layout(team_id, first).shifts if c in by_code)


def _history(ids: list[int], month: dt.date, days_back: int) -> dict[int, tuple[str, ...]]:
    last = month - dt.timedelta(days=1)
    start = last - dt.timedelta(days=days_back - 1)
    known = selectors.published_schedule(ids, start, last)
    out: dict[int, tuple[str, ...]] = {}
    for emp in ids:
        codes: list[str] = []
        day = last
        while day >= start and (emp, day) in known:
            codes.append(known[(emp, day)])
            day -= dt.timedelta(days=1)
        out[emp] = tuple(reversed(codes))
    return out


def _prior_counts(
    ids: list[int], month: dt.date, specs: tuple[ShiftSpec, ...]
) -> dict[int, dict[str, int]]:
    """Night, Sunday and holiday shifts worked in the published months before ``month``."""
    start = add_months(month, -PRIOR_MONTHS)
    end = month - dt.timedelta(days=1)
    night = {s.code for s in shift_specs(start) if s.night} | {s.code for s in specs if s.night}
    holidays = calendar_for_range(start, end).holidays
    counts: dict[int, dict[str, int]] = {
        emp: {"night": 0, "sunday": 0, "holiday": 0} for emp in ids
    }
    for (emp, day), code in selectors.published_schedule(ids, start, end).items():
        if code in ("rest", "leave"):
            continue
        c = counts[emp]
        if code in night:
            c["night"] += 1
        if day.weekday() == 6:
            c["sunday"] += 1
        if day in holidays:
            c["holiday"] += 1
    return counts


def build_problem(
    *,
    team_id: int,
    month: dt.date,
    today: dt.date | None = None,
    for_published: bool = False,
) -> ProblemContext:
    """The ``RosterProblem`` of team ``team_id`` for ``month`` — 构建排班问题.

    ``for_published``: the problem a change to the published roster is checked against (its own
    cells are ``previous``); otherwise the draft's (or, without a draft, the published cells).
    When the month is already published, the days before ``today`` are fixed to the published
    codes (a re-solve never rewrites the past).
    """
    month = month_start(month)
    today = today or timezone.localdate()
    days = tuple(month_days(month))
    last = days[-1]
    members = selectors.team_members(team_id, month)
    ids = [e.pk for e in members]
    member_ids = set(ids)
    policy = roster_policy(month)
    specs = layout_specs(team_id, month)
    rules = roster_rules(month, len(members))
    skills = selectors.skills_by_employee(ids)
    history = _history(ids, month, policy.rules.history_days)
    prior = _prior_counts(ids, month, specs)

    fixed: dict[int, dict[dt.date, str]] = defaultdict(dict)
    published = selectors.roster_published(team_id, month)
    draft = selectors.roster_draft(team_id, month)
    frozen_before: dt.date | None = None
    published_cells: dict[tuple[int, dt.date], str] = {}
    if published is not None:
        published_cells = selectors.roster_cells(published.pk)
        if today > month:
            frozen_before = min(today, last + dt.timedelta(days=1))
            for (emp, day), code in published_cells.items():
                if day < frozen_before and emp in member_ids:
                    fixed[emp][day] = code
    for e in members:
        for day in days:
            if day < e.hire_date:
                fixed[e.pk].setdefault(day, REST)
    for (emp, day), code in selectors.fixed_days(ids, month, last).items():
        if frozen_before is None or day >= frozen_before:
            fixed[emp][day] = code

    requested: dict[int, set[dt.date]] = defaultdict(set)
    for emp, day in RestRequest.objects.filter(
        employee_id__in=ids, day__gte=month, day__lte=last
    ).values_list("employee_id", "day"):
        requested[emp].add(day)

    shift_codes = {s.code for s in specs}
    demands = tuple(
        Demand(
            day=row.day,
            shift=row.shift_code,
            min_people=row.min_people,
            skills={k: int(v) for k, v in (row.skills or {}).items() if int(v) > 0},
        )
        for row in selectors.coverage_rows(team_id, month)
        if row.shift_code in shift_codes
    )
    calendar = calendar_for_range(month, last)

    if for_published or draft is None:
        previous = published_cells
    else:
        previous = selectors.roster_cells(draft.pk)

    people = tuple(
        Person(
            id=e.pk,
            name=e.name,
            skills=skills.get(e.pk, frozenset()),
            history=history.get(e.pk, ()),
            fixed=dict(fixed.get(e.pk, {})),
            requested_rest=frozenset(requested.get(e.pk, ())),
            prior=prior.get(e.pk, {}),
        )
        for e in members
    )
    problem = RosterProblem(
        days=days,
        shifts=specs,
        people=people,
        demands=demands,
        rules=rules,
        holidays=frozenset(d for d in calendar.holidays if month <= d <= last),
        workdays_adjusted=frozenset(d for d in calendar.adjusted_workdays if month <= d <= last),
        previous=previous,
    )
    return ProblemContext(
        problem=problem,
        team_id=team_id,
        month=month,
        names={e.pk: e.name for e in members},
        employee_nos={e.pk: e.employee_no for e in members},
        published_id=published.pk if published else None,
        draft_id=draft.pk if draft else None,
        frozen_before=frozen_before,
    )
