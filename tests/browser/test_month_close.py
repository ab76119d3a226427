"""The month close in a real browser — 月结 (CMP-7, PERF-8): a team lead records two incidents of
last month, the agent appeals one, the manager revokes it, the manager reviews the month, the GM
approves it, and the 工资核算表 downloaded from the page opens in openpyxl with the right figures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from kefu.org.tests.factories import PASSWORD
from kefu.performance.choices import MonthCloseStatus
from kefu.performance.models import Incident, MonthClose, PayrollLine
from kefu.performance.payroll import COLUMNS
from kefu.performance.periods import month_start, previous_month


def _switch(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(username, PASSWORD)


def _record(page: Any, rule: str, day: str) -> str:
    page.goto("/performance/incidents/new/")
    form = page.get_by_test_id("incident-form")
    form.get_by_label("员工").select_option(label="客服甲一（KF011）")
    form.get_by_label("奖惩条目").select_option(rule)
    form.get_by_label("发生日期").fill(day)
    form.get_by_test_id("incident-submit").click()
    expect(page.get_by_test_id("incident-status")).to_be_visible()
    return page.url


@pytest.mark.browser
def test_month_close_journey(page: Any, org: dict[str, Any], login: Any) -> None:
    month = previous_month(month_start(timezone.localdate()))
    key = f"{month:%Y-%m}"
    page.on("dialog", lambda dialog: dialog.accept())

    # 组长 records two incidents of last month.
    login("KF010", PASSWORD)
    _record(page, "posture", month.replace(day=5).isoformat())
    fine_url = _record(page, "contact_leaked", month.replace(day=6).isoformat())
    expect(page.get_by_test_id("incident-money")).to_have_text("¥-10.00")
    assert Incident.objects.filter(employee=org["agent_a1"], month=month).count() == 2

    # 客服代表 appeals the fine.
    _switch(page, login, "KF011")
    page.goto(fine_url)
    page.get_by_test_id("appeal-form").get_by_label("申诉理由").fill("当天我不在岗，不是我透露的")
    page.get_by_test_id("appeal-submit").click()
    expect(page.get_by_test_id("appeal-row")).to_contain_text("当天我不在岗")

    # 客服部经理 revokes it, then reviews the month.
    _switch(page, login, "KF001")
    page.goto(fine_url)
    page.get_by_test_id("decide-form").get_by_label("处理意见").fill("核实非本人所为，撤销")
    page.get_by_test_id("decide-revoked").click()
    expect(page.get_by_test_id("incident-status")).to_have_attribute("data-status", "revoked")
    page.goto(f"/performance/close/{key}/")
    expect(page.get_by_test_id("close-status")).to_contain_text("未结账")
    page.get_by_test_id("close-review-form").get_by_label("审核意见").fill("已核对")
    page.get_by_test_id("close-review").click()
    expect(page.get_by_test_id("close-status")).to_contain_text("经理已审核")
    expect(page.get_by_test_id("close-approve")).to_have_count(0)

    # 总经理 approves: the close job runs and the month is closed.
    _switch(page, login, "G001")
    page.goto(f"/performance/close/{key}/")
    page.get_by_test_id("close-approve").click()
    expect(page.get_by_test_id("close-status")).to_contain_text("已结账")
    assert MonthClose.objects.get(month=month).status == MonthCloseStatus.CLOSED

    with page.expect_download() as info:
        page.get_by_test_id("payroll-export").click()
    download = info.value
    assert download.suggested_filename == f"工资核算表_{month:%Y%m}.xlsx"
    ws = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    headers = [c.value for c in ws[2]]
    assert headers == ["工号", "姓名", "部门", "班组", *[c.label for c in COLUMNS], "合计"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    a1 = rows["KF011"]
    fines = 4 + [c.key for c in COLUMNS].index("fines")
    assert a1[1] == "客服甲一"
    assert not a1[fines]  # the revoked fine and its reversal cancel out
    in_net = [4 + i for i, c in enumerate(COLUMNS) if c.in_net]
    assert a1[-1] == pytest.approx(sum(a1[i] or 0 for i in in_net))
    line = PayrollLine.objects.get(month=month, employee=org["agent_a1"])
    assert a1[-1] == pytest.approx(float(line.net))
