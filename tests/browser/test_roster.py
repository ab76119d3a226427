"""排班表 in a real browser (WFM-2): the team lead generates next month's roster (自动排班 job with
its progress page), opens the draft, has an edit refused with the checker's message beside the
cell, makes a valid edit, publishes; an agent then sees the published grid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster
from kefu.workforce.tests.factories import next_month, ready_team


@pytest.mark.browser
def test_lead_generates_edits_and_publishes_agent_sees_it(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    month = next_month()
    team = ready_team(org, month)
    page.on("dialog", lambda dialog: dialog.accept())
    login("KF010", PASSWORD)  # 组长甲

    page.goto(f"/workforce/rosters/grid/?team={team.pk}&month={month:%Y-%m}")
    page.get_by_test_id("roster-solve").click()
    # The job page (progress, then the result) — the solve runs in the background.
    expect(page.get_by_test_id("job-status")).to_contain_text("已完成", timeout=60_000)
    expect(page.get_by_test_id("solve-shortfall")).to_contain_text("无缺口")
    page.get_by_test_id("solve-open-draft").click()
    expect(page.get_by_test_id("roster-status")).to_have_text("草稿")
    expect(page.get_by_test_id("roster-row")).to_have_count(3)

    draft = Roster.objects.get(team=team, month=month, status=RosterStatus.DRAFT)
    cells = selectors.roster_cells(draft.pk)
    days = selectors.month_days(month)
    # A night followed by a working day: that day may not become 白班 (晚班后不得紧接白班).
    person, night_day = next(
        (e, d)
        for (e, d), c in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if c == "night" and d != days[-1]
    )
    refused_day = night_day + dt.timedelta(days=1)
    row = page.locator(f'tr[data-e="{person}"]')
    row.locator(f'td[data-d="{refused_day:%Y-%m-%d}"]').click()
    editor = page.get_by_test_id("cell-editor")
    expect(editor).to_contain_text(f"{refused_day.month}月{refused_day.day}日")
    editor.get_by_test_id("cell-code-day").click()
    expect(page.get_by_test_id("cell-error")).to_contain_text("两班间仅休息8.5小时，少于10小时")
    assert selectors.roster_cells(draft.pk)[(person, refused_day)] == cells[(person, refused_day)]

    # A 白班 not followed by a 白班 becomes a 晚班: no rule is broken — accepted.
    who, day = next(
        (e, d)
        for (e, d), c in sorted(cells.items())
        if c == "day" and (d == days[-1] or cells[(e, d + dt.timedelta(days=1))] != "day")
    )
    page.get_by_role("button", name="关闭").click()  # the editor closes; it would cover cells
    expect(editor).to_have_count(0)
    page.locator(f'tr[data-e="{who}"] td[data-d="{day:%Y-%m-%d}"]').click()
    expect(editor).to_contain_text(f"{day.month}月{day.day}日")
    editor.get_by_test_id("cell-code-night").click()
    expect(page.get_by_test_id("cell-ok")).to_contain_text("已改为晚班")
    cell = page.locator(f'tr[data-e="{who}"] td[data-d="{day:%Y-%m-%d}"]')
    expect(cell).to_have_attribute("data-code", "night")
    assert selectors.roster_cells(draft.pk)[(who, day)] == "night"

    page.get_by_test_id("roster-publish").click()
    expect(page.get_by_test_id("roster-status")).to_have_text("已发布")
    draft.refresh_from_db()
    assert draft.status == RosterStatus.PUBLISHED

    # The agent sees the published grid (read only).
    page.context.clear_cookies()
    login("KF011", PASSWORD)  # 客服甲一
    page.goto("/workforce/rosters/")
    page.get_by_test_id("roster-table").get_by_role("link", name=f"{month:%Y-%m}").click()
    expect(page.get_by_test_id("roster-status")).to_have_text("已发布")
    expect(page.get_by_test_id("roster-row")).to_have_count(3)
    expect(page.locator(f'tr[data-e="{who}"] td[data-d="{day:%Y-%m-%d}"]')).to_have_text("晚")
    expect(page.locator("table.roster.editable")).to_have_count(0)
