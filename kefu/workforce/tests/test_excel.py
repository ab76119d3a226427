"""排班表 Excel (WFM-2): export in the grid layout, import it back into the draft; any error →
nothing imported, each error with its row."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent
from kefu.workforce import selectors
from kefu.workforce.choices import EntrySource, RosterStatus
from kefu.workforce.excel import roster_workbook
from kefu.workforce.grid import build_grid
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.services.imports import roster_import
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db


def _export(roster: Roster) -> bytes:
    return roster_workbook(build_grid(roster))


def _edit(data: bytes, changes: dict[tuple[int, int], Any]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for (row, col), value in changes.items():
        ws.cell(row=row, column=col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(org: dict[str, Any], data: bytes) -> Any:
    return roster_import(actor=org["lead_a"].user, team_id=org["team_a"].pk, month=MONTH, data=data)


def test_export_has_the_grid_layout(org):
    ready_team(org)
    roster = make_roster(org, RosterStatus.PUBLISHED)
    ws = load_workbook(io.BytesIO(_export(roster))).active
    assert ws.title == "排班表"
    assert ws["A1"].value == "售前组 2030年01月排班表（第1版·已发布）"
    header = [c.value for c in ws[2]]
    assert header[:4] == ["工号", "姓名", "1日二", "2日三"]
    assert header[32] == "31日四"
    assert header[33:] == ["白班", "晚班", "休息", "请假"]
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=5)}
    assert rows["KF011"][1] == "客服甲一"
    assert rows["KF011"][2:4] == ["晚班", "晚班"] and rows["KF011"][8] == "休息"
    assert rows["KF011"][33:] == [0, 27, 4, 0]
    assert ws.freeze_panes == "C3"
    assert ws.cell(row=3, column=3).fill.fgColor.rgb.endswith("DDEBF7")  # 白班 colour (组长甲)


def test_round_trip_into_a_new_draft_changes_only_what_was_edited(org):
    ready_team(org)
    published = make_roster(org, RosterStatus.PUBLISHED)
    data = _export(published)
    # 客服甲一 (row 4): 1月6日 晚班 → 休息 (column 2 + 6).
    result = _import(org, _edit(data, {(4, 8): "休息"}))
    assert result.ok, [str(e) for e in result.errors]
    assert result.updated == 1
    draft = selectors.roster_draft(org["team_a"].pk, MONTH)
    assert draft is not None and draft.version == 2 and draft.based_on == published
    diff = selectors.roster_diff(published.pk, draft.pk)
    assert [(d["employee_no"], d["day"].day, d["old"], d["new"]) for d in diff] == [
        ("KF011", 6, "night", "rest")
    ]
    entry = RosterEntry.objects.get(
        roster=draft, employee=org["agent_a1"], day=MONTH.replace(day=6)
    )
    assert entry.source == EntrySource.IMPORT
    assert AuditEvent.objects.filter(action="roster.import", object_id=str(draft.pk)).exists()
    # The published version is untouched.
    assert (
        selectors.roster_cells(published.pk)[(org["agent_a1"].pk, MONTH.replace(day=6))] == "night"
    )


def test_import_errors_name_the_row_and_nothing_is_imported(org):
    ready_team(org)
    draft = make_roster(org)
    before = selectors.roster_cells(draft.pk)
    data = _edit(
        _export(draft),
        {
            (3, 9): "白班",  # 组长甲 1月7日: 13 days in a row, 3 rest days
            (4, 4): "早班",  # not in the layout
            (4, 5): None,  # empty
            (5, 6): "请假",  # leave not approved
        },
    )
    result = _import(org, data)
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "第4行 2日：“早班”不是本班组的班次、休息或请假",
        "第4行 3日：不能为空（填写班次、休息或请假）",
        "第5行 4日：请假须通过请假申请审批后写入，不能在排班表中直接填写",
    ]
    assert selectors.roster_cells(draft.pk) == before
    # Cell errors fixed, the rule break on row 3 remains: reported per row with the checker's words.
    result = _import(org, _edit(_export(draft), {(3, 9): "白班"}))
    assert [str(e) for e in result.errors] == [
        "第3行：组长甲 1月7日 连续上班13天，超过上限6天（做六休一）",
        "第3行：组长甲 2030年1月 休息3天（含请假），少于每月最少休息4天",
    ]
    assert selectors.roster_cells(draft.pk) == before


def test_unknown_or_duplicate_people_and_missing_members(org):
    ready_team(org)
    draft = make_roster(org)
    data = _edit(_export(draft), {(4, 1): "KF999", (5, 1): "KF010"})
    result = _import(org, data)
    assert [str(e) for e in result.errors] == [
        "第4行 工号：KF999 不是本班组本月排班的在职人员",
        "第5行 工号：KF010 与第3行重复",
        "第2行：文件中缺少 客服甲一（KF011）的排班",
        "第2行：文件中缺少 客服甲二（KF012）的排班",
    ]


def test_a_file_of_another_month_or_not_a_workbook_is_refused(org):
    ready_team(org)
    other = make_roster(org, month=MONTH.replace(month=2))
    result = _import(org, _export(other))
    assert "文件是2030年2月的排班表，与草稿月份2030年1月不符" in [e.message for e in result.errors]
    with pytest.raises(DomainError, match="文件不是有效的 Excel"):
        _import(org, b"not a workbook")
