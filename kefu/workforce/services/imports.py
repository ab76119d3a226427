"""Roster import — 排班表导入 (WFM-2): an Excel sheet in the grid layout into the team's draft.

Every cell and row is validated first (工号 of a member, once; a known code of the team's layout;
请假 only where approved leave is; the hard rules of the independent checker per person); any
error → nothing is imported and each error names its row. A published month gets a new draft
(the published version stays until the draft is published).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.xlsx import ImportResult, RowError

from .. import selectors
from ..choices import EntrySource
from ..excel import code_lookup, read_roster_sheet
from ..grid import short_labels
from ..rostering.checker import check_person
from ..rostering.problem import LEAVE
from ..selectors import month_start
from ..shifts import shift_names
from .problem import build_problem
from .rosters import _check_solvable, _draft_locked, _new_draft, _team, _write_cells, require_edit


def roster_import(*, actor: Any, team_id: int, month: dt.date, data: bytes) -> ImportResult:
    """导入排班表 into the draft of ``team_id``/``month``; nothing changes on any error."""
    from django.utils import timezone

    month = month_start(month)
    team = _team(team_id)
    require_edit(actor, team.pk)
    _check_solvable(team.pk, month, timezone.localdate())
    ctx = build_problem(team_id=team.pk, month=month)
    problem = ctx.problem
    sheet = read_roster_sheet(data, month, list(problem.days))
    errors: list[RowError] = list(sheet.errors)
    names = shift_names(month)
    layout = [s.code for s in problem.shifts]
    lookup = code_lookup(names, layout, short_labels(names, layout))
    by_no = {no: emp for emp, no in ctx.employee_nos.items()}
    fixed = {p.id: p.fixed for p in problem.people}
    seen: dict[int, int] = {}
    assignment: dict[tuple[int, dt.date], str] = {}
    lines: dict[int, int] = {}
    for line, no, values in sheet.rows:
        emp = by_no.get(no)
        if emp is None:
            errors.append(RowError(line, "工号", f"{no} 不是本班组本月排班的在职人员"))
            continue
        if emp in seen:
            errors.append(RowError(line, "工号", f"{no} 与第{seen[emp]}行重复"))
            continue
        seen[emp] = line
        lines[emp] = line
        for day, text in sorted(values.items()):
            label = f"{day.day}日"
            if not text:
                errors.append(RowError(line, label, "不能为空（填写班次、休息或请假）"))
                continue
            code = lookup.get(text)
            if code is None:
                errors.append(RowError(line, label, f"“{text}”不是本班组的班次、休息或请假"))
                continue
            if code == LEAVE and fixed[emp].get(day) != LEAVE:
                errors.append(
                    RowError(line, label, "请假须通过请假申请审批后写入，不能在排班表中直接填写")
                )
                continue
            assignment[(emp, day)] = code
    for emp, name in ctx.names.items():
        if emp not in seen:
            errors.append(
                RowError(
                    sheet.header_line, "", f"文件中缺少 {name}（{ctx.employee_nos[emp]}）的排班"
                )
            )
    if not errors:
        for emp, line in lines.items():
            for violation in check_person(problem, assignment, emp):
                errors.append(RowError(line, "", violation.message))
    if errors:
        return ImportResult(errors=errors)
    return _write_import(actor, team.pk, month, assignment)


@transaction.atomic
def _write_import(
    actor: Any, team_id: int, month: dt.date, assignment: dict[tuple[int, dt.date], str]
) -> ImportResult:
    draft = _draft_locked(team_id, month)
    created = draft is None
    if draft is None:
        draft = _new_draft(actor, team_id, month)
    base_id = draft.based_on_id if created else draft.pk
    base = selectors.roster_cells(base_id) if base_id else {}
    changed = sum(1 for k, v in assignment.items() if base.get(k) != v)
    _write_cells(
        draft,
        assignment,
        lambda e, d, c: EntrySource.LEAVE if c == LEAVE else EntrySource.IMPORT,
        keep_people={e for e, _ in assignment},
    )
    audit.record(
        actor=actor,
        action="roster.import",
        obj=draft,
        after={"version": draft.version, "created": created, "changed": changed},
    )
    return ImportResult(updated=changed, unchanged=len(assignment) - changed)
