"""After-sales in a real browser — 报修 → 维修单 → 回访 → 满意度 (AS-2, AS-4, CRM-3, RPT-4).

A customer calls about a broken camera that is in warranty. The agent raises a 维修单 from the
request, entering the call time 31 hours back (the call was logged late). The technician takes the
order and records arriving an hour ago, 30 hours after the call: the 24-hour arrival clock shows
as breached. A spare unit goes in, the customer signs, the order closes, and the agent resolves and
closes the request. Closing plans a 结案回访, which the 回访员 sees, and creates a satisfaction
invitation; the agent issues its one-time link, the customer answers on a phone-sized screen, and
the supervisor's 满意度统计 counts the answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.aftersales import services as aftersales
from kefu.aftersales.models import RepairOrder
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.tests.factories import PASSWORD
from kefu.surveys.models import Invitation
from kefu.surveys.tests.factories import make_questionnaire
from kefu.tickets.choices import Kind, Subkind
from kefu.tickets.tests.factories import make_ticket
from kefu.visits.models import VisitTask

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_fault_call_repair_breach_visit_and_survey(
    page: Any, browser: Any, live_server: Any, org: dict[str, Any], login: Any
) -> None:
    supervisor = org["supervisor"].user
    product = aftersales.product_create(
        actor=supervisor, code="CAM-01", name="网络摄像机", manufacturer_warranty_months=24
    )
    customer = CustomerFactory(name="华东物流")
    aftersales.installation_create(
        actor=supervisor,
        customer=customer,
        product=product,
        serial_number="SN-20260001",
        order_no="DD-7788",
        acceptance_date=timezone.localdate() - dt.timedelta(days=90),
    )
    make_questionnaire(supervisor)
    ticket = make_ticket(
        org["agent_a1"],
        kind=Kind.AFTER_SALES,
        subkind=Subkind.REPAIR_REPORT,
        customer=customer,
        order_no="DD-7788",
        title="摄像机无图像",
    )
    page.on("dialog", lambda dialog: dialog.accept())

    def as_(username: str) -> None:
        page.context.clear_cookies()
        login(username, PASSWORD)

    def stage(action: str, fill: dict[str, str] | None = None) -> None:
        """Open a stage form on the repair page, fill it and submit."""
        page.get_by_test_id(f"action-{action}").click()
        form = page.get_by_test_id(f"form-{action}")
        for name, value in (fill or {}).items():
            field = form.locator(f'[name="{name}"]')
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        page.get_by_test_id(f"submit-{action}").click()

    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    # The supervisor's statistics before: no answer yet.
    as_("KF002")
    page.goto("/surveys/stats/")
    before = int(page.get_by_test_id("stats-count").inner_text().replace(",", "") or 0)

    # 客服甲一 raises the 维修单 from the request; the call came in 31 hours ago.
    as_("KF011")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("link", name="生成维修单").click()
    expect(page.get_by_test_id("repair-from-ticket")).to_contain_text(ticket.number)
    called = timezone.now() - dt.timedelta(hours=31)
    page.get_by_test_id("repair-fault").fill("摄像机无图像，指示灯不亮")
    page.get_by_test_id("repair-reported-at").fill(local(called))
    page.get_by_test_id("repair-create-submit").click()
    expect(page).to_have_url(re.compile(r"/aftersales/repairs/\d+/$"))
    order = RepairOrder.objects.get(ticket=ticket)
    expect(page.get_by_test_id("repair-number")).to_have_text(order.number)
    expect(page.get_by_test_id("repair-warranty")).to_contain_text("保修期内")

    # 维修一 (售后专员) takes it and arrives an hour ago: 30 h after the call, past the 24 h clock.
    technician = org["technician"]
    as_(technician.employee_no)
    page.goto(f"/aftersales/repairs/{order.pk}/")
    stage("assign", {"technician_id": str(technician.pk)})
    expect(page.get_by_test_id("repair-technician")).to_have_text(technician.name)
    stage("arrive", {"at": local(timezone.now() - dt.timedelta(hours=1))})
    expect(page.get_by_test_id("repair-breached")).to_be_visible()
    expect(page.get_by_test_id("clock-arrival-breached")).to_be_visible()

    # A spare unit goes in; the customer signs; the order closes.
    stage("spare", {"at": local(timezone.now())})
    stage("sign_off", {"signed_by_name": "王经理"})
    expect(page.get_by_test_id("repair-signed-by")).to_contain_text("王经理")
    stage("close")
    expect(page.get_by_test_id("repair-status")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("repair-charge")).to_have_text("¥0.00")  # in warranty

    # The breach is in the month's breach report.
    as_("KF002")
    page.goto("/aftersales/repairs/breaches/")
    expect(page.get_by_text(order.number)).to_be_visible()

    # The agent resolves and closes the request.
    as_("KF011")
    page.goto(f"/tickets/{ticket.pk}/")
    actions = page.get_by_test_id("ticket-actions")
    actions.locator("summary", has_text="解决").click()
    resolve = page.locator('details[data-action="resolve"]')
    resolve.get_by_label("处理结果").fill("已更换备用机，客户签收")
    resolve.get_by_role("button", name="确定解决").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已解决")
    page.get_by_test_id("ticket-actions").get_by_role("button", name="结案").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已关闭")

    # Closing planned a 结案回访, which the 回访员 finds in the planned list.
    visit = VisitTask.objects.get(ticket=ticket)
    as_(org["visitor"].employee_no)
    page.goto("/visits/?view=planned")
    expect(page.get_by_test_id("visit-row").filter(has_text=visit.receipt_no)).to_be_visible()

    # Closing also created a satisfaction invitation; the agent issues its one-time link.
    invitation = Invitation.objects.get(ticket=ticket)
    as_("KF011")
    page.goto(f"/surveys/{invitation.pk}/")
    page.get_by_test_id("issue-link").click()
    expect(page.get_by_test_id("survey-link")).to_contain_text("/surveys/p/")
    link = page.get_by_test_id("survey-link").inner_text().strip()

    # The customer answers on a phone, without logging in.
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        tab = phone.new_page()
        tab.goto(link)
        tab.get_by_test_id("q1-rating-5").check()
        tab.get_by_test_id("q2-rating-4").check()
        tab.locator("#survey-submit").click()
        expect(tab.get_by_test_id("survey-thanks")).to_be_visible()
        # The link works once.
        tab.goto(link)
        expect(tab.get_by_test_id("survey-closed")).to_be_visible()
    finally:
        phone.close()

    # The supervisor's statistics count the answer; the visit is still there to be made.
    as_("KF002")
    page.goto("/surveys/stats/")
    expect(page.get_by_test_id("stats-count")).to_have_text(str(before + 1))
    expect(page.get_by_test_id("target-line")).to_be_attached()
    assert VisitTask.objects.filter(pk=visit.pk, status="planned").exists()
