"""Attendance in a real browser — 考勤 (WFM-5): an agent rostered on a shift that began ten
minutes ago presses 上班打卡 and sees 迟到 on the attendance page; a second press is not a
second clock.

The shift is a policy version made for the test ("测试班", starting ten minutes before now), so
the test does not depend on the time of day it runs at.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.attendance.models import AttendanceDay, ClockEvent
from kefu.attendance.tests.factories import publish
from kefu.core.models import Policy
from kefu.core.policy import clear_policy_cache, default_bodies
from kefu.org.tests.factories import PASSWORD


def _shift_started_ten_minutes_ago() -> dt.date:
    start = timezone.localtime() - dt.timedelta(minutes=10)
    end = start + dt.timedelta(hours=4)
    day = start.date()
    body = default_bodies()["shifts"]
    body["shifts"].append(
        {"code": "browser", "name": "测试班", "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
    )
    current = Policy.objects.filter(domain="shifts").order_by("-version").first()
    Policy.objects.create(
        domain="shifts",
        version=current.version + 1,
        effective_from=max(day, current.effective_from + dt.timedelta(days=1)),
        body=body,
    )
    clear_policy_cache()
    return day


@pytest.mark.browser
def test_agent_clocks_in_late_and_sees_it(page: Any, org: dict[str, Any], login: Any) -> None:
    agent = org["agent_a1"]
    day = _shift_started_ten_minutes_ago()
    publish(agent, {day: "browser"})
    login("KF011", PASSWORD)

    page.goto("/attendance/")
    button = page.get_by_test_id("clock-button")
    expect(button).to_have_text("上班打卡")
    expect(page.get_by_test_id("clock-shift")).to_contain_text("测试班")
    button.click()
    expect(page.get_by_test_id("clock-message")).to_contain_text("上班打卡成功")
    expect(page.get_by_test_id("clock-status")).to_have_text("迟到")
    expect(page.get_by_test_id("clock-button")).to_have_text("下班打卡")

    # A second press straight away is the same clock (double click): nothing new is recorded.
    page.get_by_test_id("clock-button").click()
    expect(page.get_by_test_id("clock-message")).to_contain_text("请勿重复打卡")
    assert ClockEvent.objects.filter(employee=agent).count() == 1

    # The attendance page shows the day as 迟到, with the minutes.
    page.goto("/attendance/")
    cell = page.locator(f'td[data-day="{day:%Y-%m-%d}"]')
    expect(cell.get_by_test_id("day-status")).to_have_text("迟到")
    expect(cell.get_by_test_id("day-minutes")).to_contain_text("迟到")
    row = AttendanceDay.objects.get(employee=agent, day=day)
    assert row.status == "late" and 9 <= row.late_minutes <= 12

    # The day's page explains it.
    cell.get_by_test_id("day-status").click()
    expect(page.get_by_test_id("day-status")).to_have_text("迟到")
    expect(page.get_by_test_id("day-penalties")).to_contain_text(f"迟到 {row.late_minutes} 分钟")
