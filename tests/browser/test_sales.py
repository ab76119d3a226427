"""Sales in a real browser — 销售日报与提成 (PERF-1, PERF-2): the supervisor enters a day's order of
客服甲一, records the chat tool's inquiry count, and opens the commission page: 1 order out of 2
inquiries is 50 % conversion, below 70 %, so 1 % of ¥2,561.00 = ¥25.61."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.sales.models import SalesLine


@pytest.mark.browser
def test_supervisor_enters_sales_and_opens_commission(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    today = timezone.localdate()
    login("KF002", PASSWORD)
    page.goto("/sales/reports/")
    page.get_by_test_id("report-new").click()
    form = page.get_by_test_id("report-form")
    form.get_by_label("客服").select_option(label="KF011 客服甲一")
    form.get_by_label("日期").fill(today.isoformat())
    form.get_by_label("订单号").fill("TB20260001")
    form.get_by_label("买家").fill("王女士")
    form.locator("[name=items-0-item]").fill("家用净水器")
    form.locator("[name=items-0-quantity]").fill("2")
    form.locator("[name=items-0-unit_price]").fill("1280.50")
    form.get_by_test_id("report-submit").click()
    row = page.get_by_test_id("report-row").filter(has_text="TB20260001")
    expect(row).to_contain_text("¥2,561.00")
    assert SalesLine.objects.get().agent == org["agent_a1"]

    page.goto("/sales/inquiries/")
    inquiry = page.get_by_test_id("inquiry-form")
    inquiry.get_by_label("客服").select_option(label="KF011 客服甲一")
    inquiry.get_by_label("日期").fill(today.isoformat())
    inquiry.get_by_label("询单数").fill("2")
    inquiry.get_by_test_id("inquiry-submit").click()
    expect(page.get_by_test_id("inquiry-row").first).to_contain_text("客服甲一")

    page.goto("/sales/")
    line = page.get_by_test_id("commission-row").filter(has_text="KF011")
    expect(line.get_by_test_id("conversion")).to_have_text("50.00%")
    expect(line.get_by_test_id("commission")).to_have_text("¥25.61")
    expect(page.get_by_test_id("top-sellers")).to_contain_text("客服甲一")
