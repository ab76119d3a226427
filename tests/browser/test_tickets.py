"""Service requests in a real browser — 工单: an agent takes a call on the 坐席工作台 with quick entry,
sees it appear in 我的工单 without a reload, opens it, replies, resolves and closes it (结案 asks
first)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.tickets.choices import Status
from kefu.tickets.models import Ticket


@pytest.mark.browser
def test_agent_takes_a_call_replies_resolves_and_closes_it(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    login("KF011", PASSWORD)  # 客服甲一, an agent
    page.locator("aside.sidebar").get_by_role("link", name="坐席工作台").click()
    expect(page.locator("h1.page-title")).to_have_text("坐席工作台")
    expect(page.get_by_test_id("my-tickets")).to_contain_text("没有未结的工单")
    page.evaluate("window.__kefuMark = 'kept'")

    quick = page.get_by_test_id("quick-entry")
    quick.get_by_label("来电号码").fill("139 1234 5678")
    quick.get_by_label("工单类型").select_option(label="订单问题")
    # The sub-kinds follow the kind (htmx): 订单问题 offers 催件.
    expect(quick.get_by_label("子类").locator("option", has_text="催件")).to_have_count(1)
    quick.get_by_label("子类").select_option(label="催件")
    quick.get_by_label("问题概要").fill("快递三天没有更新")
    quick.get_by_role("button", name="建单").click()

    expect(page.get_by_test_id("quick-created")).to_be_visible()
    ticket = Ticket.objects.get()
    mine = page.get_by_test_id("my-tickets")
    expect(mine.locator("tbody tr")).to_have_count(1)
    expect(mine).to_contain_text(ticket.number)
    expect(mine.locator("[data-sla-seconds]")).to_contain_text("剩余")
    assert page.evaluate("window.__kefuMark") == "kept"  # no reload: htmx swapped the parts
    expect(page.get_by_test_id("quick-entry").get_by_label("来电号码")).to_have_value("")

    mine.get_by_role("link", name=ticket.number).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.get_by_test_id("ticket-number")).to_have_text(ticket.number)
    expect(page.get_by_test_id("ticket-status")).to_have_text("新建")
    expect(page.get_by_test_id("first-responsible")).to_have_text("客服甲一")

    actions = page.get_by_test_id("ticket-actions")
    actions.locator("summary", has_text="回复").click()
    reply = actions.locator('details[data-action="reply"]')
    reply.get_by_label("回复内容").fill("已联系快递公司，明天送达")
    reply.get_by_label("回复方式").select_option(label="电话")
    reply.get_by_role("button", name="确定回复").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("处理中")
    expect(page.get_by_test_id("ticket-messages")).to_contain_text("已联系快递公司，明天送达")
    expect(page.get_by_test_id("ticket-messages")).to_contain_text("回复客户 · 电话")

    # Resolving without writing the result is refused under the field, nothing lost.
    actions = page.get_by_test_id("ticket-actions")
    actions.locator("summary", has_text="解决").click()
    resolve = actions.locator('details[data-action="resolve"]')
    resolve.get_by_role("button", name="确定解决").click()
    resolve = page.locator('details[data-action="resolve"]')
    expect(resolve.locator(".errorlist")).to_contain_text("请填写处理结果")
    resolve.get_by_label("处理结果").fill("客户已收到快递")
    resolve.get_by_role("button", name="确定解决").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已解决")

    # 结案 asks first; dismissing keeps the ticket open, accepting closes it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("ticket-actions").get_by_role("button", name="结案").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已解决")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    messages: list[str] = []

    def accept(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_test_id("ticket-actions").get_by_role("button", name="结案").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已关闭")
    assert messages and messages[0].startswith("确定要结案吗？")
    timeline = page.get_by_test_id("ticket-timeline")
    for label in ("新建工单", "回复", "解决", "结案"):
        expect(timeline).to_contain_text(label)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.first_contact_resolution

    # Back on the console, the closed request has left 我的工单.
    page.locator("aside.sidebar").get_by_role("link", name="坐席工作台").click()
    expect(page.get_by_test_id("my-tickets")).to_contain_text("没有未结的工单")
