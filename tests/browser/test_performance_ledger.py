"""The incident ledger in a real browser — 奖惩台账: the team lead records a fine for an agent from
the catalogue (the amounts refresh for the chosen rule), the agent appeals it (申诉), the manager
revokes it (撤销) and the reversal cancels it exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.performance.models import Appeal, Incident


@pytest.mark.browser
def test_lead_records_agent_appeals_manager_revokes(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    login("KF010", PASSWORD)
    page.goto("/performance/incidents/")
    page.get_by_test_id("incident-new").click()
    form = page.get_by_test_id("incident-form")
    form.get_by_label("员工").select_option(label="客服甲一（KF011）")
    form.get_by_label("奖惩条目").select_option("unrelated_activity")
    expect(page.get_by_test_id("preview-money")).to_contain_text("¥10.00")
    expect(form.get_by_label("金额（元）")).to_have_value("10")
    form.get_by_label("说明").fill("上班时间玩手机游戏")
    form.get_by_test_id("incident-submit").click()
    expect(page.get_by_test_id("incident-status")).to_have_attribute("data-status", "confirmed")
    expect(page.get_by_test_id("incident-money")).to_have_text("¥-10.00")
    incident = Incident.objects.get()
    assert (incident.money, incident.employee_id) == (Decimal("-10"), org["agent_a1"].pk)

    page.context.clear_cookies()
    login("KF011", PASSWORD)
    page.goto(f"/performance/incidents/{incident.pk}/")
    page.get_by_test_id("appeal-form").get_by_label("申诉理由").fill("当时在帮客户查物流")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.get_by_test_id("incident-status")).to_have_attribute("data-status", "appealed")

    page.context.clear_cookies()
    login("KF001", PASSWORD)
    page.goto("/performance/appeals/")
    page.get_by_test_id("appeal-decide").first.click()
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("处理意见").fill("聊天记录属实")
    decide.get_by_role("button", name="撤销").click()
    expect(page.get_by_test_id("incident-status")).to_have_attribute("data-status", "revoked")
    expect(page.get_by_test_id("incident-reversal")).to_contain_text("¥10.00")

    assert Appeal.objects.get().status == "revoked"
    total = Incident.objects.filter(employee=org["agent_a1"]).aggregate(m=Sum("money"))["m"]
    assert total == Decimal("0")
