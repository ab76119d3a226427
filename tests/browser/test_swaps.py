"""Shift swap in a real browser — 换班 (WFM-3): an agent asks a colleague to swap a shift and
names the payback day (还班), the form previews both rosters and the rule check; the colleague
agrees; the team lead, the supervisor and the manager approve in turn from 待我审批; the roster
grid of the re-issued version shows both cells exchanged on both days."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.swaps.models import ShiftSwap
from kefu.swaps.tests.factories import future_month, publish_roster
from kefu.workforce.models import Roster


@pytest.mark.browser
def test_agent_asks_colleague_accepts_chain_approves_grid_changes(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    month = future_month(1)
    a1, a2 = org["agent_a1"], org["agent_a2"]
    publish_roster(org["team_a"], month, [a1, a2, org["lead_a"]])
    day, payback = month.replace(day=10), month.replace(day=13)  # a1 works, a2 rests; then back
    page.on("dialog", lambda dialog: dialog.accept())

    def as_(username: str) -> None:
        page.context.clear_cookies()
        login(username, PASSWORD)

    # 客服甲一 asks 客服甲二 to take the 10th and pays back on the 13th.
    as_(a1.employee_no)
    page.goto("/swaps/")
    page.get_by_test_id("swap-new").click()
    form = page.get_by_test_id("swap-form")
    form.get_by_label("换班日期（我的班次）").select_option(day.isoformat())
    form.get_by_label("换班同事").select_option(str(a2.pk))
    expect(page.get_by_test_id("swap-preview-errors")).to_contain_text("换班必须还班")
    form.get_by_label("还班日期").fill(payback.isoformat())
    form.get_by_label("还班日期").dispatch_event("change")
    expect(page.get_by_test_id("swap-preview-ok")).to_be_visible()
    expect(page.get_by_test_id("swap-strip")).to_contain_text(a2.name)
    form.get_by_label("换班原因").fill("孩子学校开家长会")
    page.get_by_test_id("swap-submit").click()
    expect(page).to_have_url(re.compile(r"/swaps/\d+/$"))
    expect(page.get_by_test_id("swap-status")).to_have_text("待同事确认")
    swap = ShiftSwap.objects.get()

    # 客服甲二 finds it under 待我确认 and agrees.
    as_(a2.employee_no)
    page.goto("/swaps/?tab=confirm")
    page.locator(f'tr[data-swap="{swap.pk}"] a').first.click()
    page.get_by_test_id("swap-accept").click()
    expect(page.get_by_test_id("swap-status")).to_have_text("待审批")

    # 组长 → 客服主管 → 客服部经理, each from 待我审批, nobody skipped.
    for who in ("lead_a", "supervisor", "manager"):
        as_(org[who].employee_no)
        page.goto("/org/approvals/")
        page.get_by_role("link", name="去审批").first.click()
        expect(page).to_have_url(re.compile(rf"/swaps/{swap.pk}/$"))
        decide = page.get_by_test_id("swap-decide-form")
        decide.get_by_label("审批结果").select_option("approve")
        decide.get_by_label("审批意见").fill("同意")
        page.get_by_test_id("swap-decide-submit").click()
        expect(page.get_by_test_id("swap-steps")).to_contain_text(org[who].name)
    expect(page.get_by_test_id("swap-status")).to_have_text("已批准")

    # The re-issued roster shows the exchange on both days.
    roster = Roster.objects.get(team=org["team_a"], month=month, status="published")
    assert roster.version == 2
    page.goto(f"/workforce/rosters/{roster.pk}/")
    grid = page.get_by_test_id("roster-grid")

    def cell(person: Any, when: Any) -> Any:
        return grid.locator(f'tr[data-e="{person.pk}"] td[data-d="{when.isoformat()}"]')

    expect(cell(a1, day)).to_have_attribute("data-code", "rest")
    expect(cell(a2, day)).to_have_attribute("data-code", "day")
    expect(cell(a1, payback)).to_have_attribute("data-code", "day")
    expect(cell(a2, payback)).to_have_attribute("data-code", "rest")
