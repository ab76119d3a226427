"""请假 services (WFM-4, WFM-5): chain by days, roster cells, balances, coverage warning, 销假."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import CalendarDay, Notification
from kefu.leave import selectors, services
from kefu.leave.choices import LeaveStatus
from kefu.org.approval_flow import approval_steps
from kefu.swaps.services import swap_create
from kefu.swaps.tests.factories import future_month, publish_roster
from kefu.workforce.models import CoverageRequirement, RosterEntry
from kefu.workforce.selectors import fixed_days, rostered_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org: dict[str, Any]) -> dt.date:
    first = future_month()
    publish_roster(org["team_a"], first, [org["agent_a1"], org["agent_a2"], org["lead_a"]])
    return first


def day(month: dt.date, n: int) -> dt.date:
    return month.replace(day=n)


def ask(org, month, start=10, end=None, who="agent_a1", **kw):  # type: ignore[no-untyped-def]
    values = {
        "actor": org[who].user,
        "leave_type": "personal",
        "start_day": day(month, start),
        "end_day": day(month, end or start),
        "reason": "家中有事",
    }
    values.update(kw)
    return services.leave_create(**values)


def approve_all(org, leave):  # type: ignore[no-untyped-def]
    for step in approval_steps(leave):
        leave = services.leave_decide(actor=step.approver.user, leave=leave, approve=True)
    return leave


def test_one_day_goes_to_the_department_head_longer_to_the_deputy_gm(org, month) -> None:
    one = ask(org, month, 11)  # a1 works 白班 on the 11th (rests on days ≡ 1 mod 4)
    assert one.days == 1 and one.status == LeaveStatus.PENDING
    assert [s.approver for s in approval_steps(one)] == [
        org["lead_a"],
        org["supervisor"],
        org["manager"],
    ]
    two = ask(org, month, 14, 15)
    assert two.days == 2
    assert [s.approver for s in approval_steps(two)][-1] == org["dgm"]
    # managers are approved by the GM, nobody skipped on the way
    mgr = ask(org, month, 11, who="manager")
    assert [s.approver for s in approval_steps(mgr)] == [org["dgm"], org["gm"]]


def test_approval_puts_leave_cells_in_the_roster_and_fixes_unpublished_days(org, month) -> None:
    a1 = org["agent_a1"]
    leave = ask(org, month, 10, 12)
    assert leave.days == 3
    with pytest.raises(PermissionDeniedError):
        services.leave_decide(actor=org["manager"].user, leave=leave, approve=True)
    leave = approve_all(org, leave)
    assert leave.status == LeaveStatus.APPROVED
    assert [rostered_code(a1.pk, day(month, n)) for n in (10, 11, 12)] == ["leave"] * 3
    assert leave.replaced == {day(month, n).isoformat(): "day" for n in (10, 11, 12)}
    assert (
        RosterEntry.objects.filter(employee=a1, day=day(month, 10), roster__status="published")
        .get()
        .source
        == "leave"
    )
    assert Notification.objects.filter(recipient=a1.user, title__startswith="已批准").exists()
    # the solver's fixed days come from the registered source
    assert fixed_days([a1.pk], month, day(month, 28)) == {
        (a1.pk, day(month, n)): "leave" for n in (10, 11, 12)
    }
    # and the 考勤月报 learns the leave type of each day (WFM-6)
    from kefu.attendance.hooks import leave_types

    assert leave_types([a1.pk], month, day(month, 28)) == {
        (a1.pk, day(month, n)): "事假" for n in (10, 11, 12)
    }


def test_rules_night_holiday_swap_day_overlap(org, month) -> None:
    a1 = org["agent_a1"]
    RosterEntry.objects.filter(employee=a1, day=day(month, 11)).update(code="night")
    with pytest.raises(DomainError) as err:
        ask(org, month, 11)
    assert err.value.code == "leave_night_shift"
    assert err.value.message == f"夜班不允许请假，如有特殊情况请找同事换班：{month.month}月11日晚班"
    CalendarDay.objects.create(date=day(month, 12), kind="holiday", name="节日")
    with pytest.raises(DomainError) as err:
        ask(org, month, 12)
    assert err.value.code == "leave_holiday"
    swap_create(
        actor=a1.user,
        colleague=org["agent_a2"],
        day=day(month, 18),
        payback_day=day(month, 21),
        reason="换班",
    )
    with pytest.raises(DomainError) as err:
        ask(org, month, 18)
    assert (err.value.code, err.value.message) == (
        "leave_swap_day",
        f"换班和还班均不得请假：{month.month}月18日为您的换班或还班日",
    )
    ask(org, month, 14)
    with pytest.raises(DomainError) as err:
        ask(org, month, 14, 15)
    assert err.value.code == "leave_overlap"
    with pytest.raises(DomainError) as err:
        ask(org, month, 14, reason="")
    assert err.value.fields == {"reason": "请填写请假事由"}


def test_annual_and_adjustable_balances(org, month) -> None:
    a1 = org["agent_a1"]  # hired 2024-01-02: five days of 年假 a year from the first full year
    with pytest.raises(DomainError) as err:
        ask(org, month, 2, 8, leave_type="annual")  # 6 working days
    assert err.value.code == "leave_balance"
    assert f"年假余额不足：{month.year}年剩余5天，本次申请6天" in err.value.message
    ask(org, month, 2, 7, leave_type="annual")  # 5 working days: the 5th is a rest day
    b = selectors.balance_for(a1, "annual", month, services.leave_policy(month), 4)
    assert (b.entitled, b.pending, b.remaining) == (5, 5, 0)
    with pytest.raises(DomainError) as err:
        ask(org, month, 14, 19, leave_type="adjust")  # 5 working days > 4 调休
    assert err.value.code == "leave_balance"
    assert "调休余额不足" in err.value.message


def test_leave_uses_one_adjustable_rest_day(org, month) -> None:
    first = approve_all(org, ask(org, month, 11))
    assert first.offsets_rest is True
    second = approve_all(org, ask(org, month, 14))
    assert second.offsets_rest is False
    b = selectors.balance_for(org["agent_a1"], "adjust", month, services.leave_policy(month), 4)
    assert (b.used, b.remaining) == (1, 3)


def test_coverage_warning(org, month) -> None:
    CoverageRequirement.objects.create(
        team=org["team_a"], day=day(month, 11), shift_code="day", min_people=3
    )
    leave = ask(org, month, 11)
    [gap] = selectors.coverage_gaps(leave)
    assert (gap.day, gap.shift_name, gap.required, gap.after) == (day(month, 11), "白班", 3, 1)
    assert selectors.coverage_gaps(ask(org, month, 14)) == []


class _Clock(SimpleNamespace):
    pass


def test_report_back_early_gives_days_back(org, month, monkeypatch) -> None:
    a1 = org["agent_a1"]
    leave = approve_all(org, ask(org, month, 10, 12))
    with pytest.raises(DomainError) as err:  # cannot report a return that has not happened
        services.leave_report_back(actor=a1.user, leave=leave, returned_on=day(month, 11))
    assert err.value.fields == {"returned_on": "返岗日期不能晚于今天，请返岗后再销假"}
    clock = _Clock(localdate=lambda: day(month, 11), now=timezone.now)
    monkeypatch.setattr(services, "timezone", clock)
    with pytest.raises(PermissionDeniedError):
        services.leave_report_back(
            actor=org["agent_a2"].user, leave=leave, returned_on=day(month, 11)
        )
    leave = services.leave_report_back(actor=a1.user, leave=leave, returned_on=day(month, 11))
    assert leave.status == LeaveStatus.RETURNED and leave.returned_days == 2
    assert leave.net_days == 1
    assert [rostered_code(a1.pk, day(month, n)) for n in (10, 11, 12)] == ["leave", "day", "day"]
    assert fixed_days([a1.pk], month, day(month, 28)) == {(a1.pk, day(month, 10)): "leave"}
    assert Notification.objects.filter(
        recipient=org["dgm"].user, title__startswith="已销假"
    ).exists()


def test_withdraw_pending_and_approved_future_leave(org, month) -> None:
    a1 = org["agent_a1"]
    pending = ask(org, month, 11)
    with pytest.raises(PermissionDeniedError):
        services.leave_withdraw(actor=org["agent_a2"].user, leave=pending)
    assert services.leave_withdraw(actor=a1.user, leave=pending).status == LeaveStatus.WITHDRAWN
    approved = approve_all(org, ask(org, month, 14))
    assert rostered_code(a1.pk, day(month, 14)) == "leave"
    services.leave_withdraw(actor=a1.user, leave=approved)
    assert rostered_code(a1.pk, day(month, 14)) == "day"


def test_urgent_hours_leave(org, month) -> None:
    leave = ask(org, month, 11, hours=Decimal(3), urgent=True)
    assert leave.days == Decimal("0.5")
    leave = approve_all(org, leave)
    # half a day leaves the shift in the roster
    assert rostered_code(org["agent_a1"].pk, day(month, 11)) == "day"


def test_checking_one_leave_is_a_handful_of_queries(
    org, month, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        check = services.leave_check(
            applicant=org["agent_a1"],
            leave_type="annual",
            start_day=day(month, 10),
            end_day=day(month, 12),
        )
    assert check.errors == [] and check.days == 3
