"""投诉赔偿 in a real browser (CMP-9): the 客服主管 imports the month's responsibility findings —
质检组's 3,000 yuan loss split by 基点数 1/2/3 — then opens 质检3's compensation from the list and
sees the allocation and the 400-a-month instalment schedule (月绩效奖金 800, 50 % cap)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.compensation.models import Compensation
from kefu.compensation.tests.factories import add_qc, complaint, finding, this_month
from kefu.org.tests.factories import PASSWORD


@pytest.mark.browser
def test_supervisor_imports_and_reads_a_schedule(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    add_qc(org, parent="cs")  # inside the 客服主管's department scope
    finding(complaint(org), department=org["qc"], loss_share="3000")

    login("KF002", PASSWORD)
    page.goto("/compensation/")
    expect(page.get_by_test_id("compensation-empty")).to_be_visible()
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_label("认定月份").last.fill(f"{this_month():%Y-%m}")
    page.get_by_test_id("compensation-import-submit").click()
    expect(page).to_have_url(re.compile(r"month=\d{4}-\d{2}"))
    expect(page.get_by_test_id("compensation-row")).to_have_count(3)
    assert len(dialogs) == 1 and dialogs[0].startswith("确定要导入")

    page.get_by_test_id("compensation-filters").get_by_label("责任人").fill("QC3")
    page.get_by_test_id("compensation-filters").get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("compensation-row")).to_have_count(1)
    expect(page).to_have_url(re.compile("employee=QC3"))
    page.get_by_test_id("compensation-row").get_by_role("link", name="质检3").click()

    expect(page.get_by_test_id("compensation-amount")).to_have_text("¥1,500.00")
    expect(page.get_by_test_id("compensation-formula")).to_contain_text("¥3,000.00 ÷ 6 × 3")
    rows = page.get_by_test_id("schedule-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("¥400.00")
    expect(rows.nth(3)).to_contain_text("¥300.00")
    assert Compensation.objects.filter(employee=org["qc3"]).count() == 1
