"""Returns in a real browser — 换货 (AS-5): an agent registers an exchange from the customer's
service request with the return tracking number; the exchange cannot be shipped before the return
arrives (the page says why and offers no 发出); the warehouse receives and inspects the parcel;
the agent ships the replacement and records its arrival, and the case is 已完成 with the whole
story on its timeline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.returns.models import ReturnCase
from kefu.tickets.tests.factories import make_ticket


@pytest.mark.browser
def test_exchange_from_request_to_arrival(page: Any, org: dict[str, Any], login: Any) -> None:
    ticket = make_ticket(
        org["agent_a1"],
        kind="after_sales",
        subkind="exchange",
        title="鞋码偏小要求换大一码",
        order_no="DD20261120-88",
    )
    page.on("dialog", lambda dialog: dialog.accept())

    def as_(username: str) -> None:
        page.context.clear_cookies()
        login(username, PASSWORD)

    def act(label: str, fill: dict[str, str] | None = None) -> None:
        """Open the step ``label`` on the case page, fill its fields and confirm."""
        box = (
            page.get_by_test_id("case-actions")
            .locator("details.step")
            .filter(has=page.locator("summary", has_text=label))
        )
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        for field, value in (fill or {}).items():
            box.get_by_label(field).fill(value)
        box.get_by_role("button", name="确定").click()

    # 客服甲一 opens the request and registers the exchange from it.
    as_("KF011")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("link", name=re.compile("登记退换货")).click()
    form = page.get_by_test_id("case-form")
    expect(page.get_by_test_id("from-ticket")).to_contain_text(ticket.number)
    expect(form.get_by_label("类型")).to_have_value("exchange")
    form.locator("select[name=reason]").select_option(label="尺码不合适")
    form.get_by_label("要更换的商品").fill("同款 42 码")
    form.get_by_label("退回快递单号").fill("SF1234567890")
    form.get_by_label("快递公司").fill("顺丰")
    form.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/returns/\d+/$"))
    case = ReturnCase.objects.get(ticket=ticket)
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    # Not a quality fault: the customer pays the one-way return (AS-5).
    expect(page.get_by_test_id("freight-terms")).to_contain_text("退回：客户")
    if case.stage == "registered":
        act("登记退回单号", {"退回快递单号": "SF1234567890"})
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "awaiting_return")
    # The replacement may not leave before the return arrives.
    expect(page.get_by_test_id("reship-blocked")).to_be_visible()
    expect(page.get_by_test_id("case-actions")).not_to_contain_text("发出")

    # 仓库 receives and inspects the parcel; only it may.
    as_("CK001")
    page.goto(f"/returns/{case.pk}/")
    act("仓库收货")
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "received")
    box = page.get_by_test_id("case-actions").locator('details[data-action="inspect"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.get_by_label(re.compile("验收结果")).select_option(label="合格")
    box.get_by_label("货品状况").fill("鞋盒完好，未穿着")
    box.get_by_role("button", name="确定").click()
    expect(page.get_by_test_id("inspection")).to_contain_text("合格")

    # The agent ships the replacement and records that it arrived.
    as_("KF011")
    page.goto(f"/returns/{case.pk}/")
    expect(page.get_by_test_id("reship-blocked")).to_have_count(0)
    act("发出", {"发出快递单号": "SF0987654321"})
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "reshipped")
    expect(page.get_by_test_id("ship-clock")).to_be_visible()
    act("确认送达")
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "completed")
    timeline = page.get_by_test_id("case-timeline")
    for text in ("登记退换货单", "仓库收货", "仓库验收", "发出", "确认送达"):
        expect(timeline).to_contain_text(text)
