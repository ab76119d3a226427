"""Demo swaps and leave: made through the services, idempotent, tolerant of a missing roster."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.leave import demo as leave_demo
from kefu.leave.models import LeaveRequest
from kefu.swaps import demo as swap_demo
from kefu.swaps.models import ShiftSwap

from .factories import future_month, publish_roster

pytestmark = pytest.mark.django_db


def test_demo_without_a_roster_writes_no_swaps(org) -> None:
    swap_demo.seed_demo_swaps(org["sysadmin"].user)
    assert not ShiftSwap.objects.exists()


def test_demo_makes_swaps_and_leave_in_several_states_once(org, monkeypatch) -> None:
    month = future_month()
    people = [org["lead_a"], org["agent_a1"], org["agent_a2"]]
    from kefu.org.tests.factories import EmployeeFactory

    for n in range(3):  # a team big enough for four swaps between different people
        people.append(
            EmployeeFactory(
                name=f"客服甲{n + 3}",
                department=org["cs"],
                team=org["team_a"],
                superior=org["lead_a"],
                position=org["agent_a1"].position,
            )
        )
    publish_roster(org["team_a"], month, people)
    clock = SimpleNamespace(localdate=lambda: month, now=timezone.now)
    monkeypatch.setattr(swap_demo, "timezone", clock)
    monkeypatch.setattr(leave_demo, "timezone", clock)
    admin = org["sysadmin"].user
    leave_demo.seed_demo_leave(admin)
    swap_demo.seed_demo_swaps(admin)
    statuses = set(ShiftSwap.objects.values_list("status", flat=True))
    assert statuses == {"colleague", "pending", "approved", "declined"}
    assert set(LeaveRequest.objects.values_list("status", flat=True)) >= {"pending", "approved"}
    events = AuditEvent.objects.count()
    leave_demo.seed_demo_leave(admin)
    swap_demo.seed_demo_swaps(admin)
    assert AuditEvent.objects.count() == events
    assert (
        month
        <= min(ShiftSwap.objects.values_list("day", flat=True))
        < month + dt.timedelta(days=31)
    )
