"""Greedy roster — 贪心排班: the solver's warm start and fallback (WFM-1, WFM-2).

Every person-level hard rule concerns one person's row only, so a roster is valid when each row
is. ``RowModel`` describes one row's feasible set (allowed codes per day, 做六休一 across the month
boundary, forbidden shift pairs for the rest gap, the rest quota); a backward dynamic programme
gives, for every day and state, the fewest rest days the rest of the month still needs. The
greedy then fills the month day by day, choosing for each person only codes after which the row
can still be completed — so the greedy roster always meets every person-level rule (apart from
violations the fixed days themselves force, which no roster can avoid) while it fills the demand
as well as it can.

Rules the fixed days make impossible are not imposed: a window of 做六休一 whose days are all
fixed to shifts, a forbidden pair of two fixed shifts, a fixed shift the person lacks the skill
for. If the rest quota cannot be met either, it is relaxed for that person (``relaxed``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .problem import LEAVE, OFF_CODES, REST, Demand, Person, RosterProblem

INF = 10**6


def forbidden_pairs(problem: RosterProblem) -> frozenset[tuple[str, str]]:
    """Shift pairs (yesterday, today) with too short a rest between them — 两班间休息不足."""
    min_gap = problem.rules.min_rest_hours_between_shifts * 60
    return frozenset(
        (a.code, b.code)
        for a in problem.shifts
        for b in problem.shifts
        if 24 * 60 + b.start_min - a.end_min < min_gap
    )


def shift_allowed(problem: RosterProblem, person: Person, code: str, day: dt.date) -> bool:
    """Skill, holiday and Sunday-only limits of one shift on one day."""
    spec = problem.shift(code)
    if spec is None:
        return False
    if not spec.skills <= person.skills:
        return False
    if day in problem.holidays and not spec.holiday_ok:
        return False
    return not (spec.sunday_only and day.weekday() != 6)


def quota(problem: RosterProblem, person: Person) -> tuple[int, int]:
    """(min REST days, max REST days) the solver imposes — 月休息配额 in REST days only.

    Minimum over rest + leave, maximum over rest, pro-rated for a partial month, clamped by the
    fixed days (same rule as the checker, written separately). Leave only ever comes from fixed
    days, so the minimum in REST days is the minimum less the fixed leave days.
    """
    rules = problem.rules
    days = problem.days
    n = len(days)
    full = calendar.monthrange(days[0].year, days[0].month)[1]
    ratio = n / full if n < full else 1.0
    lo = math.floor(rules.min_rest_days * ratio) if ratio < 1 else rules.min_rest_days
    hi = INF if rules.max_rest_days is None else rules.max_rest_days
    if ratio < 1 and rules.max_rest_days is not None:
        hi = math.ceil(rules.max_rest_days * ratio)
    fixed = [person.fixed[d] for d in days if d in person.fixed]
    leave = sum(1 for c in fixed if c == LEAVE)
    lo = min(lo, n - sum(1 for c in fixed if c not in OFF_CODES))
    hi = max(hi, sum(1 for c in fixed if c == REST))
    return max(0, lo - leave), hi


@dataclass
class RowModel:
    """One person's feasible rows — 单人排班可行域."""

    person: Person
    domains: list[tuple[str, ...]]  # allowed codes per day; a fixed day has exactly one
    fixed: list[bool]
    limit: int  # 最多连续上班天数
    init_run: int  # working days at the end of history (capped at limit)
    init_last: str | None  # history's last shift code (rest gap on the 1st)
    forced_run: list[int]  # run of fixed/forced working days ending on each day (with history)
    rest_lo: int
    rest_hi: int
    forbidden: frozenset[tuple[str, str]]
    relaxed: str = ""
    asked: frozenset[int] = frozenset()  # requested rest days (indexes) that are not fixed
    best: list[list[list[int]]] | None = None  # f[d][run][last] = fewest REST days from d on
    best_asked: list[list[list[int]]] | None = None  # the same, resting on every asked day
    max_rest: list[int] | None = None  # REST days still possible from d on
    lasts: tuple[str | None, ...] = ()

    def last_index(self, code: str | None) -> int:
        return self.lasts.index(code) if code in self.lasts else 0

    def step(self, d: int, run: int, last: str | None, code: str) -> tuple[int, str | None] | None:
        """State after working ``code`` on day ``d`` from (run, last), or None if not allowed."""
        if code in (REST, LEAVE):
            return 0, None
        if run >= self.limit and not (self.fixed[d] and self.forced_run[d] > self.limit):
            return None
        if last is not None and (last, code) in self.forbidden:
            prev_fixed = self.fixed[d - 1] if d > 0 else True
            if not (self.fixed[d] and prev_fixed):
                return None
        return min(run + 1, self.limit), code

    def solve_dp(self) -> None:
        """Backward DP: fewest REST days from each (day, run, last) to the end of the period —
        ``best`` for any row, ``best_asked`` for rows resting on every requested day still
        open (``asked``)."""
        codes = {c for dom in self.domains for c in dom if c not in OFF_CODES}
        if self.init_last is not None:
            codes.add(self.init_last)
        self.lasts = (None, *sorted(codes))
        n = len(self.domains)
        self.max_rest = [0] * (n + 1)
        for d in range(n - 1, -1, -1):
            self.max_rest[d] = self.max_rest[d + 1] + (1 if REST in self.domains[d] else 0)
        self.best = self._dp(self.domains)
        self.solve_asked()

    def solve_asked(self) -> None:
        """``best_asked``: the DP again with only 休息 allowed on the requested days."""
        if not self.asked:
            self.best_asked = self.best
            return
        domains = [
            (REST,) if d in self.asked and REST in dom else dom
            for d, dom in enumerate(self.domains)
        ]
        self.best_asked = self._dp(domains)

    def _dp(self, domains: list[tuple[str, ...]]) -> list[list[list[int]]]:
        n = len(domains)
        limit = self.limit
        width = len(self.lasts)
        index = {c: i for i, c in enumerate(self.lasts)}
        best: list[list[list[int]]] = [[] for _ in range(n + 1)]
        best[n] = [[0] * width for _ in range(limit + 1)]
        for d in range(n - 1, -1, -1):
            after = best[d + 1]
            fixed = self.fixed[d]
            over_ok = fixed and self.forced_run[d] > limit  # forced by fixed days
            gap_ok = fixed and (self.fixed[d - 1] if d > 0 else True)
            off = INF
            for code in domains[d]:
                if code == REST:
                    off = min(off, after[0][0] + 1)
                elif code == LEAVE:
                    off = min(off, after[0][0])
            work = [(c, index.get(c, 0)) for c in domains[d] if c not in OFF_CODES]
            table = []
            for run in range(limit + 1):
                usable = work if run < limit or over_ok else []
                nxt = after[min(run + 1, limit)]
                row = []
                for last in self.lasts:
                    value = off
                    for code, ci in usable:
                        if last is not None and not gap_ok and (last, code) in self.forbidden:
                            continue
                        if nxt[ci] < value:
                            value = nxt[ci]
                    row.append(value)
                table.append(row)
            best[d] = table
        return best

    def can_finish(self, d: int, run: int, last: str | None, rests: int) -> bool:
        """Can the row be completed from day ``d`` in this state within the rest quota?"""
        assert self.best is not None and self.max_rest is not None
        need = self.best[d][run][self.last_index(last)]
        return (
            need < INF and rests + need <= self.rest_hi and rests + self.max_rest[d] >= self.rest_lo
        )

    def keeps_requests(self, d: int, run: int, last: str | None, rests: int) -> bool:
        """Can the row still be completed resting on every requested day from ``d`` on?"""
        assert self.best_asked is not None and self.max_rest is not None
        need = self.best_asked[d][run][self.last_index(last)]
        return need < INF and rests + need <= self.rest_hi

    def preferred(self, d: int, run: int, last: str | None, rests: int) -> list[str]:
        """Codes for day ``d`` that keep every later rest request possible (休息 on an asked
        day); empty when the requests can no longer all be met."""
        codes = (REST,) if d in self.asked and REST in self.domains[d] else self.domains[d]
        out = []
        for code in codes:
            nxt = self.step(d, run, last, code)
            if nxt is not None and self.keeps_requests(
                d + 1, nxt[0], nxt[1], rests + (code == REST)
            ):
                out.append(code)
        return out

    def allowed(self, d: int, run: int, last: str | None, rests: int) -> list[str]:
        """Codes for day ``d`` after which the row can still be completed."""
        out = []
        for code in self.domains[d]:
            nxt = self.step(d, run, last, code)
            if nxt is not None and self.can_finish(d + 1, nxt[0], nxt[1], rests + (code == REST)):
                out.append(code)
        return out


def row_model(
    problem: RosterProblem, person: Person, forbidden: frozenset[tuple[str, str]] | None = None
) -> RowModel:
    """Build and solve one person's ``RowModel`` (relaxing the quota if fixed days force it)."""
    forbidden = forbidden_pairs(problem) if forbidden is None else forbidden
    limit = problem.rules.max_consecutive_work_days
    shift_codes = [s.code for s in problem.shifts]
    domains: list[tuple[str, ...]] = []
    fixed: list[bool] = []
    for day in problem.days:
        code = person.fixed.get(day)
        if code is not None:
            domains.append((code,))
            fixed.append(True)
        else:
            allowed = [c for c in shift_codes if shift_allowed(problem, person, c, day)]
            domains.append((REST, *allowed))
            fixed.append(False)
    hist_run = 0
    for code in reversed(person.history):
        if code in OFF_CODES:
            break
        hist_run += 1
    forced_run = []
    run = hist_run
    for d in range(len(problem.days)):
        run = run + 1 if fixed[d] and domains[d][0] not in OFF_CODES else 0
        forced_run.append(run)
    last = person.history[-1] if person.history else None
    init_last = last if last is not None and problem.shift(last) is not None else None
    if init_last is not None and domains and not fixed[0]:
        # No shift on the 1st that follows last month's last shift too closely.
        domains[0] = tuple(c for c in domains[0] if (init_last, c) not in forbidden)
    lo, hi = quota(problem, person)
    model = RowModel(
        person=person,
        domains=domains,
        fixed=fixed,
        limit=limit,
        init_run=min(hist_run, limit),
        init_last=init_last,
        forced_run=forced_run,
        rest_lo=lo,
        rest_hi=hi,
        forbidden=forbidden,
        asked=_asked(problem, person),
    )
    model.solve_dp()
    if not model.can_finish(0, model.init_run, model.init_last, 0):
        # Fixed days (and last month's run) force more rest days than the quota allows: raise
        # the upper bound only to the fewest the row needs — never drop it, or a relaxed person
        # could be left resting the whole month (found by hypothesis: 5 days worked at the end
        # of March with at most 4 in a row, three fixed rests and a leave day in April).
        assert model.best is not None and model.max_rest is not None
        need = model.best[0][model.init_run][model.last_index(model.init_last)]
        model.rest_hi, model.relaxed = max(model.rest_hi, need), "max_rest"
        if not model.can_finish(0, model.init_run, model.init_last, 0):
            model.rest_lo = min(model.rest_lo, model.max_rest[0])
            model.relaxed = "rest_quota"
        if not model.can_finish(0, model.init_run, model.init_last, 0):
            model.rest_lo, model.rest_hi = 0, INF
    return model


def row_models(problem: RosterProblem) -> dict[int, RowModel]:
    """``RowModel`` for every person; people with the same constraints share one DP."""
    forbidden = forbidden_pairs(problem)
    cache: dict[tuple, RowModel] = {}
    out = {}
    in_period = set(problem.days)
    tail = problem.rules.max_consecutive_work_days + 1
    for person in problem.people:
        key = (
            person.skills,
            tuple(sorted((d, c) for d, c in person.fixed.items() if d in in_period)),
            person.history[-tail:],
        )
        shared = cache.get(key)
        if shared is None:
            out[person.id] = cache[key] = row_model(problem, person, forbidden)
        else:
            clone = replace(shared, person=person, asked=_asked(problem, person))
            if clone.asked != shared.asked:
                clone.solve_asked()
            out[person.id] = clone
    return out


def _asked(problem: RosterProblem, person: Person) -> frozenset[int]:
    """Indexes of the requested rest days (休息申请) that are not fixed."""
    return frozenset(
        i
        for i, d in enumerate(problem.days)
        if d in person.requested_rest and d not in person.fixed
    )


def _kind_counts(problem: RosterProblem, person: Person) -> dict[str, int]:
    return {k: int(person.prior.get(k, 0)) for k in ("night", "sunday", "holiday")}


def greedy_roster(
    problem: RosterProblem, models: Mapping[int, RowModel] | None = None
) -> dict[tuple[int, dt.date], str]:
    """A complete roster meeting every person-level rule, filling demand greedily — 贪心排班.

    Day by day: forced codes first, then ``problem.previous`` where still allowed (minimal
    change), then the day's demand — skill slots first, then heads — from the people whose row
    stays completable, preferring people without a rest request, with fewer night/Sunday/holiday
    shifts so far (fairness) and with the least rest budget left; everyone else rests if the
    quota allows, or works the day's busiest shift.
    """
    models = row_models(problem) if models is None else models
    days = problem.days
    n = len(days)
    people = list(problem.people)
    if not n or not people:
        return {}
    specs = {s.code: s for s in problem.shifts}
    demands_by_day: dict[dt.date, list[Demand]] = {}
    for dem in problem.demands:
        demands_by_day.setdefault(dem.day, []).append(dem)
    heads = sum(d.min_people for d in problem.demands)
    target_off = max(0.0, n - heads / len(people))
    state = {p.id: [models[p.id].init_run, models[p.id].init_last, 0] for p in people}
    kinds = {p.id: _kind_counts(problem, p) for p in people}
    skills_of = {p.id: p.skills for p in people}
    index = {day: i for i, day in enumerate(days)}
    requests = {
        p.id: sorted(index[x] for x in p.requested_rest if x in index and x not in p.fixed)
        for p in people
    }
    out: dict[tuple[int, dt.date], str] = {}

    for d, day in enumerate(days):
        allowed = {}
        for p in people:
            # Never empty while the row stays completable (guaranteed by the DP); the domain is
            # a defensive fallback only.
            allowed[p.id] = models[p.id].allowed(d, *state[p.id]) or list(models[p.id].domains[d])
        # Codes that keep every later rest request possible (empty: too late for that).
        prefs = {p.id: models[p.id].preferred(d, *state[p.id]) for p in people}
        chosen: dict[int, str] = {}
        for p in people:
            opts = allowed[p.id]
            prev = problem.previous.get((p.id, day))
            if len(opts) == 1:
                chosen[p.id] = opts[0]
            elif prev is not None and prev in opts:
                chosen[p.id] = prev
        day_kinds = day_kinds_of(problem, day)

        night_level = sum(k["night"] for k in kinds.values()) / len(people) + 0.5

        def priority(
            p: Person,
            code: str,
            day=day,
            d=d,
            day_kinds=day_kinds,
            allowed=allowed,
            night_level=night_level,
            prefs=prefs,
        ) -> tuple:
            """Who works ``code`` first: no rest request, then (night shifts) whoever worked
            last night and is not above the team's night level — a night block, as nobody can
            go from a night shift straight to a day shift — then the fewest such shifts so far,
            then the least rest budget left."""
            spec = specs[code]
            kind_count = sum(kinds[p.id][k] for k in day_kinds)
            category = 0
            if spec.night:
                nights = kinds[p.id]["night"]
                kind_count += nights
                last = specs.get(state[p.id][1]) if state[p.id][1] else None
                if last is None or not last.night:
                    category = 2  # fresh
                elif REST not in allowed[p.id]:
                    category = 0  # stuck on nights: no day shift after a night, no rest left
                else:
                    category = 1 if nights <= night_level else 3
            else:
                kind_count -= kinds[p.id]["night"] / 100  # keep the fewest-nights people for nights
            model = models[p.id]
            budget = min(model.rest_hi, max(model.rest_lo, target_off)) - state[p.id][2]
            urgency = budget / max(1, n - d)
            rotation = (p.id * 7 + d) % len(people)
            spoils = bool(prefs[p.id]) and code not in prefs[p.id]
            return (day in p.requested_rest, spoils, category, kind_count, urgency, rotation)

        for dem in sorted(
            demands_by_day.get(day, []),
            key=lambda x: (-sum(x.skills.values()), x.shift),
        ):
            on = [pid for pid, c in chosen.items() if c == dem.shift]
            used: set[int] = set()
            for skill, k in sorted(dem.skills.items()):
                have = [pid for pid in on if pid not in used and skill in skills_of[pid]]
                used.update(have[:k])
                missing = k - min(k, len(have))
                if missing <= 0:
                    continue
                cands = [
                    p
                    for p in people
                    if p.id not in chosen and skill in p.skills and dem.shift in allowed[p.id]
                ]
                cands.sort(key=lambda p, c=dem.shift: priority(p, c))
                for p in cands[:missing]:
                    chosen[p.id] = dem.shift
                    used.add(p.id)
                    on.append(p.id)
            missing = dem.min_people - len(on)
            if missing > 0:
                cands = [p for p in people if p.id not in chosen and dem.shift in allowed[p.id]]
                cands.sort(key=lambda p, c=dem.shift: priority(p, c))
                for p in cands[:missing]:
                    chosen[p.id] = dem.shift
        busiest = {
            dem.shift: dem.min_people for dem in demands_by_day.get(day, []) if dem.shift in specs
        }
        # Not needed for the demand: rest at an even pace (and on a requested day, after a night
        # shift, on a Sunday/holiday with the fewest such shifts worked), within the team limit;
        # otherwise work the day's busiest shift, a non-night one when possible.
        off_now = sum(1 for c in chosen.values() if c in OFF_CODES)
        team_limit = problem.rules.max_team_rest_same_day
        room = len(people) if team_limit is None else max(0, team_limit - off_now)
        spare = [p for p in people if p.id not in chosen]

        def planned(p: Person, d=d) -> float:
            """Rest days this person should have had by day ``d``: the requested ones so far
            plus an even share of the rest of the target."""
            model = models[p.id]
            target = min(model.rest_hi, max(model.rest_lo, target_off))
            asked = requests[p.id]
            share = max(0.0, target - len(asked)) * (d + 1) / n
            return share + sum(1 for i in asked if i <= d)

        def rest_key(p: Person, day=day, day_kinds=day_kinds) -> tuple:
            last = specs.get(state[p.id][1]) if state[p.id][1] else None
            kind_count = sum(kinds[p.id][k] for k in day_kinds)
            return (
                day not in p.requested_rest,
                not (last is not None and last.night),
                -kind_count,
                state[p.id][2] - planned(p),
            )

        spare.sort(key=rest_key)
        for p in spare:
            opts = allowed[p.id]
            ahead = 1.5 if day_kinds else 0.5  # rest a little ahead on Sundays and holidays
            behind = state[p.id][2] + 1 <= planned(p) + ahead
            last = specs.get(state[p.id][1]) if state[p.id][1] else None
            after_night = last is not None and last.night
            wants = day in p.requested_rest or behind or after_night
            pref = prefs[p.id]
            work = [c for c in opts if c in specs]
            # Rest now if it is the only way to keep the later requests; never rest by choice
            # when that would cost a later request.
            must = REST in pref and not any(c in specs for c in pref)
            keeps = not pref or REST in pref
            if REST in opts and (not work or must or (room > 0 and wants and keeps)):
                chosen[p.id] = REST
                room -= 1
                continue
            if not work:
                chosen[p.id] = opts[0]
                continue
            work = [c for c in work if c in pref] or work
            work.sort(key=lambda c: (specs[c].night, -busiest.get(c, 0), c))
            chosen[p.id] = work[0]
        for p in people:
            code = chosen[p.id]
            out[p.id, day] = code
            run, last, rests = state[p.id]
            nxt = models[p.id].step(d, run, last, code)
            if nxt is None:  # only reachable through the defensive fallback above
                nxt = (min(run + 1, models[p.id].limit), code if code in specs else None)
            state[p.id] = [nxt[0], nxt[1], rests + (code == REST)]
            spec = specs.get(code)
            if spec is not None:
                if spec.night:
                    kinds[p.id]["night"] += 1
                for kind in day_kinds:
                    kinds[p.id][kind] += 1
    return out


def day_kinds_of(problem: RosterProblem, day: dt.date) -> tuple[str, ...]:
    """Fairness kinds a working day counts for: ``sunday`` (周日) and/or ``holiday`` (节假日)."""
    out = []
    if day.weekday() == 6:
        out.append("sunday")
    if day in problem.holidays:
        out.append("holiday")
    return tuple(out)
