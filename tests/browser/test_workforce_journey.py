"""The workforce journey of issue #5 in one real-browser test — 排班 → 换班 → 考勤 (WFM-2, WFM-3,
WFM-5): the team lead generates next month's roster (自动排班) and publishes it; two days before a
shift an agent asks a colleague to exchange it for the colleague's shift (还班 by a deadline); the
colleague agrees; the day before, 组长 → 主管 → 经理 approve in turn and the re-issued grid shows
the exchange; the next day the agent clocks in ten minutes late for the shift she took over and
the attendance page shows 迟到 — judged against the new shift, not the one she gave away.

"The next day" needs a controllable clock. Every module of the workforce apps reads the time
through ``django.utils.timezone.now`` (``localdate``/``localtime`` call it too), and the live
server runs in a thread of the test process, so the ``travel`` fixture replaces that one function
with the real time plus an offset the test sets. Nothing in the product knows about it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.attendance.models import AttendanceDay
from kefu.org.tests.factories import PASSWORD, EmployeeFactory
from kefu.swaps.models import ShiftSwap
from kefu.swaps.services import swap_check
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster
from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.shifts import shift_names, shift_window
from kefu.workforce.tests.factories import PEOPLE, next_month, ready_team


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dt.datetime], None]]:
    """travel(moment): from now on the server's clock reads ``moment`` (and keeps ticking)."""
    real_now = timezone.now
    offset = [dt.timedelta(0)]
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset[0])

    def _travel(moment: dt.datetime) -> None:
        offset[0] = moment - real_now()

    yield _travel


def _pick_swap(agents: list[Any], month: dt.date) -> tuple[Any, Any, dt.date]:
    """An agent, a colleague and a day on which the agent gives her shift for the colleague's
    different shift, that every swap rule accepts (the payback left to a deadline: 还班期限).

    Any pair of the team's agents: with 白班/晚班 in long runs a given pair may have no day on
    which neither would work a 晚班 straight into a 白班 (换班者不允许连班), and which runs the
    solver returns is not fixed."""
    days = selectors.month_days(month)
    sched = selectors.published_schedule([a.pk for a in agents], days[0], days[-1])
    for day in days[3:-1]:
        for applicant in agents:
            for colleague in agents:
                mine, theirs = sched[(applicant.pk, day)], sched[(colleague.pk, day)]
                if applicant == colleague or not OFF_CODES.isdisjoint({mine, theirs}):
                    continue
                if mine == theirs:
                    continue
                check = swap_check(
                    applicant=applicant, colleague=colleague, day=day, payback_due=_due(day)
                )
                if not check.errors:
                    return applicant, colleague, day
    pytest.fail(f"no swap the rules accept in the solved roster: {sorted(sched.items())}")


def _due(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=20)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.mark.browser
def test_roster_swap_approval_grid_then_late_clock_next_day(
    page: Any, org: dict[str, Any], login: Any, travel: Callable[[dt.datetime], None]
) -> None:
    month = next_month()
    # A third agent in 售前组: more pairs to find a swap day in whatever roster the solver returns.
    org["agent_a3"] = EmployeeFactory(
        employee_no="KF013",
        name="客服甲三",
        department=org["agent_a1"].department,
        team=org["team_a"],
        superior=org["lead_a"],
        position=org["agent_a1"].position,
    )
    team = ready_team(org, month, people=(*PEOPLE, "agent_a3"))
    agents = [org["agent_a1"], org["agent_a2"], org["agent_a3"]]
    page.on("dialog", lambda dialog: dialog.accept())
    # The live server's first request imports and compiles everything (seconds on a busy machine).
    page.goto("/login/", timeout=60_000)

    def as_(username: str) -> None:
        page.context.clear_cookies()
        login(username, PASSWORD)

    # 1. 组长甲 generates next month's roster (background job) and publishes the draft.
    as_(org["lead_a"].employee_no)
    page.goto(f"/workforce/rosters/grid/?team={team.pk}&month={month:%Y-%m}")
    page.get_by_test_id("roster-solve").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("已完成", timeout=60_000)
    page.get_by_test_id("solve-open-draft").click()
    expect(page.get_by_test_id("roster-status")).to_have_text("草稿")
    page.get_by_test_id("roster-publish").click()
    expect(page.get_by_test_id("roster-status")).to_have_text("已发布")
    published = Roster.objects.get(team=team, month=month, status=RosterStatus.PUBLISHED)
    assert published.version == 1

    # 2. Two days before the swap day an agent (a1) asks a colleague (a2) to exchange shifts
    # with her; the payback (还班) is left to a deadline.
    a1, a2, day = _pick_swap(agents, month)
    before = selectors.published_schedule([a1.pk, a2.pk], day, day)
    mine, theirs = before[(a1.pk, day)], before[(a2.pk, day)]
    travel(_at(day - dt.timedelta(days=2), 8))
    as_(a1.employee_no)
    page.goto("/swaps/")
    page.get_by_test_id("swap-new").click()
    form = page.get_by_test_id("swap-form")
    form.get_by_label("换班日期（我的班次）").select_option(day.isoformat())
    form.get_by_label("换班同事").select_option(str(a2.pk))
    form.get_by_label("还班期限").fill(_due(day).isoformat())
    form.get_by_label("还班期限").dispatch_event("change")
    expect(page.get_by_test_id("swap-preview-ok")).to_be_visible()
    form.get_by_label("换班原因").fill("家中有事")
    page.get_by_test_id("swap-submit").click()
    expect(page).to_have_url(re.compile(r"/swaps/\d+/$"))
    expect(page.get_by_test_id("swap-status")).to_have_text("待同事确认")
    swap = ShiftSwap.objects.get()

    # 3. The colleague agrees.
    as_(a2.employee_no)
    page.goto("/swaps/?tab=confirm")
    page.locator(f'tr[data-swap="{swap.pk}"] a').first.click()
    page.get_by_test_id("swap-accept").click()
    expect(page.get_by_test_id("swap-status")).to_have_text("待审批")

    # 4. The day before the swap the approval chain decides: 组长 → 客服主管 → 客服部经理, each
    # from 待我审批, nobody skipped.
    travel(_at(day - dt.timedelta(days=1), 9))
    for who in ("lead_a", "supervisor", "manager"):
        as_(org[who].employee_no)
        page.goto("/org/approvals/")
        page.get_by_role("link", name="去审批").first.click()
        expect(page).to_have_url(re.compile(rf"/swaps/{swap.pk}/$"))
        decide = page.get_by_test_id("swap-decide-form")
        decide.get_by_label("审批结果").select_option("approve")
        decide.get_by_label("审批意见").fill("同意")
        page.get_by_test_id("swap-decide-submit").click()
        expect(page.get_by_test_id("swap-steps")).to_contain_text(org[who].name)
    expect(page.get_by_test_id("swap-status")).to_have_text("已批准")

    # 5. The re-issued grid shows the exchange.
    reissued = Roster.objects.get(team=team, month=month, status=RosterStatus.PUBLISHED)
    assert reissued.version == 2
    page.goto(f"/workforce/rosters/{reissued.pk}/")
    grid = page.get_by_test_id("roster-grid")
    expect(grid.locator(f'tr[data-e="{a1.pk}"] td[data-d="{day}"]')).to_have_attribute(
        "data-code", theirs
    )
    expect(grid.locator(f'tr[data-e="{a2.pk}"] td[data-d="{day}"]')).to_have_attribute(
        "data-code", mine
    )

    # 6. The next day — the swap day — the clock stands ten minutes after the start of the shift
    # the agent took over; she clocks in (a new login: the jump ended the old session) and sees 迟到.
    window = shift_window(theirs, day)
    assert window is not None
    travel(window[0] + dt.timedelta(minutes=10, seconds=5))
    as_(a1.employee_no)
    page.goto("/attendance/")
    expect(page.get_by_test_id("clock-shift")).to_contain_text(shift_names(day)[theirs])
    button = page.get_by_test_id("clock-button")
    expect(button).to_have_text("上班打卡")
    button.click()
    expect(page.get_by_test_id("clock-message")).to_contain_text("上班打卡成功")
    expect(page.get_by_test_id("clock-status")).to_have_text("迟到")

    page.goto("/attendance/")
    td = page.locator(f'td[data-day="{day:%Y-%m-%d}"]')
    expect(td.get_by_test_id("day-status")).to_have_text("迟到")
    expect(td.get_by_test_id("day-minutes")).to_contain_text("迟到")
    row = AttendanceDay.objects.get(employee=a1, day=day)
    # Judged against the shift she took over, not the one she gave away.
    assert (row.status, row.code, row.late_minutes) == ("late", theirs, 10)
