"""The handover book in a real browser — 交接班 (WFM-7): the outgoing day-shift agent writes the
handover with her open service request (pre-filled) and pending work; the agent rostered on the
night shift opens the book, reads it and confirms (接班确认) with a remark; the book shows it 已接班."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.duty.models import Handover
from kefu.duty.tests.factories import publish
from kefu.org.tests.factories import PASSWORD
from kefu.tickets.tests.factories import make_ticket


@pytest.mark.browser
def test_outgoing_writes_and_incoming_acknowledges(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Published roster: 客服甲一 白班, 客服甲二 晚班 yesterday.
    publish(
        org["team_a"], {(org["agent_a1"], yesterday): "day", (org["agent_a2"], yesterday): "night"}
    )
    ticket = make_ticket(org["agent_a1"], title="客户催问发票")

    login("KF011", PASSWORD)
    page.goto("/duty/handovers/")
    page.get_by_test_id("handover-new").click()
    form = page.get_by_test_id("handover-form")
    expect(form).to_contain_text(ticket.number)
    expect(form.get_by_label(re.compile(ticket.number))).to_be_checked()  # my open requests
    form.get_by_label("日期").fill(yesterday.isoformat())
    form.get_by_label("班次").select_option("day")
    form.get_by_label("待处理事宜").fill("发票明早寄出，请晚班回复客户")
    form.get_by_label("人员调班情况").fill("无")
    form.get_by_test_id("handover-submit").click()

    expect(page).to_have_url(re.compile(r"/duty/handovers/\d+/$"))
    handover = Handover.objects.get()
    expect(page.get_by_test_id("handover-status")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("handover-tickets")).to_contain_text(ticket.number)
    expect(page.get_by_test_id("handover-acks")).to_contain_text("客服甲二")
    expect(page.get_by_test_id("handover-ack-form")).to_have_count(0)  # not my own

    page.context.clear_cookies()
    login("KF012", PASSWORD)
    page.goto("/duty/handovers/?view=pending")
    row = page.get_by_test_id("handover-row").filter(has_text="客服甲一")
    row.get_by_role("link", name=handover.number).click()
    expect(page.get_by_test_id("handover-pending")).to_contain_text("发票明早寄出")
    page.get_by_label("接班备注").fill("已阅，发票问题已接手")
    page.get_by_test_id("handover-ack-submit").click()
    expect(page.get_by_test_id("handover-status")).to_have_attribute("data-status", "acknowledged")
    expect(page.get_by_test_id("handover-acks")).to_contain_text("已阅，发票问题已接手")
    expect(page.get_by_test_id("handover-timeline")).to_contain_text("接班确认")

    page.goto("/duty/handovers/")
    expect(page.get_by_test_id("handover-row").first.locator("[data-status]")).to_have_attribute(
        "data-status", "acknowledged"
    )
