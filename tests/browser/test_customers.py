"""The customer archive in a real browser — 客户档案: an agent opens a record with two phones, finds
it again by the last four digits a caller reads out, and opens it from the list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.core.models import AuditEvent
from kefu.customers.models import Customer
from kefu.org.tests.factories import PASSWORD


@pytest.mark.browser
def test_agent_creates_a_customer_and_finds_it_by_the_last_four_digits(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    login("KF011", PASSWORD)  # 客服甲一, an agent: sees numbers masked
    page.locator("aside.sidebar").get_by_role("link", name="客户档案").click()
    expect(page.locator("h1.page-title")).to_have_text("客户档案")
    expect(page.get_by_text("暂无客户，点击“新增”创建")).to_be_visible()

    page.get_by_role("link", name="新增").click()
    expect(page.locator("h1.page-title")).to_have_text("新建客户")
    page.get_by_label("客户名称").fill("上海某某贸易有限公司")
    page.get_by_label("电话1").fill("138 1234 5678")
    page.get_by_role("button", name="+ 再添加一个电话").click()
    expect(page.get_by_label("电话3")).to_be_focused()
    page.get_by_label("电话3").fill("+86 021-6123-9876")
    page.get_by_label("客户类型").select_option(label="代理商")
    page.get_by_label("客户等级").select_option(label="大客户")
    page.get_by_label("地区").fill("华东")
    page.get_by_role("button", name="保存").click()

    customer = Customer.objects.get()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_test_id("customer-code")).to_have_text(customer.code)
    phones = page.get_by_test_id("customer-phones")
    expect(phones).to_contain_text("138****5678")
    expect(phones).to_contain_text("021****9876")
    expect(phones).not_to_contain_text("13812345678")

    # Later, a caller gives only the last four digits of the second number.
    page.locator("aside.sidebar").get_by_role("link", name="客户档案").click()
    page.evaluate("window.__kefuMark = 'kept'")
    page.get_by_label("电话").fill("9876")
    page.get_by_role("button", name="查询").click()
    rows = page.get_by_test_id("customer-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]phone=9876"))
    assert page.evaluate("window.__kefuMark") == "kept"  # only the table was swapped (htmx)
    expect(rows.first).to_contain_text("上海某某贸易有限公司")
    expect(rows.first.locator(".tag")).to_have_text("大客户")

    rows.first.get_by_role("link", name=customer.code).click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.locator("h1.page-title")).to_contain_text("上海某某贸易有限公司")
    expect(page.get_by_test_id("service-history")).to_contain_text("新建客户档案")
    assert (
        AuditEvent.objects.filter(
            action="customer.view", object_id=str(customer.pk), actor=org["agent_a1"].user
        ).count()
        == 1
    )

    # The same number again is recognised as this customer, with a link to open it.
    page.goto("/customers/new/")
    page.get_by_label("客户名称").fill("另一个名字")
    page.get_by_label("电话1").fill("13812345678")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"已属于客户 {customer.code}")).to_be_visible()
    expect(page.get_by_label("客户名称")).to_have_value("另一个名字")
    page.get_by_test_id("duplicate-link").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    assert Customer.objects.count() == 1
