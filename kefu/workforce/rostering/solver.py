"""Roster solver — 自动排班 (WFM-1, WFM-2): OR-Tools CP-SAT over ``RosterProblem``.

``solve`` always returns a complete roster:

1. ``greedy.greedy_roster`` builds a roster meeting every person-level hard rule at once
   (做六休一 across the month boundary, rest quota, rest gap, skills, holidays, fixed days);
2. the CP-SAT model (``solver_model.RosterModel``) is hinted with it and optimises coverage
   (soft, slack weighted by ``weight_shortfall``), fairness, rest requests, team rest and
   minimal change until the time limit;
3. the answer is checked by the independent checker (``checker.check_roster``): shortfalls
   and any violation the fixed days force are reported on the solution. If CP-SAT found
   nothing in time the greedy roster comes back with status ``fallback``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ortools.sat.python import cp_model

from .checker import CheckResult, check_roster, shortfall_total
from .greedy import RowModel, greedy_roster, row_models
from .problem import OFF_CODES, RosterProblem, RosterSolution
from .repair import repair, repair_candidates
from .solver_model import Assignment, RosterModel, kind_options

Progress = Callable[[float, str], None]


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution (进度) and stops at full coverage when asked."""

    def __init__(
        self,
        model: RosterModel,
        started: float,
        time_limit: float,
        progress: Progress | None,
        stop_when_covered: bool,
    ) -> None:
        super().__init__()
        self._model = model
        self._started = started
        self._limit = max(time_limit, 1e-6)
        self._progress = progress
        self._stop = stop_when_covered
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        short = int(self.value(self._model.shortfall)) if self._model.short_vars else 0
        if self._progress is not None:
            used = min(1.0, (time.perf_counter() - self._started) / self._limit)
            self._progress(used, f"已找到可行排班，缺口 {short} 人次")
        if self._stop and short == 0:
            self.stop_search()


def roster_stats(
    problem: RosterProblem,
    assignment: Assignment,
    models: Mapping[int, RowModel] | None = None,
) -> dict[str, float]:
    """Quality figures of a roster — 排班质量: spreads (max − min incl. prior counts, over the
    people who can work that kind), rest requests honoured, cells changed from ``previous``."""
    models = row_models(problem) if models is None else models
    stats: dict[str, float] = {}
    days = problem.days
    priors = {p.id: p.prior for p in problem.people}
    for kind, per in kind_options(problem, models).items():
        values = [
            int(priors[pid].get(kind, 0))
            + sum(1 for d, c in cells if assignment.get((pid, days[d])) == c)
            for pid, cells in per.items()
        ]
        stats[f"{kind}_spread"] = float(max(values) - min(values)) if len(values) > 1 else 0.0
    in_period = set(days)
    requests = [(p.id, d) for p in problem.people for d in p.requested_rest if d in in_period]
    stats["rest_requests"] = float(len(requests))
    stats["rest_requests_honoured"] = float(
        sum(1 for k in requests if assignment.get(k) in OFF_CODES)
    )
    people = {p.id for p in problem.people}
    stats["changes_vs_previous"] = float(
        sum(
            1
            for (pid, day), code in problem.previous.items()
            if pid in people and day in in_period and assignment.get((pid, day)) != code
        )
    )
    return stats


def solve(
    problem: RosterProblem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 2,
    progress: Progress | None = None,
    stop_after_first_covered: bool = False,
) -> RosterSolution:
    """Roster one team for one period — 自动排班. Never raises for an over-constrained month:
    uncovered demand is in ``shortfalls``, forced rule breaks in ``violations``."""
    started = time.perf_counter()
    limit = max(0.0, time_limit_s)

    def report(message: str) -> None:
        if progress is not None:
            progress(min(1.0, (time.perf_counter() - started) / max(limit, 1e-6)), message)

    models = row_models(problem)
    greedy = greedy_roster(problem, models)
    greedy_check = check_roster(problem, greedy)
    report(f"已生成初始排班，缺口 {shortfall_total(greedy_check.shortfalls)} 人次")

    def finish(assignment: Assignment, status: str, objective: float = 0.0) -> RosterSolution:
        check = check_roster(problem, assignment)
        if assignment is not greedy and len(check.violations) > len(greedy_check.violations):
            # Defensive: never hand back a roster breaking more rules than the greedy one.
            assignment, check, status = greedy, greedy_check, "fallback"
        stats = roster_stats(problem, assignment, models)
        stats["shortfall_total"] = float(shortfall_total(check.shortfalls))
        stats["greedy_shortfall_total"] = float(shortfall_total(greedy_check.shortfalls))
        stats["violations"] = float(len(check.violations))
        stats["relaxed_people"] = float(sum(1 for m in models.values() if m.relaxed))
        report(f"排班完成，缺口 {int(stats['shortfall_total'])} 人次")
        return RosterSolution(
            assignment=dict(assignment),
            shortfalls=check.shortfalls,
            status=status,
            objective=objective,
            wall_seconds=time.perf_counter() - started,
            stats=stats,
            violations=check.violations,
        )

    if not problem.days or not problem.people:
        return finish(greedy, "optimal")
    if stop_after_first_covered and greedy_check.covered:
        return finish(greedy, "feasible")

    start, start_check = greedy, greedy_check
    if problem.previous:
        # Re-issue (重新发布): repair the few rows that must change before searching everything.
        ids = {p.id for p in problem.people}
        changed = {
            pid
            for (pid, day), code in problem.previous.items()
            if pid in ids and greedy.get((pid, day), code) != code
        }
        if changed or greedy_check.shortfalls:
            free = repair_candidates(problem, greedy, greedy_check.shortfalls, changed)
            left = limit - (time.perf_counter() - started)
            fixed_up = repair(
                problem,
                models,
                greedy,
                free,
                time_limit_s=min(3.0, max(0.3, 0.4 * left)),
                workers=workers,
            )
            if fixed_up is not None:
                check = check_roster(problem, fixed_up)
                if len(check.violations) <= len(greedy_check.violations) and score(
                    problem, fixed_up, check, models
                ) <= score(problem, greedy, greedy_check, models):
                    start, start_check = fixed_up, check
                    report(f"已调整排班，缺口 {shortfall_total(check.shortfalls)} 人次")
        if stop_after_first_covered and start_check.covered:
            return finish(start, "feasible")

    built = RosterModel(problem, models)
    built.add_hint(start)
    remaining = limit - (time.perf_counter() - started)
    if remaining <= 0.05:
        return finish(start, "fallback" if start is greedy else "feasible")
    report("正在优化排班（覆盖、均衡、休息申请）")
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.num_workers = max(1, workers)
    callback = _Callback(built, started, limit, progress, stop_after_first_covered)
    status = solver.solve(built.model, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return finish(start, "fallback" if start is greedy else "feasible")
    if solver.objective_value > built.hint_objective():
        # CP-SAT did not get back to its hint in time: the starting roster is better.
        return finish(start, "fallback" if start is greedy else "feasible")
    assignment = built.assignment(solver.boolean_value)
    label = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return finish(assignment, label, float(solver.objective_value))


def score(
    problem: RosterProblem,
    assignment: Assignment,
    check: CheckResult,
    models: Mapping[int, RowModel],
) -> float:
    """The main soft terms in Python (shortfall, spreads, rest requests, changes) — 评分, to
    compare two rosters without the solver."""
    rules = problem.rules
    stats = roster_stats(problem, assignment, models)
    return (
        rules.weight_shortfall * shortfall_total(check.shortfalls)
        + rules.weight_spread
        * (stats["night_spread"] + stats["sunday_spread"] + stats["holiday_spread"])
        + rules.weight_rest_request * (stats["rest_requests"] - stats["rest_requests_honoured"])
        + rules.weight_change * stats["changes_vs_previous"]
    )
