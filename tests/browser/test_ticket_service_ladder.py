"""Service ladder, 小红旗 and 留言 in a real browser (TKT-8/9/10): on the console the overnight
message comes first with its 留言 tag and the flagged request shows its 小红旗; on the detail page
the owner escalates 热线服务 → 上门服务 (asked first) and the timeline says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.core.calendar import SHANGHAI
from kefu.org.tests.factories import PASSWORD
from kefu.tickets.choices import Channel, Priority, ServiceMode
from kefu.tickets.tests.factories import make_ticket


@pytest.mark.browser
def test_messages_first_flag_shown_and_escalation_on_the_detail_page(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    agent = org["agent_a1"]
    yesterday = timezone.localtime(timezone.now(), SHANGHAI).date() - dt.timedelta(days=1)
    call = make_ticket(
        agent, title="紧急来电", priority=Priority.URGENT, red_flag=True, red_flag_note="只收顺丰"
    )
    chat = make_ticket(
        agent,
        title="夜间旺旺留言",
        channel=Channel.ONLINE_CHAT,
        received_at=dt.datetime.combine(yesterday, dt.time(3, 0), tzinfo=SHANGHAI),
    )

    login("KF011", PASSWORD)  # 客服甲一, an agent
    page.locator("aside.sidebar").get_by_role("link", name="坐席工作台").click()
    rows = page.get_by_test_id("my-tickets").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(chat.number)
    expect(rows.nth(0).get_by_test_id("offline-message")).to_have_text("留言")
    expect(rows.nth(1).get_by_test_id("red-flag")).to_contain_text("小红旗")

    rows.nth(1).get_by_role("link", name=call.number).click()
    expect(page.get_by_test_id("service-mode-value")).to_have_text("热线服务")
    box = page.get_by_test_id("service-mode-escalate")
    box.locator("summary").click()
    box.get_by_label("升级为").select_option(label="上门服务")
    box.get_by_label("升级原因").fill("电话指导无效，客户拒绝远程")
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    box.get_by_role("button", name="确定升级").click()
    expect(page.get_by_test_id("service-mode-value")).to_have_text("上门服务")
    assert dialogs and dialogs[0].startswith("确定要升级服务方式吗？")
    expect(page.get_by_test_id("ticket-timeline")).to_contain_text(
        "升级服务方式（热线服务 → 上门服务）：电话指导无效，客户拒绝远程"
    )
    expect(page.get_by_test_id("service-mode-escalate")).to_have_count(0)  # the top rung
    call.refresh_from_db()
    assert call.service_mode == ServiceMode.ONSITE
