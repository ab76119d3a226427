"""CP-SAT roster model — 排班约束模型 (WFM-1, WFM-2), built by ``solver.solve``.

Booleans ``x[p, d, c]``: person ``p`` works code ``c`` (a shift, 休息 or 请假) on day ``d``; only
the codes of the person's ``RowModel`` domain exist (skills, 节假日, 周日班 and fixed days are
already applied there).

Hard: exactly one code per person-day; 做六休一 as a sliding window of ``limit + 1`` days (with
the previous month's tail) that must hold a rest or leave day; the rest quota; no forbidden
shift pair (两班间休息不足) on consecutive days. Rules that fixed days make impossible are
skipped exactly as in ``greedy.RowModel`` (so the greedy roster is always a solution).

Soft (weights from ``RosterRules``): coverage with integer slack per demand and skill (each
working person fills at most one skill "role", ``y[p, d, c, s] ≤ x[p, d, c]``); the spread
(max − min, with ``Person.prior``) of night, Sunday and holiday shifts; unmet rest requests;
too many people resting on one day; cells changed from ``problem.previous``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from ortools.sat.python import cp_model

from .checker import skill_roles
from .greedy import INF, RowModel, day_kinds_of
from .problem import LEAVE, OFF_CODES, REST, RosterProblem

Assignment = Mapping[tuple[int, dt.date], str]


def kind_options(
    problem: RosterProblem, models: Mapping[int, RowModel]
) -> dict[str, dict[int, list[tuple[int, str]]]]:
    """For each fairness kind (night 夜班, sunday 周日, holiday 节假日): per eligible person the
    (day index, code) cells that count. A person is eligible when at least one such cell is
    open to them (not fixed) — people who can never work the kind are left out of the spread."""
    specs = {s.code: s for s in problem.shifts}
    out: dict[str, dict[int, list[tuple[int, str]]]] = {"night": {}, "sunday": {}, "holiday": {}}
    for p in problem.people:
        rm = models[p.id]
        cells: dict[str, list[tuple[int, str]]] = {"night": [], "sunday": [], "holiday": []}
        open_: dict[str, bool] = dict.fromkeys(cells, False)
        for d, day in enumerate(problem.days):
            kinds = day_kinds_of(problem, day)
            for c in rm.domains[d]:
                spec = specs.get(c)
                if spec is None:
                    continue
                hit = [*kinds, "night"] if spec.night else list(kinds)
                for kind in hit:
                    cells[kind].append((d, c))
                    if not rm.fixed[d]:
                        open_[kind] = True
        for kind, cs in cells.items():
            if open_[kind]:
                out[kind][p.id] = cs
    return out


def kind_demand(problem: RosterProblem, kind: str) -> int:
    """People-shifts the demand asks for that count for ``kind`` (night/sunday/holiday)."""
    specs = {s.code: s for s in problem.shifts}
    total = 0
    for dem in problem.demands:
        spec = specs.get(dem.shift)
        if spec is None:
            continue
        if (
            (kind == "night" and spec.night)
            or (kind == "sunday" and dem.day.weekday() == 6)
            or (kind == "holiday" and dem.day in problem.holidays)
        ):
            total += dem.min_people
    return total


def fair_bands(
    problem: RosterProblem, kind: str, per: Mapping[int, list[tuple[int, str]]]
) -> dict[int, tuple[int, int]]:
    """Fair band per person — 均衡目标: water-fill the kind's demand over the eligible people on
    top of their prior counts (each at most one such shift a day), then [floor, ceil] of the
    level. People whose prior is already above the level get their prior."""
    prior = {p.id: int(p.prior.get(kind, 0)) for p in problem.people}
    cap = {pid: len({d for d, _ in cells}) for pid, cells in per.items()}
    need = min(kind_demand(problem, kind), sum(cap.values()))

    def filled(level: float) -> float:
        return sum(min(max(level - prior[pid], 0.0), cap[pid]) for pid in per)

    low, high = 0.0, float(max(prior[pid] + cap[pid] for pid in per))
    for _ in range(60):
        mid = (low + high) / 2
        if filled(mid) < need:
            low = mid
        else:
            high = mid
    out = {}
    for pid in per:
        target = prior[pid] + min(max(high - prior[pid], 0.0), cap[pid])
        band_lo = math.floor(target + 1e-9)
        band_hi = math.ceil(target - 1e-9)
        out[pid] = (band_lo, max(band_lo, band_hi))
    return out


class RosterModel:
    """The CP-SAT model of one ``RosterProblem`` — 排班模型, with a full hint from a roster."""

    def __init__(self, problem: RosterProblem, models: Mapping[int, RowModel]) -> None:
        self.problem = problem
        self.models = models
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int, str], cp_model.IntVar] = {}
        self.short_vars: list[tuple[cp_model.IntVar, object]] = []  # (slack, hint rule)
        self._hints: list = []  # callables computing aux hints from an assignment
        self._obj: dict[int, list] = {}  # var index → [var, coefficient]
        self._obj_const = 0
        self.hint_values: list[tuple[cp_model.IntVar, int]] = []
        self._build()

    def _cost(self, var: cp_model.IntVar, coefficient: int) -> None:
        entry = self._obj.setdefault(var.index, [var, 0])
        entry[1] += coefficient

    def hint_objective(self) -> int:
        """The objective of the hinted roster (after ``add_hint``) — 初始解目标值."""
        values = {v.index: value for v, value in self.hint_values}
        return self._obj_const + sum(c * values.get(i, 0) for i, (_, c) in self._obj.items())

    # ---------------------------------------------------------------- hard rules
    def _build(self) -> None:
        m = self.model
        problem = self.problem
        days = problem.days
        n = len(days)
        for p in problem.people:
            rm = self.models[p.id]
            for d in range(n):
                vs = []
                for c in rm.domains[d]:
                    v = m.new_bool_var(f"x{p.id}_{d}_{c}")
                    self.x[p.id, d, c] = v
                    vs.append(v)
                m.add_exactly_one(vs)
            self._consecutive(p.id, rm)
            self._rest_gap(p.id, rm)
            rest = [self.x[p.id, d, REST] for d in range(n) if REST in rm.domains[d]]
            if rm.rest_lo > 0:
                m.add(sum(rest) >= rm.rest_lo)
            if rm.rest_hi < INF:
                m.add(sum(rest) <= rm.rest_hi)
        self._coverage()
        self._spread()
        self._requests()
        self._team_rest()
        self._changes()
        items = list(self._obj.values())
        m.minimize(
            cp_model.LinearExpr.weighted_sum([v for v, _ in items], [c for _, c in items])
            + self._obj_const
        )

    def _consecutive(self, pid: int, rm: RowModel) -> None:
        history = rm.person.history
        h = len(history)
        limit = rm.limit
        for end in range(len(rm.domains)):
            start = end - limit
            if start < -h:
                continue  # days before the known history count as rest
            if any(history[h + e] in OFF_CODES for e in range(start, 0)):
                continue
            span = range(max(0, start), end + 1)
            if any(rm.fixed[i] and rm.domains[i][0] in OFF_CODES for i in span):
                continue
            if all(rm.fixed[i] for i in span):
                continue  # forced by fixed days: the checker reports it, no roster avoids it
            self.model.add_bool_or([self.x[pid, i, REST] for i in span if not rm.fixed[i]])

    def _rest_gap(self, pid: int, rm: RowModel) -> None:
        for d in range(1, len(rm.domains)):
            if rm.fixed[d] and rm.fixed[d - 1]:
                continue
            for a in rm.domains[d - 1]:
                for b in rm.domains[d]:
                    if (a, b) in rm.forbidden:
                        self.model.add_bool_or([~self.x[pid, d - 1, a], ~self.x[pid, d, b]])

    # ---------------------------------------------------------------- soft terms
    def _coverage(self) -> None:
        m = self.model
        w = self.problem.rules.weight_shortfall
        index = {day: i for i, day in enumerate(self.problem.days)}
        for k, dem in enumerate(self.problem.demands):
            d = index.get(dem.day)
            if d is None:
                continue
            on = [
                (p, self.x[p.id, d, dem.shift])
                for p in self.problem.people
                if (p.id, d, dem.shift) in self.x
            ]
            if dem.min_people > 0:
                slack = m.new_int_var(0, dem.min_people, f"short{k}")
                m.add(sum(v for _, v in on) + slack >= dem.min_people)
                self.short_vars.append((slack, ("heads", dem, d, None)))
            need = {s: c for s, c in dem.skills.items() if c > 0}
            if not need:
                continue
            roles: dict[str, list] = {s: [] for s in need}
            for p, v in on:
                rel = sorted(s for s in need if s in p.skills)
                if len(rel) == 1:
                    roles[rel[0]].append(v)
                elif len(rel) > 1:
                    ys = {s: m.new_bool_var(f"y{p.id}_{d}_{dem.shift}_{s}") for s in rel}
                    m.add(sum(ys.values()) <= v)
                    for s, y in ys.items():
                        roles[s].append(y)
                    self._hints.append(("roles", p, d, dem, ys))
            for s, c in sorted(need.items()):
                slack = m.new_int_var(0, c, f"short{k}_{s}")
                m.add(sum(roles[s]) + slack >= c)
                self.short_vars.append((slack, ("skill", dem, d, (s, roles[s]))))
        self.shortfall = sum(v for v, _ in self.short_vars)
        for slack, _ in self.short_vars:
            self._cost(slack, w)

    def _spread(self) -> None:
        """Fairness — 均衡: ``weight_spread × (max − min)`` per kind, plus the same weight per
        shift a person is outside their fair band (``fair_bands``): the band gives the search a
        step-by-step gradient that max − min alone (a single number for 200 people) lacks."""
        m = self.model
        w = self.problem.rules.weight_spread
        prior = {p.id: p.prior for p in self.problem.people}
        self.spreads = {}
        self.band_devs: list[tuple[cp_model.IntVar, int, int, int, list]] = []
        for kind, per in kind_options(self.problem, self.models).items():
            if len(per) < 2 or not w:
                continue
            counts = {
                pid: int(prior[pid].get(kind, 0)) + sum(self.x[pid, d, c] for d, c in cells)
                for pid, cells in per.items()
            }
            top = max(int(prior[pid].get(kind, 0)) + len(cells) for pid, cells in per.items())
            hi = m.new_int_var(0, top, f"max_{kind}")
            lo = m.new_int_var(0, top, f"min_{kind}")
            for expr in counts.values():
                m.add(hi >= expr)
                m.add(lo <= expr)
            self.spreads[kind] = (hi, lo, per)
            self._cost(hi, w)
            self._cost(lo, -w)
            for pid, (band_lo, band_hi) in fair_bands(self.problem, kind, per).items():
                dev = m.new_int_var(0, top, f"dev_{kind}_{pid}")
                m.add(dev >= counts[pid] - band_hi)
                m.add(dev >= band_lo - counts[pid])
                self.band_devs.append((dev, pid, band_lo, band_hi, per[pid]))
                self._cost(dev, w)

    def _requests(self) -> None:
        w = self.problem.rules.weight_rest_request
        index = {day: i for i, day in enumerate(self.problem.days)}
        for p in self.problem.people:
            for day in p.requested_rest:
                d = index.get(day)
                if d is not None and (p.id, d, REST) in self.x and w:
                    self._obj_const += w  # w × (1 − x): unmet request
                    self._cost(self.x[p.id, d, REST], -w)

    def _team_rest(self) -> None:
        limit = self.problem.rules.max_team_rest_same_day
        w = self.problem.rules.weight_team_rest
        self.excess = []
        if limit is None or not w:
            return
        n_people = len(self.problem.people)
        for d in range(len(self.problem.days)):
            off = [
                self.x[p.id, d, c]
                for p in self.problem.people
                for c in (REST, LEAVE)
                if (p.id, d, c) in self.x
            ]
            excess = self.model.new_int_var(0, n_people, f"team_rest{d}")
            self.model.add(excess >= sum(off) - limit)
            self.excess.append((excess, d))
            self._cost(excess, w)

    def _changes(self) -> None:
        w = self.problem.rules.weight_change
        if not w:
            return
        index = {day: i for i, day in enumerate(self.problem.days)}
        for (pid, day), code in self.problem.previous.items():
            d = index.get(day)
            if d is not None and (pid, d, code) in self.x:
                self._obj_const += w  # w × (1 − x): a changed cell
                self._cost(self.x[pid, d, code], -w)

    # ---------------------------------------------------------------- hints and results
    def add_hint(self, assignment: Assignment) -> None:
        """Hint every variable from a complete roster (the greedy one) — 初始解提示."""
        m = _HintRecorder(self.model, self.hint_values)
        days = self.problem.days
        for (pid, d, c), v in self.x.items():
            m.add_hint(v, assignment.get((pid, days[d])) == c)
        # Roles from a maximum matching per demand (the checker's 技能匹配).
        on_shift: dict[tuple[int, str], list] = {}
        for p in self.problem.people:
            for d, day in enumerate(days):
                code = assignment.get((p.id, day))
                if code is not None:
                    on_shift.setdefault((d, code), []).append(p)
        index = {day: i for i, day in enumerate(days)}
        role_of: dict[tuple[int, int, str], str] = {}  # (pid, d, shift) → skill filled
        for dem in self.problem.demands:
            d = index.get(dem.day)
            if d is None or not dem.skills:
                continue
            crew = on_shift.get((d, dem.shift), [])
            for i, skill in skill_roles(dem.skills, [p.skills for p in crew]).items():
                role_of[crew[i].id, d, dem.shift] = skill
        for _kind, p, d, dem, ys in self._hints:
            chosen = role_of.get((p.id, d, dem.shift), "")
            for s, y in ys.items():
                m.add_hint(y, s == chosen)
        for slack, (kind, dem, d, extra) in self.short_vars:
            if kind == "heads":
                on = sum(
                    1 for p in self.problem.people if assignment.get((p.id, days[d])) == dem.shift
                )
                m.add_hint(slack, max(0, dem.min_people - on))
            else:
                s, _ = extra
                count = 0
                for p in on_shift.get((d, dem.shift), []):
                    rel = [t for t in dem.skills if dem.skills[t] > 0 and t in p.skills]
                    if s in rel and (len(rel) == 1 or role_of.get((p.id, d, dem.shift)) == s):
                        count += 1
                m.add_hint(slack, max(0, dem.skills[s] - count))
        priors = {p.id: p.prior for p in self.problem.people}
        for kind, (hi, lo, per) in self.spreads.items():
            values = [
                int(priors[pid].get(kind, 0))
                + sum(1 for d, c in cells if assignment.get((pid, days[d])) == c)
                for pid, cells in per.items()
            ]
            m.add_hint(hi, max(values))
            m.add_hint(lo, min(values))
        for dev, pid, band_lo, band_hi, cells in self.band_devs:
            count = int(priors[pid].get(_kind_of(dev), 0)) + sum(
                1 for d, c in cells if assignment.get((pid, days[d])) == c
            )
            m.add_hint(dev, max(0, count - band_hi, band_lo - count))
        limit = self.problem.rules.max_team_rest_same_day
        for excess, d in self.excess:
            off = sum(
                1 for p in self.problem.people if assignment.get((p.id, days[d])) in OFF_CODES
            )
            m.add_hint(excess, max(0, off - (limit or 0)))

    def assignment(self, value) -> dict[tuple[int, dt.date], str]:
        """The roster from a solver or callback's ``value`` function."""
        days = self.problem.days
        return {(pid, days[d]): c for (pid, d, c), v in self.x.items() if value(v)}


class _HintRecorder:
    """Adds hints to a model and keeps them (tests fix the model to its hint to prove it valid)."""

    def __init__(self, model: cp_model.CpModel, into: list) -> None:
        self._model = model
        self._into = into

    def add_hint(self, var: cp_model.IntVar, value: int | bool) -> None:
        self._model.add_hint(var, int(value))
        self._into.append((var, int(value)))


def _kind_of(dev: cp_model.IntVar) -> str:
    return dev.name.split("_")[1]
