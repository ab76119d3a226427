"""在线状态 (WFM-8): setting a status, detection during a rostered shift, strikes → incidents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.duty import services
from kefu.duty.choices import ViolationStatus
from kefu.duty.incidents import duty_incidents
from kefu.duty.models import PresenceEvent, PresenceState, PresenceViolation
from kefu.duty.selectors import presence_board

from .factories import DAY, at, publish

pytestmark = pytest.mark.django_db


def test_own_status_is_logged_and_a_repeat_changes_nothing(org) -> None:
    user = org["agent_a1"].user
    state, changed = services.presence_set(actor=user, status="online", now=at(DAY, 8, 20))
    assert changed and state.status == "online" and state.since == at(DAY, 8, 20)
    state, changed = services.presence_set(actor=user, status="online", now=at(DAY, 9))
    assert not changed and PresenceEvent.objects.count() == 1
    state, changed = services.presence_set(
        actor=user, status="away", reason="午休", now=at(DAY, 12)
    )
    assert changed and state.reason == "午休" and state.since == at(DAY, 12)
    with pytest.raises(DomainError) as err:
        services.presence_set(actor=user, status="busy")
    assert "status" in err.value.fields


def test_setting_someone_else_needs_the_permission_and_the_scope(org) -> None:
    with pytest.raises(PermissionDeniedError):
        services.presence_set(actor=org["agent_a1"].user, status="online", employee="KF012")
    with pytest.raises(PermissionDeniedError):  # 主管 of 客服部 may not touch 行政人事部
        services.presence_set(actor=org["supervisor"].user, status="online", employee="HR001")
    with pytest.raises(DomainError):
        services.presence_set(actor=org["supervisor"].user, status="online", employee="NOPE")
    state, _ = services.presence_set(
        actor=org["supervisor"].user, status="hidden", employee="KF012"
    )
    assert state.employee == org["agent_a2"] and state.source == "supervisor"
    assert PresenceEvent.objects.get().set_by == org["supervisor"]
    assert not PresenceState.objects.filter(employee=org["supervisor"]).exists()


def _strike(org, day: dt.date) -> None:
    """客服甲一 on 白班 that day, offline from 10:00 to 11:00."""
    user = org["agent_a1"].user
    services.presence_set(actor=user, status="online", now=at(day, 8, 25))
    services.presence_set(actor=user, status="offline", reason="网络故障", now=at(day, 10))
    services.presence_set(actor=user, status="online", now=at(day, 11))
    services.duty_scan(now=at(day, 17, 35))


def test_offline_during_the_shift_is_recorded_once_with_the_stated_reason(org) -> None:
    publish(org["team_a"], {(org["agent_a1"], DAY): "day", (org["agent_a2"], DAY): "day"})
    services.presence_set(actor=org["agent_a2"].user, status="online", now=at(DAY, 8, 30))
    services.presence_set(actor=org["agent_a2"].user, status="away", reason="午休", now=at(DAY, 12))
    _strike(org, DAY)
    v = PresenceViolation.objects.get()  # 甲二 was away, which never counts
    assert (v.employee, v.minutes, v.kind, v.stated_reason) == (
        org["agent_a1"],
        60,
        "offline",
        "网络故障",
    )
    services.duty_scan(now=at(DAY, 19))
    assert PresenceViolation.objects.count() == 1


def test_the_third_counted_offline_of_a_month_costs_the_policy_points(org) -> None:
    days = [DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)]
    publish(org["team_a"], {(org["agent_a1"], d): "day" for d in days})

    def offline(start: dt.date, end: dt.date) -> list:
        return [i for i in duty_incidents(start, end) if i.source == "presence"]

    for d in days[:2]:
        _strike(org, d)
    assert offline(DAY, days[-1]) == []
    _strike(org, days[2])
    found = offline(days[0], days[-1])
    assert len(found) == 1
    assert (found[0].rule, found[0].day, found[0].points) == ("offline", days[2], Decimal("-5"))
    # A lead accepts one reason: back under the limit.
    first = PresenceViolation.objects.order_by("day").first()
    with pytest.raises(PermissionDeniedError):
        services.presence_violation_excuse(actor=org["agent_a2"].user, violation=first, reason="x")
    services.presence_violation_excuse(actor=org["lead_a"].user, violation=first, reason="停电")
    first.refresh_from_db()
    assert first.status == ViolationStatus.EXCUSED
    assert offline(days[0], days[-1]) == []


def test_board_shows_who_is_on_duty_with_offline_first(org) -> None:
    publish(org["team_a"], {(org["agent_a1"], DAY): "day", (org["agent_a2"], DAY): "night"})
    services.presence_set(actor=org["agent_a2"].user, status="online", now=at(DAY, 9))
    rows = presence_board(org["lead_a"].user, now=at(DAY, 10))
    assert [(r.employee, r.on_duty, r.alert) for r in rows] == [
        (org["agent_a1"], True, True),
        (org["agent_a2"], False, False),
    ]
    assert presence_board(org["lead_b"].user, now=at(DAY, 10)) == []
    assert presence_board(org["agent_a1"].user, now=at(DAY, 10)) == []


def test_offline_under_approved_part_day_leave_is_recorded_but_not_counted(org) -> None:
    from kefu.leave.models import LeaveRequest

    publish(org["team_a"], {(org["agent_a1"], DAY): "day"})
    LeaveRequest.objects.create(
        applicant=org["agent_a1"],
        team=org["team_a"],
        leave_type="personal",
        type_name="事假",
        start_day=DAY,
        end_day=DAY,
        hours=2,
        days=Decimal("0.3"),
        reason="看病",
        status="approved",
    )
    _strike(org, DAY)
    v = PresenceViolation.objects.get()
    assert v.status == ViolationStatus.EXCUSED and "QJ" in v.excuse_reason


def test_top_bar_widget_tag(org, rf) -> None:
    from django.template import Context, Template

    request = rf.get("/dashboard/")
    request.user = org["agent_a1"].user
    html = Template("{% load duty %}{% presence_widget %}").render(Context({"request": request}))
    assert 'data-testid="presence-widget"' in html and 'data-status="offline"' in html
    request.user = org["warehouse"].user
    assert "presence-widget" not in Template("{% load duty %}{% presence_widget %}").render(
        Context({"request": request})
    )
