"""Roster lifecycle — 排班表编制与发布 (WFM-2): solve into a draft, edit the draft cell by cell,
publish it (a re-issue when a published version exists), change a frozen published roster.

* ``roster_solve_submit`` queues 自动排班 as a background job; ``roster_solve`` is its work: build
  the problem, run the CP-SAT solver with progress, write the team's draft (a new draft version
  when there is none) and keep the solver's answer in ``Roster.solver_result``.
* ``roster_cell_set`` changes one cell: on a draft after the independent checker
  (``check_person``) finds no new hard-rule break; on a published roster through
  ``changes.roster_apply_change`` (a new published version, with a reason).
* ``publish.roster_publish`` publishes a draft; the previous published version is withdrawn and the
  people whose cells changed are notified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import BackgroundJob
from kefu.org.models import Team
from kefu.org.selectors import employee_of

from .. import selectors
from ..choices import EntrySource, RosterStatus
from ..models import Roster, RosterEntry
from ..policy import roster_policy
from ..rostering.checker import (
    check_person,
    coverage_shortfalls,
    md,
    shortfall_total,
)
from ..rostering.greedy import greedy_roster
from ..rostering.problem import LEAVE, REST, RosterSolution, Shortfall, Violation
from ..selectors import month_end, month_start
from .changes import CellChange, roster_apply_change
from .problem import ProblemContext, build_problem

SOLVE_BUSY_FOR = dt.timedelta(minutes=15)
STATUS_LABELS = {
    "optimal": "最优解",
    "feasible": "可行解（未证明最优）",
    "fallback": "初始排班（未在时限内找到更优解）",
}
Progress = Callable[[float, str], None]


# --- helpers -----------------------------------------------------------------------------------
def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise DomainError("roster_team_missing", "班组不存在", fields={"team": "班组不存在"})
    return team


def require_edit(actor: Any, team_id: int) -> None:
    """编制排班表 right on this team, else PermissionDeniedError."""
    if actor is None or not selectors.can_edit_team(actor, team_id):
        raise PermissionDeniedError("您没有编制该班组排班表的权限")


def require_publish(actor: Any, team_id: int) -> None:
    if actor is None or not selectors.can_publish_team(actor, team_id):
        raise PermissionDeniedError("您没有发布该班组排班表的权限")


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month:02d}月"


def shortfall_text(problem_names: dict[str, str], skill_names: dict[str, str], s: Shortfall) -> str:
    """``3月5日 晚班 缺1人`` / ``3月5日 白班 缺售前1人`` — 缺口."""
    shift = problem_names.get(s.shift, s.shift)
    if s.skill:
        return f"{md(s.day)} {shift} 缺{skill_names.get(s.skill, s.skill)}{s.missing}人"
    return f"{md(s.day)} {shift} 缺{s.missing}人"


def shortfalls_json(shortfalls: tuple[Shortfall, ...]) -> list[dict[str, Any]]:
    return [
        {"day": s.day.isoformat(), "shift": s.shift, "skill": s.skill, "missing": s.missing}
        for s in shortfalls
    ]


def _next_version(team_id: int, month: dt.date) -> int:
    top = Roster.objects.filter(team_id=team_id, month=month).aggregate(m=Max("version"))["m"]
    return (top or 0) + 1


def _source_for(ctx: ProblemContext, emp: int, day: dt.date, code: str) -> str:
    person_fixed = next((p.fixed for p in ctx.problem.people if p.id == emp), {})
    if day in person_fixed:
        if code == LEAVE:
            return EntrySource.LEAVE
        return EntrySource.CARRY
    return EntrySource.SOLVER


def draft_stamp(team_id: int, month: dt.date) -> str:
    """草稿戳: the team's draft of ``month`` as it is now (its id and a digest of its cells), or
    ``"none"``. Taken when a solve is submitted; a different stamp when the result is written
    means someone edited the draft meanwhile. One query."""
    import hashlib

    rows = RosterEntry.objects.filter(
        roster__team_id=team_id, roster__month=month, roster__status=RosterStatus.DRAFT
    ).values_list("roster_id", "employee_id", "day", "code")
    rows = sorted(rows)
    if not rows:
        draft = selectors.roster_draft(team_id, month)
        return f"{draft.pk}:empty" if draft is not None else "none"
    digest = hashlib.sha256(repr([r[1:] for r in rows]).encode()).hexdigest()[:16]
    return f"{rows[0][0]}:{digest}"


def _draft_locked(team_id: int, month: dt.date) -> Roster | None:
    return (
        Roster.objects.select_for_update()
        .filter(team_id=team_id, month=month, status=RosterStatus.DRAFT)
        .first()
    )


def _new_draft(actor: Any, team_id: int, month: dt.date) -> Roster:
    published = selectors.roster_published(team_id, month)
    return Roster.objects.create(
        team_id=team_id,
        month=month,
        version=_next_version(team_id, month),
        status=RosterStatus.DRAFT,
        based_on=published,
        created_by=employee_of(actor),
    )


def _write_cells(
    draft: Roster,
    cells: dict[tuple[int, dt.date], str],
    source_of: Callable[[int, dt.date, str], str],
    keep_people: set[int] | None = None,
) -> int:
    """Make the draft's cells equal ``cells``; returns how many cells changed. Rows of people not
    in ``keep_people`` (left the team) are removed."""
    existing = {(e.employee_id, e.day): e for e in draft.entries.all()}
    changed: list[RosterEntry] = []
    created: list[RosterEntry] = []
    for key, code in cells.items():
        entry = existing.get(key)
        if entry is None:
            created.append(
                RosterEntry(
                    roster=draft,
                    employee_id=key[0],
                    day=key[1],
                    code=code,
                    source=source_of(key[0], key[1], code),
                )
            )
        elif entry.code != code:
            entry.code = code
            entry.source = source_of(key[0], key[1], code)
            entry.note = ""
            changed.append(entry)
    if changed:
        RosterEntry.objects.bulk_update(changed, ["code", "source", "note"], batch_size=1000)
    if created:
        RosterEntry.objects.bulk_create(created, batch_size=2000)
    if keep_people is not None:
        RosterEntry.objects.filter(roster=draft).exclude(employee_id__in=keep_people).delete()
    return len(changed) + len(created)


# --- solving ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SolveOutcome:
    """自动排班结果: the draft written and how good it is."""

    roster_id: int
    team: str
    month: dt.date
    version: int
    status: str
    shortfall_total: int
    changed: int
    wall_seconds: float
    people: int
    violations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "roster_id": self.roster_id,
            "team": self.team,
            "month": self.month.isoformat(),
            "month_label": month_label(self.month),
            "version": self.version,
            "status": self.status,
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "shortfall_total": self.shortfall_total,
            "changed": self.changed,
            "wall_seconds": round(self.wall_seconds, 2),
            "people": self.people,
            "violations": self.violations[:20],
            "link": reverse("workforce:roster_detail", args=[self.roster_id]),
        }

    @property
    def summary(self) -> str:
        gap = f"缺口 {self.shortfall_total} 人次" if self.shortfall_total else "无缺口"
        return f"{self.team} {month_label(self.month)} 排班草稿（第{self.version}版）已生成，{gap}"


def _check_solvable(team_id: int, month: dt.date, today: dt.date) -> None:
    if month_end(month) < today:
        raise DomainError(
            "roster_month_past", "该月份已经过去，不能再自动排班", fields={"month": "月份已过去"}
        )
    if not selectors.team_members(team_id, month):
        raise DomainError("roster_no_people", "该班组没有可排班的在职人员")


def roster_solve_submit(
    *, actor: Any, team_id: int, month: dt.date, time_limit_s: float | None = None
) -> BackgroundJob:
    """Queue 自动排班 for a team's month as a background job — 提交自动排班.

    The job page shows the progress; the result is the team's draft. One solve per team and
    month at a time.
    """
    from kefu.core.choices import JobKind, JobStatus
    from kefu.core.jobs import job_submit

    from ..tasks import roster_solve_job_task  # tasks imports the services

    month = month_start(month)
    team = _team(team_id)
    require_edit(actor, team.pk)
    _check_solvable(team.pk, month, timezone.localdate())
    description = f"自动排班：{team.name} {month_label(month)}"
    with transaction.atomic():
        busy = BackgroundJob.objects.filter(
            kind=JobKind.ROSTER_SOLVE,
            description=description,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            created_at__gte=timezone.now() - SOLVE_BUSY_FOR,
        ).exists()
        if busy:
            raise ConflictError("roster_solve_busy", "该班组本月正在自动排班，请等待当前任务完成")
        payload: dict[str, Any] = {
            "team_id": team.pk,
            "month": month.isoformat(),
            "draft_stamp": draft_stamp(team.pk, month),
        }
        if time_limit_s is not None:
            payload["time_limit_s"] = float(time_limit_s)
        return job_submit(
            actor=actor,
            kind=JobKind.ROSTER_SOLVE,
            task=roster_solve_job_task,
            payload=payload,
            description=description,
        )


def roster_solve(
    *,
    actor: Any,
    team_id: int,
    month: dt.date,
    time_limit_s: float | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    job_id: int | None = None,
    stop_after_first_covered: bool = False,
    expected_stamp: str | None = None,
) -> SolveOutcome:
    """自动排班: solve the team's month and write the result into its draft.

    A draft is created (next version, based on the published one) when the month has none; an
    existing draft is overwritten cell by cell (the solver keeps it as close as coverage and the
    rules allow: minimal change). The time limit is the policy's, or less when asked.

    Hand edits made to the draft while the solver ran are never overwritten: when the draft is
    no longer as it was at ``expected_stamp`` (taken at submit; at the start when not given),
    the result is kept beside the draft (``solver_result["unapplied"]``) and a DomainError says so.
    """
    from ..rostering.solver import solve

    month = month_start(month)
    today = today or timezone.localdate()
    team = _team(team_id)
    require_edit(actor, team.pk)
    _check_solvable(team.pk, month, today)
    if expected_stamp is None:
        expected_stamp = draft_stamp(team.pk, month)
    ctx = build_problem(team_id=team.pk, month=month, today=today)
    limit = float(roster_policy(month).solver.time_limit_seconds)
    if time_limit_s is not None:
        limit = max(0.1, min(limit, float(time_limit_s)))
    solution = solve(
        ctx.problem,
        time_limit_s=limit,
        workers=2,
        progress=progress,
        stop_after_first_covered=stop_after_first_covered,
    )
    outcome = _store_solution(actor, ctx, solution, job_id=job_id, expected_stamp=expected_stamp)
    if outcome is None:
        raise DomainError(
            "roster_solve_draft_changed",
            "自动排班期间草稿已被手工修改，为免覆盖这些修改，本次排班结果未写入草稿"
            "（草稿保留您的修改，排班结果另存备查）。如需按自动排班重排，请重新提交自动排班。",
            status=409,
        )
    return outcome


def _keep_unapplied(draft: Roster, solution: RosterSolution, people: set[int]) -> None:
    """The solver's answer stored beside a draft edited meanwhile (nothing overwritten)."""
    draft.solver_result = {
        **(draft.solver_result or {}),
        "unapplied": {
            "solved_at": timezone.now().isoformat(),
            "status": solution.status,
            "cells": {
                f"{e}|{d.isoformat()}": c
                for (e, d), c in sorted(solution.assignment.items())
                if e in people
            },
        },
    }
    draft.save(update_fields=["solver_result"])


@transaction.atomic
def _store_solution(
    actor: Any,
    ctx: ProblemContext,
    solution: RosterSolution,
    *,
    job_id: int | None,
    expected_stamp: str | None = None,
) -> SolveOutcome | None:
    """Write the solution into the draft; None (nothing written but the kept result) when the
    draft changed since ``expected_stamp``."""
    team = Team.objects.get(pk=ctx.team_id)
    draft = _draft_locked(ctx.team_id, ctx.month)
    if expected_stamp is not None and draft_stamp(ctx.team_id, ctx.month) != expected_stamp:
        if draft is not None:
            _keep_unapplied(draft, solution, {p.id for p in ctx.problem.people})
        audit.record(
            actor=actor,
            action="roster.solve_refused",
            obj=draft,
            object_type="workforce.roster",
            after={"team": ctx.team_id, "month": ctx.month, "reason": "draft_changed"},
        )
        return None
    created = draft is None
    if draft is None:
        draft = _new_draft(actor, ctx.team_id, ctx.month)
    people = {p.id for p in ctx.problem.people}
    cells = {k: v for k, v in solution.assignment.items() if k[0] in people}
    changed = _write_cells(
        draft, cells, lambda e, d, c: _source_for(ctx, e, d, c), keep_people=people
    )
    total = shortfall_total(solution.shortfalls)
    draft.solver_result = {
        "status": solution.status,
        "status_label": STATUS_LABELS.get(solution.status, solution.status),
        "solved_at": timezone.now().isoformat(),
        "wall_seconds": round(solution.wall_seconds, 2),
        "shortfall_total": total,
        "shortfalls": shortfalls_json(solution.shortfalls),
        "violations": [v.message for v in solution.violations][:50],
        "stats": {k: round(float(v), 2) for k, v in solution.stats.items()},
        "people": len(people),
        "job_id": job_id,
    }
    draft.save(update_fields=["solver_result"])
    audit.record(
        actor=actor,
        action="roster.solve",
        obj=draft,
        after={
            "team": ctx.team_id,
            "month": ctx.month,
            "version": draft.version,
            "created": created,
            "status": solution.status,
            "shortfall_total": total,
            "changed": changed,
        },
    )
    return SolveOutcome(
        roster_id=draft.pk,
        team=team.name,
        month=ctx.month,
        version=draft.version,
        status=solution.status,
        shortfall_total=total,
        changed=changed,
        wall_seconds=solution.wall_seconds,
        people=len(people),
        violations=[v.message for v in solution.violations],
    )


# --- drafts ------------------------------------------------------------------------------------
@transaction.atomic
def roster_draft_create(*, actor: Any, team_id: int, month: dt.date) -> Roster:
    """新建草稿: a draft of the team's month — a copy of the published version when there is one,
    otherwise a first roster that meets every person-level rule (the solver's warm start). An
    existing draft is returned as it is."""
    month = month_start(month)
    team = _team(team_id)
    require_edit(actor, team.pk)
    draft = _draft_locked(team.pk, month)
    if draft is not None:
        return draft
    _check_solvable(team.pk, month, timezone.localdate())
    ctx = build_problem(team_id=team.pk, month=month)
    published = selectors.roster_published(team.pk, month)
    draft = _new_draft(actor, team.pk, month)
    people = {p.id for p in ctx.problem.people}
    if published is not None:
        cells = dict(selectors.roster_cells(published.pk))
        missing = greedy_roster(ctx.problem)
        for key, code in missing.items():
            cells.setdefault(key, code)
        source = EntrySource.CARRY
    else:
        cells = greedy_roster(ctx.problem)
        source = EntrySource.SOLVER
    cells = {k: v for k, v in cells.items() if k[0] in people}
    _write_cells(draft, cells, lambda e, d, c: source)
    audit.record(
        actor=actor,
        action="roster.draft_create",
        obj=draft,
        after={"team": team.pk, "month": month, "version": draft.version},
    )
    return draft


@dataclass(frozen=True)
class CellResult:
    """One edited cell — 调整结果: the roster now holding it (a new version for a published one)
    and the coverage of that day after the change (reported, not blocking)."""

    roster: Roster
    employee_id: int
    day: dt.date
    code: str
    coverage: list[str]
    reissued: bool = False


def _validate_code(ctx: ProblemContext, emp: int, day: dt.date, code: str) -> None:
    person = next((p for p in ctx.problem.people if p.id == emp), None)
    if person is None:
        raise DomainError("roster_not_member", "该员工不在本班组本月的排班名单中", status=409)
    if day not in ctx.problem.days:
        raise DomainError("roster_day_outside", "日期不在该月排班表内", fields={"day": "日期不对"})
    if code == LEAVE:
        if person.fixed.get(day) != LEAVE:
            raise DomainError(
                "roster_leave_manual",
                "请假须通过请假申请审批后写入排班表，不能在排班表中直接填写",
                fields={"code": "请假须走请假申请"},
            )
        return
    if code != REST and ctx.problem.shift(code) is None:
        raise DomainError(
            "roster_code_not_in_layout",
            f"班次“{code}”不在本班组的班次组合中",
            fields={"code": "班次不在本班组的班次组合中"},
        )


def _refuse_new_violations(before: tuple[Violation, ...], after: tuple[Violation, ...]) -> None:
    old = {v.message for v in before}
    new = [v.message for v in after if v.message not in old]
    if new:
        message = "；".join(dict.fromkeys(new))
        raise DomainError("roster_rule_broken", message, fields={"code": message})


def day_coverage_messages(ctx: ProblemContext, cells: dict, day: dt.date) -> list[str]:
    """The coverage shortfalls of one day after an edit — 当日缺口 (shown, never blocking)."""
    from ..shifts import shift_names

    names = shift_names(ctx.month)
    skills = roster_policy(ctx.month).skill_names()
    day_only = [s for s in coverage_shortfalls(ctx.problem, cells) if s.day == day]
    return [shortfall_text(names, skills, s) for s in day_only]


def roster_cell_set(
    *,
    actor: Any,
    roster_id: int,
    employee_id: int,
    day: dt.date,
    code: str,
    reason: str = "",
    today: dt.date | None = None,
) -> CellResult:
    """调整排班: set one person's code on one day.

    On a draft the cell changes after the checker (``check_person``) finds no hard rule newly
    broken — otherwise a DomainError with the checker's exact Chinese message. On a published
    roster (frozen) the change re-issues it as a new version with ``reason``
    (``roster_apply_change``): days before today cannot change.
    """
    today = today or timezone.localdate()
    code = (code or "").strip()
    with transaction.atomic():
        roster = Roster.objects.select_for_update().filter(pk=roster_id).first()
        if roster is None:
            raise DomainError("roster_missing", "排班表不存在", status=404)
        require_edit(actor, roster.team_id)
        if roster.status == RosterStatus.WITHDRAWN:
            raise ConflictError("roster_withdrawn", "该版本已撤回，不能再修改")
        published = roster.status == RosterStatus.PUBLISHED
        ctx = build_problem(
            team_id=roster.team_id, month=roster.month, today=today, for_published=published
        )
        _validate_code(ctx, employee_id, day, code)
        if published and day < today:
            raise DomainError(
                "roster_past_day",
                "已发布排班表中今天以前的日期不能调整",
                fields={"day": "不能调整过去的日期"},
            )
        cells = selectors.roster_cells(roster.pk)
        before_code = cells.get((employee_id, day))
        if before_code == code:
            raise DomainError("roster_no_change", "排班没有变化", fields={"code": "排班没有变化"})
        before = check_person(ctx.problem, cells, employee_id)
        cells[(employee_id, day)] = code
        after = check_person(ctx.problem, cells, employee_id)
        _refuse_new_violations(before, after)
        coverage = day_coverage_messages(ctx, cells, day)
        if published:
            new = roster_apply_change(
                actor=actor,
                team_id=roster.team_id,
                month=roster.month,
                changes=[CellChange(employee_id, day, code)],
                reason=reason,
            )
            return CellResult(new, employee_id, day, code, coverage, reissued=True)
        entry = RosterEntry.objects.filter(roster=roster, employee_id=employee_id, day=day).first()
        if entry is None:
            RosterEntry.objects.create(
                roster=roster,
                employee_id=employee_id,
                day=day,
                code=code,
                source=EntrySource.MANUAL,
            )
        else:
            entry.code, entry.source, entry.note = code, EntrySource.MANUAL, (reason or "")[:200]
            entry.save(update_fields=["code", "source", "note"])
        audit.record(
            actor=actor,
            action="roster.cell",
            obj=roster,
            before={"employee": employee_id, "day": day, "code": before_code},
            after={"employee": employee_id, "day": day, "code": code},
            reason=reason,
        )
        return CellResult(roster, employee_id, day, code, coverage)
