"""A meeting in a real browser — 例会 (WFM-9): the team lead opens yesterday's team meeting from the
schedule, takes attendance (客服甲一 absent without leave, 客服甲二 late) and writes the minutes; the
agent then sees the minutes and her attendance; the absence is an incident for the performance
module."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.meetings import services
from kefu.meetings.models import MeetingAttendance
from kefu.org.tests.factories import PASSWORD
from kefu.workforce.incidents import workforce_incidents


@pytest.mark.browser
def test_lead_takes_attendance_and_writes_minutes(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.meeting_create(
        actor=org["lead_a"].user,
        name="售前组周会",
        kind="weekly",
        department=org["cs"],
        team=org["team_a"],
        host=org["lead_a"],
        recurrence="once",
        starts_on=yesterday,
        start_time=dt.time(17, 0),
        end_time=dt.time(17, 30),
        reports_required=True,
    )

    login("KF010", PASSWORD)
    page.goto("/meetings/?view=past")
    page.get_by_test_id("occurrence-row").filter(has_text="售前组周会").get_by_role(
        "link", name="查看"
    ).click()
    expect(page.get_by_test_id("occurrence-title")).to_have_text("售前组周会")
    form = page.get_by_test_id("attendance-form")
    form.get_by_label("出勤 客服甲一").select_option("absent")
    form.get_by_label("出勤 客服甲二").select_option("late")
    form.get_by_label("迟到分钟 客服甲二").fill("6")
    form.get_by_test_id("attendance-submit").click()
    expect(page.get_by_test_id("occurrence-status")).to_have_attribute("data-status", "held")
    expect(page.get_by_label("出勤 客服甲一")).to_have_value("absent")

    page.get_by_label("会议纪要").fill(
        "一、上周工作总结：回访完成率100%。\n二、本周重点：新品上线培训。"
    )
    page.get_by_test_id("minutes-submit").click()
    expect(page.get_by_label("会议纪要")).to_have_value(re.compile("新品上线培训"))

    statuses = dict(MeetingAttendance.objects.values_list("employee__employee_no", "status"))
    assert statuses == {"KF010": "present", "KF011": "absent", "KF012": "late"}
    absences = [i for i in workforce_incidents(yesterday, yesterday) if i.rule == "meeting_absence"]
    assert [i.employee_id for i in absences] == [org["agent_a1"].pk]

    page.context.clear_cookies()
    login("KF011", PASSWORD)
    page.goto("/meetings/?view=past")
    page.get_by_test_id("occurrence-row").filter(has_text="售前组周会").get_by_role(
        "link", name="查看"
    ).click()
    expect(page.get_by_test_id("minutes-view")).to_contain_text("新品上线培训")
    expect(page.get_by_test_id("my-attendance")).to_have_attribute("data-status", "absent")
