"""Score cards in a real browser — 考核计分卡 (PERF-4): the team lead opens the month's list of the
team, filters it, opens an agent's card and sees every point behind the score and its money."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.performance.tests.test_scorecard_support import line


@pytest.mark.browser
def test_lead_opens_the_team_list_and_a_card(page: Any, org: dict[str, Any], login: Any) -> None:
    a1 = org["agent_a1"]
    line(a1, "-10", description="与客户争执")
    line(a1, "-5", description="趴在办公桌上")
    line(a1, "-0.5", rule="late", day=8, description="迟到12分钟")

    login("KF010", PASSWORD)
    page.goto("/performance/scorecards/?month=2026-10")
    rows = page.get_by_test_id("scorecard-row")
    expect(rows).to_have_count(3)  # 组长甲 and the two agents of 售前组, nobody of 售后组
    expect(page.get_by_test_id("scorecard-table")).not_to_contain_text("客服乙一")
    row = rows.filter(has_text="客服甲一")
    expect(row.get_by_test_id("scorecard-score")).to_have_text("84.50")
    row.get_by_role("link", name="查看").click()

    expect(page.get_by_test_id("scorecard-title")).to_contain_text("客服甲一")
    expect(page.get_by_test_id("scorecard-detail-score")).to_have_text("84.50")
    expect(page.get_by_test_id("money-band")).to_have_text("¥-210.00")
    expect(page.get_by_test_id("money-full-attendance")).to_have_text("¥0.00")
    expect(page.get_by_test_id("scorecard-line")).to_have_count(3)
    expect(page.get_by_test_id("scorecard-lines")).to_contain_text("与客户争执")
    expect(page.get_by_test_id("history-row")).to_have_count(6)
