"""Sales in a real browser — 销售日报与提成 (PERF-1, PERF-2): the supervisor enters a day's order of
客服甲一, records the chat tool's inquiry count, and opens the commission page: 1 order out of 2
inquiries is 50 % conversion, below 70 %, so 1 % of ¥2,561.00 = ¥25.61."""

from __future__ import annotations

import datetime as dt
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


@pytest.mark.browser
def test_agent_chases_an_unpaid_order(page: Any, org: dict[str, Any], login: Any) -> None:
    """未付款订单 (seed 000): 客服甲一 sees an order placed 10 minutes ago as 待催付 and one placed
    two hours ago as 超时未催付, records 旺旺催付 on the fresh one (htmx swaps the row to 已催付);
    the check then proposes the ¥5 fine for the late one only (待确认, for the 组长's spot check)."""
    from kefu.performance.choices import IncidentStatus
    from kefu.performance.models import Incident
    from kefu.sales.models import UnpaidOrder
    from kefu.sales.services_unpaid import unpaid_check, unpaid_order_enter

    now = timezone.now()
    for no, ago in (("TB-FRESH", 10), ("TB-LATE", 120)):
        unpaid_order_enter(
            actor=org["supervisor"].user,
            agent=org["agent_a1"],
            order_no=no,
            placed_at=now - dt.timedelta(minutes=ago),
        )
    login("KF011", PASSWORD)
    page.goto("/sales/unpaid/")
    late = page.get_by_test_id("unpaid-row").filter(has_text="TB-LATE")
    expect(late.get_by_test_id("unpaid-state")).to_contain_text("超时未催付")
    fresh = page.get_by_test_id("unpaid-row").filter(has_text="TB-FRESH")
    expect(fresh.get_by_test_id("unpaid-state")).to_contain_text("待催付")
    fresh.get_by_label("催付方式").select_option(label="旺旺")
    fresh.get_by_label("备注").fill("已提醒付款")
    fresh.get_by_test_id("chase-submit").click()
    swapped = page.get_by_test_id("unpaid-row").filter(has_text="TB-FRESH")
    expect(swapped.get_by_test_id("unpaid-state")).to_have_text("已催付")
    assert UnpaidOrder.objects.get(order_no="TB-FRESH").chased_at is not None

    assert unpaid_check(actor=None).proposed == 1
    (incident,) = Incident.objects.all()
    assert (incident.employee, incident.status) == (org["agent_a1"], IncidentStatus.PROPOSED)
    assert incident.evidence_ref == "sales.unpaid:TB-LATE"
