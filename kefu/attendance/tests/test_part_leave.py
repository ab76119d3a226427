"""Half-day leave read by the attendance classification (WFM-4, WFM-5): approved leave of half a
day or less keeps the shift; the half it covers is excused (through the leave module's hook)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.attendance import services
from kefu.attendance.choices import DayStatus
from kefu.attendance.models import AttendanceDay, ClockEvent
from kefu.leave.choices import LeaveStatus
from kefu.leave.models import LeaveRequest

from .conftest import NOW
from .factories import local

pytestmark = pytest.mark.django_db
D16 = dt.date(2026, 3, 16)


def _half_day(employee: Any, part: str, status: str = LeaveStatus.APPROVED) -> LeaveRequest:
    return LeaveRequest.objects.create(
        applicant=employee,
        team_id=employee.team_id,
        leave_type="personal",
        type_name="事假",
        start_day=D16,
        end_day=D16,
        hours=Decimal(3),
        days=Decimal("0.5"),
        part=part,
        reason="看病",
        urgent=True,
        status=status,
    )


def _day(employee: Any, clock_in: dt.datetime, clock_out: dt.datetime) -> AttendanceDay:
    ClockEvent.objects.create(employee=employee, at=clock_in, direction="in", source="web")
    ClockEvent.objects.create(employee=employee, at=clock_out, direction="out", source="web")
    services.classify_range(start=D16, end=D16, employee_ids=[employee.pk], now=NOW)
    return AttendanceDay.objects.get(employee=employee, day=D16)


def test_morning_half_day_leave_arriving_at_the_half_day_point_is_on_time(org, roster) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    _half_day(a1, "start")
    row = _day(a1, local(D16, 13, 0), local(D16, 17, 31))  # 白班 08:30–17:30: half at 13:00
    assert row.status == DayStatus.NORMAL and row.late_minutes == 0 and row.penalties == []
    # the same clocks without leave: 旷工
    assert _day(a2, local(D16, 13, 0), local(D16, 17, 31)).status == DayStatus.ABSENT


def test_afternoon_half_day_leave_leaving_at_the_half_day_point_is_not_early(org, roster) -> None:
    a1 = org["agent_a1"]
    _half_day(a1, "end")
    row = _day(a1, local(D16, 8, 25), local(D16, 13, 0))
    assert row.status == DayStatus.NORMAL and row.early_minutes == 0


def test_pending_or_rejected_half_day_leave_excuses_nothing(org, roster) -> None:
    a1 = org["agent_a1"]
    _half_day(a1, "start", status=LeaveStatus.PENDING)
    _half_day(a1, "start", status=LeaveStatus.REJECTED)
    assert _day(a1, local(D16, 13, 0), local(D16, 17, 31)).status == DayStatus.ABSENT
