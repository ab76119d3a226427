"""The department fund in a real browser — 部门基金 (PERF-7): a team lead asks to spend ¥300 on a
birthday party, the supervisor agrees, the manager approves it from 待我审批 (with the confirm
dialog) and the fund's balance drops by ¥300.00 for everyone in 客服部."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.fund import services
from kefu.fund.models import FundEntry
from kefu.org.tests.factories import PASSWORD


@pytest.mark.browser
def test_lead_requests_spending_manager_approves(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    services.fund_income_record(
        actor=org["manager"].user,
        department=org["cs"],
        day=timezone.localdate(),
        amount=Decimal("1000"),
        description="部门基金箱结余转入",
    )

    login("KF010", PASSWORD)
    page.goto("/fund/")
    expect(page.get_by_test_id("fund-balance")).to_have_text("¥1,000.00")
    page.get_by_test_id("fund-spend").click()
    expect(page.get_by_test_id("fund-chain")).to_contain_text("500元以内")
    page.get_by_label("金额（元）").fill("300")
    page.get_by_label("支出事由").fill("售前组生日会")
    page.get_by_test_id("fund-submit").click()
    expect(page.get_by_test_id("fund-entry-status")).to_have_attribute("data-status", "pending")
    entry = FundEntry.objects.get(kind="spending")
    assert entry.amount == Decimal("-300.00")

    services.fund_spending_decide(actor=org["supervisor"].user, entry=entry, approve=True)

    page.context.clear_cookies()
    login("KF001", PASSWORD)
    page.goto("/org/approvals/")
    inbox = page.get_by_test_id("approval-inbox")
    expect(inbox).to_contain_text("部门基金支出")
    inbox.get_by_role("link", name="去审批").click()
    expect(page.get_by_test_id("fund-entry-description")).to_have_text("售前组生日会")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("fund-decide-submit").click()
    expect(page.get_by_test_id("fund-entry-status")).to_have_attribute("data-status", "effective")

    page.goto("/fund/")
    expect(page.get_by_test_id("fund-balance")).to_have_text("¥700.00")
    row = page.get_by_test_id("fund-row").filter(has_text="售前组生日会")
    expect(row.get_by_test_id("fund-amount")).to_have_text("-¥300.00")
    expect(row.get_by_test_id("fund-running")).to_have_text("¥700.00")

    page.context.clear_cookies()
    login("KF011", PASSWORD)  # an agent of 客服部 sees the same transparent ledger
    page.goto("/fund/")
    expect(page.get_by_test_id("fund-balance")).to_have_text("¥700.00")
    expect(page.get_by_test_id("fund-spend")).to_have_count(0)
