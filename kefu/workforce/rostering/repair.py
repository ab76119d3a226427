"""Roster repair — 局部调整 (WFM-2 re-issue): re-solve only a few people's rows.

After a leave (请假), a swap or a hand edit the new roster should differ from the published one
in as few cells as possible. Instead of searching the whole team's month, the solver keeps every
row that is still valid and frees only the people who can help: the person whose row changed
and, for each uncovered demand, a few people resting or on an overstaffed shift that day with
the right skills. ``residual_problem`` turns the frozen rows into reduced demand, so the same
CP-SAT model (``solver_model.RosterModel``) solves the small sub-problem in a fraction of the
time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping

from ortools.sat.python import cp_model

from .checker import skill_roles
from .greedy import RowModel
from .problem import OFF_CODES, Demand, RosterProblem, Shortfall
from .solver_model import RosterModel

Assignment = Mapping[tuple[int, dt.date], str]


def residual_problem(
    problem: RosterProblem, assignment: Assignment, free_ids: set[int]
) -> RosterProblem:
    """The sub-problem of the ``free_ids`` people: each demand less what the frozen people on
    that shift already cover (heads, and skills by a maximum matching)."""
    frozen = [p for p in problem.people if p.id not in free_ids]
    demands = []
    for dem in problem.demands:
        crew = [p for p in frozen if assignment.get((p.id, dem.day)) == dem.shift]
        filled = Counter(skill_roles(dem.skills, [p.skills for p in crew]).values())
        skills = {s: k - filled[s] for s, k in dem.skills.items() if k - filled[s] > 0}
        heads = max(0, dem.min_people - len(crew))
        if heads or skills:
            demands.append(Demand(dem.day, dem.shift, heads, skills))
    return dataclasses.replace(
        problem,
        people=tuple(p for p in problem.people if p.id in free_ids),
        demands=tuple(demands),
        rules=dataclasses.replace(problem.rules, max_team_rest_same_day=None),
        previous={k: v for k, v in problem.previous.items() if k[0] in free_ids},
    )


def repair_candidates(
    problem: RosterProblem,
    assignment: Assignment,
    shortfalls: tuple[Shortfall, ...],
    changed: set[int],
    per_gap: int = 6,
    limit: int = 40,
) -> set[int]:
    """People to free: those already changed plus, per shortfall, a few who could fill it —
    resting that day, or on a shift with more people than it needs — with the right skills."""
    free = set(changed)
    need = Counter()
    for dem in problem.demands:
        need[dem.day, dem.shift] += dem.min_people
    on = Counter((day, code) for (_, day), code in assignment.items())
    specs = {s.code: s for s in problem.shifts}
    for gap in shortfalls:
        spec = specs.get(gap.shift)
        if spec is None:
            continue
        ranked = []
        for p in problem.people:
            if p.id in free or not spec.skills <= p.skills:
                continue
            if gap.skill and gap.skill not in p.skills:
                continue
            if p.fixed.get(gap.day) is not None:
                continue
            code = assignment.get((p.id, gap.day))
            if code == gap.shift and not gap.skill:
                continue
            surplus = on[gap.day, code] - need[gap.day, code] if code not in OFF_CODES else 99
            if surplus <= 0 and code != gap.shift:
                continue
            ranked.append((-surplus, p.id))
        ranked.sort()
        free.update(pid for _, pid in ranked[:per_gap])
        if len(free) >= limit:
            break
    return free


def repair(
    problem: RosterProblem,
    models: Mapping[int, RowModel],
    assignment: Assignment,
    free_ids: set[int],
    *,
    time_limit_s: float,
    workers: int = 2,
) -> dict[tuple[int, dt.date], str] | None:
    """Re-solve the rows of ``free_ids`` with every other row frozen; None if nothing found."""
    if not free_ids or time_limit_s <= 0:
        return None
    sub = residual_problem(problem, assignment, free_ids)
    built = RosterModel(sub, models)
    built.add_hint({k: v for k, v in assignment.items() if k[0] in free_ids})
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = max(1, workers)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = dict(assignment)
    out.update(built.assignment(solver.boolean_value))
    return out
