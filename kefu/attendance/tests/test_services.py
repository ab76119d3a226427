"""Services: the clock button, classification against the roster, policy versions, incidents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.attendance import selectors, services
from kefu.attendance.choices import ClockSource, DayStatus, Direction
from kefu.attendance.models import AttendanceDay, ClockEvent
from kefu.core.errors import PermissionDeniedError
from kefu.core.models import AuditEvent, Policy
from kefu.core.policy import clear_policy_cache, default_bodies
from kefu.workforce.incidents import workforce_incidents

from .conftest import NOW, TODAY
from .factories import local, publish

pytestmark = pytest.mark.django_db
D16 = dt.date(2026, 3, 16)


def punch(employee: Any, at: dt.datetime) -> services.PunchResult:
    return services.clock_punch(actor=employee.user, now=at)


def day_row(employee: Any, day: dt.date) -> AttendanceDay:
    return AttendanceDay.objects.get(employee=employee, day=day)


# --- the clock button ---------------------------------------------------------------------------
def test_first_press_is_clock_in_then_clock_out(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    first = punch(a1, local(TODAY, 8, 20))
    assert first.event.direction == Direction.IN and first.event.source == ClockSource.WEB
    assert first.frame.day == TODAY and first.frame.shift_name == "白班"
    second = punch(a1, local(TODAY, 9, 55))
    assert second.event.direction == Direction.OUT and not second.repeated
    row = day_row(a1, TODAY)
    assert row.clock_in == local(TODAY, 8, 20) and row.status == DayStatus.NORMAL
    assert not row.final  # the shift runs until 17:30
    assert AuditEvent.objects.filter(action="attendance.clock").count() == 2


def test_double_click_records_one_clock(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    first = punch(a1, local(TODAY, 8, 20, 0))
    again = punch(a1, local(TODAY, 8, 20, 30))  # within repeat_clock_seconds = 60
    assert again.repeated and again.event.pk == first.event.pk
    same_second = punch(a1, local(TODAY, 8, 20, 0))
    assert same_second.repeated
    assert ClockEvent.objects.filter(employee=a1).count() == 1


def test_time_is_the_servers_and_the_day_is_classified_at_once(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    result = services.clock_punch(actor=a1.user)  # no time given: the server's NOW
    assert result.event.at == NOW
    row = day_row(a1, TODAY)
    # 10:00 against 08:30 is 90 minutes late, more than 30: 旷工, the minutes kept
    assert row.status == DayStatus.ABSENT and row.late_minutes == 90


def test_late_clock_in_is_late_and_an_incident(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    punch(a1, local(TODAY, 8, 47))
    row = day_row(a1, TODAY)
    assert (row.status, row.late_minutes) == (DayStatus.LATE, 17)
    assert row.points == Decimal("-0.5") and row.incident_count == 1
    (incident,) = selectors.attendance_incidents(TODAY, TODAY)
    assert incident.rule == "late" and incident.points == Decimal("-0.5")
    assert incident.description == "迟到 17 分钟" and incident.quantity == 17
    assert incident.ref == f"attendance.attendanceday:{row.pk}:late"
    # the workforce registry hands it to the performance module
    assert incident in workforce_incidents(TODAY, TODAY, [a1.pk])


def test_people_without_a_clock_role_or_record_are_refused(org, roster, frozen) -> None:
    with pytest.raises(PermissionDeniedError):
        services.clock_punch(actor=org["warehouse"].user)
    with pytest.raises(PermissionDeniedError):
        services.clock_punch(actor=org["sysadmin"].user)
    assert not ClockEvent.objects.exists()


def test_clock_on_a_rest_day_or_unrostered_day(org, roster, frozen) -> None:
    a1, b1 = org["agent_a1"], org["agent_b1"]
    punch(a1, local(dt.date(2026, 3, 15), 10))
    assert day_row(a1, dt.date(2026, 3, 15)).status == DayStatus.REST
    punch(b1, local(TODAY, 9))  # team B has no roster
    row = day_row(b1, TODAY)
    assert row.status == DayStatus.UNSCHEDULED and row.incident_count == 0


# --- classification -----------------------------------------------------------------------------
def test_classification_is_idempotent_and_records_the_policy_versions(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    punch(a1, local(D16, 8, 25))
    punch(a1, local(D16, 17, 35))
    first = services.classify_range(start=dt.date(2026, 3, 1), end=TODAY)
    assert first.days > 0
    again = services.classify_range(start=dt.date(2026, 3, 1), end=TODAY)
    assert again.changed == 0
    row = day_row(a1, D16)
    assert row.status == DayStatus.NORMAL and row.final
    assert row.workforce_policy_version == 1 and row.attendance_policy_version == 1
    # days after today are never classified
    assert not AttendanceDay.objects.filter(day__gt=TODAY).exists()


def test_no_clock_at_all_is_truancy_once_the_correction_window_closed(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    services.classify_range(start=dt.date(2026, 3, 12), end=TODAY, employee_ids=[a1.pk])
    assert day_row(a1, dt.date(2026, 3, 12)).status == DayStatus.TRUANCY  # window closed 15th
    assert day_row(a1, D16).status == DayStatus.MISSED  # may still be corrected
    assert day_row(a1, dt.date(2026, 3, 15)).status == DayStatus.REST
    truancy = day_row(a1, dt.date(2026, 3, 12))
    assert truancy.points == Decimal(-5) and truancy.pay_days == 1


def test_a_policy_version_applies_from_its_day_only(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    body = default_bodies()["workforce"] | {"late_points": 1.0}
    Policy.objects.create(domain="workforce", version=2, effective_from=D16, body=body)
    clear_policy_cache()
    punch(a1, local(dt.date(2026, 3, 13), 8, 40))
    punch(a1, local(D16, 8, 40))
    old, new = day_row(a1, dt.date(2026, 3, 13)), day_row(a1, D16)
    assert (old.points, old.workforce_policy_version) == (Decimal("-0.5"), 1)
    assert (new.points, new.workforce_policy_version) == (Decimal(-1), 2)


def test_night_shift_crossing_midnight_is_one_day(org, frozen, settings) -> None:
    a1 = org["agent_a1"]
    body = default_bodies()["shifts"]
    for shift in body["shifts"]:
        if shift["code"] == "night":
            shift["end"] = "01:00"
    Policy.objects.create(
        domain="shifts", version=2, effective_from=dt.date(2026, 3, 1), body=body
    )  # the variant 晚班 17:30–01:00
    clear_policy_cache()
    publish(a1, {dt.date(2026, 3, 14): "night", dt.date(2026, 3, 15): "day"})
    punch(a1, local(dt.date(2026, 3, 14), 17, 20))
    out = punch(a1, local(dt.date(2026, 3, 15), 0, 50))
    assert out.frame.day == dt.date(2026, 3, 14) and out.event.direction == Direction.OUT
    punch(a1, local(dt.date(2026, 3, 15), 8, 20))  # the next morning's day shift
    punch(a1, local(dt.date(2026, 3, 15), 17, 40))
    night = day_row(a1, dt.date(2026, 3, 14))
    assert night.status == DayStatus.EARLY and night.early_minutes == 10
    assert night.clock_out == local(dt.date(2026, 3, 15), 0, 50)
    assert day_row(a1, dt.date(2026, 3, 15)).status == DayStatus.NORMAL


def test_roster_change_reclassifies_and_stale_rows_go(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    services.classify_range(start=D16, end=D16, employee_ids=[a1.pk])
    assert day_row(a1, D16).status == DayStatus.MISSED
    publish(a1, {D16: "leave"})
    services.classify_range(start=D16, end=D16)
    assert day_row(a1, D16).status == DayStatus.LEAVE
    from kefu.workforce.models import RosterEntry

    RosterEntry.objects.filter(employee=a1, day=D16).delete()
    result = services.classify_range(start=D16, end=D16)
    assert result.deleted == 1 and not AttendanceDay.objects.filter(employee=a1, day=D16).exists()


def test_daily_run_judges_yesterday_and_the_closing_days(org, roster, frozen) -> None:
    start, end = services.classification.daily_range(TODAY)
    assert (start, end) == (dt.date(2026, 3, 14), dt.date(2026, 3, 17))
    result = services.attendance_classify_daily()
    assert result.created == 2 * 4  # the 14th..17th for two agents
    a1 = org["agent_a1"]
    assert day_row(a1, dt.date(2026, 3, 14)).status == DayStatus.TRUANCY  # window closed
    assert day_row(a1, dt.date(2026, 3, 15)).status == DayStatus.REST
    assert day_row(a1, dt.date(2026, 3, 17)).status == DayStatus.MISSED  # may still be fixed
    assert AuditEvent.objects.filter(action="attendance.classify_daily").count() == 1


def test_recompute_needs_the_right_and_is_audited(org, roster, frozen) -> None:
    with pytest.raises(PermissionDeniedError):
        services.attendance_recompute(actor=org["agent_a1"].user, start=D16, end=TODAY)
    result = services.attendance_recompute(actor=org["supervisor"].user, start=D16, end=TODAY)
    assert result.days == 2 * 3
    assert AuditEvent.objects.filter(action="attendance.recompute").count() == 1


def test_incidents_for_user_are_scoped(org, roster, frozen) -> None:
    punch(org["agent_a1"], local(D16, 8, 50))
    punch(org["agent_a2"], local(D16, 8, 50))
    mine = selectors.attendance_incidents_for_user(org["agent_a1"].user, D16, D16)
    assert {i.employee_id for i in mine} == {org["agent_a1"].pk}
    lead = selectors.attendance_incidents_for_user(org["lead_a"].user, D16, D16)
    assert {i.employee_id for i in lead} == {org["agent_a1"].pk, org["agent_a2"].pk}
    assert selectors.attendance_incidents_for_user(org["lead_b"].user, D16, D16) == []
