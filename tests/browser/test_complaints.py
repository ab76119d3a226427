"""Complaints in a real browser — 投诉: an agent records a phone complaint, the supervisor accepts
it, 行政人事部 routes it to 生产管理部, a worker there writes the 投诉调查报告 with two responsibility
rows (70 % + 30 %), the department head, 行政人事部 and the 总经理 approve, the department forms its
handling opinion, the supervisor approves it, the agent replies by phone and the complaint closes;
it then counts in that month's 投诉统计."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.complaints.choices import ProcedureStatus
from kefu.complaints.models import Complaint, ResponsibilityFinding
from kefu.complaints.tests.factories import add_production
from kefu.org.tests.factories import PASSWORD


@pytest.mark.browser
def test_phone_complaint_from_recording_to_statistics(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    add_production(org)
    dialogs: list[str] = []

    def confirm(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)

    def as_(username: str) -> None:
        page.context.clear_cookies()
        login(username, PASSWORD)

    def step(action: str, button: str) -> Any:
        """Open the step's form on the detail page; returns its <details> box."""
        page.goto(f"/complaints/{complaint.pk}/")
        box = page.get_by_test_id("complaint-actions").locator(f'details[data-action="{action}"]')
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        expect(box.get_by_role("button", name=button)).to_be_visible()
        return box

    def expect_status(label: str) -> None:
        expect(page.get_by_test_id("complaint-status")).to_have_text(label)

    # 客服甲一 takes the call and records the 客户投诉记录卡.
    as_("KF011")
    page.locator("aside.sidebar").get_by_role("link", name="投诉列表").click()
    expect(page.get_by_test_id("complaint-empty")).to_contain_text("暂无投诉")
    page.get_by_role("link", name="登记投诉").click()
    form = page.get_by_test_id("complaint-form")
    form.get_by_label("客户（来电号码或客户编号）").fill("139 1234 5678")
    form.get_by_label("投诉客户类型").select_option(label="终端消费者")
    form.get_by_label("投诉客户名称").fill("王先生")
    form.get_by_label("投诉范围").select_option(label="因包装不良造成损坏")
    form.get_by_label("换货").check()
    form.get_by_label("涉及金额（元）").fill("300")
    form.get_by_label("投诉概要").fill("收到的地暖分水器外箱压扁")
    form.get_by_label("投诉内容").fill("外箱压扁，内件断裂两只")
    form.get_by_role("button", name="登记").click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    complaint = Complaint.objects.get()
    expect_status("待受理")
    expect(page.get_by_test_id("complaint-clock")).to_contain_text("剩余 6天")
    expect(page.get_by_test_id("waiting-for")).to_have_text("客服主管或客服部经理")
    expect(page.get_by_test_id("contact-phone")).to_have_text("139****5678")
    expect(page.get_by_test_id("no-actions")).to_be_visible()  # the agent does not decide

    # 陈主管 accepts it (asked first).
    as_("KF002")
    step("accept", "确定受理").get_by_role("button", name="确定受理").click()
    expect_status("待分派")
    assert dialogs[-1].startswith("确定要受理该投诉吗？")
    complaint.refresh_from_db()
    expect(page.get_by_test_id("complaint-number")).to_have_text(complaint.number)

    # 行政人事部 names the investigating department (the route the grounds suggest is preselected).
    as_("HR001")
    box = step("route", "确定分派")
    expect(box.get_by_label("送行政人事部确定受理部门调查")).to_be_checked()
    box.get_by_label("受理部门（负责调查）").select_option(label="生产管理部（PROD）")
    box.get_by_role("button", name="确定分派").click()
    expect_status("调查中")
    expect(page.get_by_test_id("investigating-department")).to_have_text("生产管理部")

    # A worker of 生产管理部 writes the report; the shares must add up to 100 %.
    as_("SC011")
    box = step("submit_investigation", "确定提交调查报告")
    for name in ("scope_true", "reasons_sound", "demand_legitimate"):
        box.locator(f'[data-field="{name}"]').get_by_label("是").check()
    box.get_by_label("投诉目的").fill("要求换货")
    box.get_by_label("发生原因").fill("包装未加护角")
    box.get_by_label("具体经过").fill("装车时重压，外箱变形")
    box.get_by_label("损失金额（元）").fill("300")
    box.get_by_label("结论").fill("投诉属实")
    box.get_by_label("对策").fill("为客户换货")
    box.get_by_label("防范措施").fill("易碎品加护角")
    shares = box.get_by_test_id("shares")
    first = shares.locator("tr.share-row").nth(0)
    first.get_by_label("责任部门").select_option(label="生产管理部")
    first.get_by_label("责任班组").select_option(label="生产管理部 · 一组")
    first.get_by_label("责任人（工号）").fill("SC011")
    first.get_by_label("责任比例（%）").fill("70")
    shares.get_by_role("button", name="添加一行").click()
    second = shares.locator("tr.share-row").nth(1)
    second.get_by_label("责任部门").select_option(label="总部")
    second.get_by_label("责任比例（%）").fill("30")
    expect(shares.get_by_test_id("share-total")).to_have_text("100")
    box.get_by_role("button", name="确定提交调查报告").click()
    expect_status("待部门负责人审核")

    # The approval chain: department head → 行政人事部 → 总经理.
    for username, after in (
        ("SC001", "待行政人事部审核"),
        ("HR001", "待总经理批阅"),
        ("G001", "待形成处理意见"),
    ):
        as_(username)
        box = step("approve", "确定审核同意")
        box.get_by_label("审核意见").fill("同意")
        box.get_by_role("button", name="确定审核同意").click()
        expect_status(after)

    as_("SC011")
    box = step("record_handling_opinion", "确定形成处理意见")
    box.get_by_label("受理部门处理意见").fill("三日内为客户换货，运费由公司承担")
    box.get_by_role("button", name="确定形成处理意见").click()
    expect_status("待主管审核")

    as_("KF002")
    step("approve", "确定审核同意处理意见").get_by_role(
        "button", name="确定审核同意处理意见"
    ).click()
    expect_status("待答复客户")

    # The agent replies by phone; the complaint closes on time, with its findings.
    as_("KF011")
    box = step("reply", "确定答复客户")
    box.get_by_label("电话答复").check()
    box.get_by_label("答复内容").fill("已电话告知客户三日内换货")
    box.get_by_role("button", name="确定答复客户").click()
    expect_status("已结案")
    assert dialogs[-1].startswith("确定已答复客户并结案吗？")
    expect(page.get_by_test_id("complaint-clock")).to_have_text("按期结案")
    expect(page.get_by_test_id("findings")).to_contain_text("生产工人")
    timeline = page.get_by_test_id("complaint-timeline")
    for label in ("登记客户投诉记录卡", "受理", "分派", "提交投诉调查报告", "答复客户、结案"):
        expect(timeline).to_contain_text(label)
    complaint.refresh_from_db()
    assert complaint.status == ProcedureStatus.CLOSED
    assert ResponsibilityFinding.objects.filter(complaint=complaint).count() == 2

    # 行政人事部's statistics of this month count it: received, accepted, closed within 7 days.
    as_("HR001")
    page.locator("aside.sidebar").get_by_role("link", name="投诉统计").click()
    page.get_by_label("统计月份（按收到投诉的月份）").fill(timezone.localdate().strftime("%Y-%m"))
    page.get_by_test_id("stats-filter").get_by_role("button", name="查询").click()
    summary = page.get_by_test_id("stats-summary")
    expect(summary.locator('[data-stat="total"]')).to_have_text("1")
    expect(summary.locator('[data-stat="on-time-rate"]')).to_have_text("100.0%")
    expect(page.get_by_test_id("by-ground")).to_contain_text("因包装不良造成损坏")
    expect(page.get_by_test_id("by-person")).to_contain_text("生产工人")
