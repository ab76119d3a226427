"""例会 (WFM-9, MTG-3): series and occurrences, leave ≥1 h before, attendance, minutes, reports,
absence → incident."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.meetings import services
from kefu.meetings.incidents import meetings_incidents
from kefu.meetings.models import MeetingAttendance, MeetingOccurrence
from kefu.meetings.services import AttendanceRow
from kefu.workforce.incidents import workforce_incidents

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make_meeting(org: dict[str, Any], *, day: dt.date | None = None, **kw: Any):
    """A one-off team A meeting at 10:00–10:30 on ``day`` (yesterday), run by 组长甲."""
    values = dict(
        name="班组周会",
        kind="weekly",
        department=org["cs"],
        team=org["team_a"],
        host=org["lead_a"],
        recurrence="once",
        starts_on=day or TODAY - dt.timedelta(days=1),
        start_time=dt.time(10, 0),
        end_time=dt.time(10, 30),
    )
    values.update(kw)
    return services.meeting_create(actor=org["lead_a"].user, **values)


def test_weekly_series_generates_occurrences_and_update_regenerates_untouched_ones(org) -> None:
    meeting = make_meeting(
        org,
        recurrence="weekly",
        weekday=TODAY.weekday(),
        day=TODAY - dt.timedelta(days=14),
        skip_holidays=False,
    )
    dates = set(meeting.occurrences.values_list("date", flat=True))
    assert {TODAY - dt.timedelta(days=14), TODAY - dt.timedelta(days=7), TODAY} <= dates
    assert all(d.weekday() == TODAY.weekday() for d in dates)
    other = (TODAY.weekday() + 1) % 7
    services.meeting_update(
        actor=org["lead_a"].user,
        meeting=meeting,
        **{
            **{f: getattr(meeting, f) for f in ("name", "kind", "department", "team", "host")},
            "recurrence": "weekly",
            "weekday": other,
            "starts_on": meeting.starts_on,
            "start_time": dt.time(10),
            "end_time": dt.time(10, 30),
            "skip_holidays": False,
        },
    )
    future = meeting.occurrences.filter(date__gt=TODAY).values_list("date", flat=True)
    assert future and all(d.weekday() == other for d in future)
    assert meeting.occurrences.filter(date=TODAY - dt.timedelta(days=7)).exists()  # past kept


def test_series_rules_and_scope(org) -> None:
    with pytest.raises(DomainError) as err:
        make_meeting(org, recurrence="weekly", weekday=None, end_time=dt.time(9))
    assert {"weekday", "end_time"} <= set(err.value.fields)
    with pytest.raises(DomainError):  # 组长乙 may not set up team A's meeting
        services.meeting_create(
            actor=org["lead_b"].user,
            name="x",
            kind="weekly",
            department=org["cs"],
            team=org["team_a"],
            host=org["lead_b"],
            recurrence="once",
            starts_on=TODAY,
            start_time=dt.time(10),
            end_time=dt.time(11),
        )
    with pytest.raises(PermissionDeniedError):
        services.meeting_create(actor=org["agent_a1"].user, name="x")


def _rows(org, **overrides: str) -> list[AttendanceRow]:
    people = {"lead_a": "present", "agent_a1": "present", "agent_a2": "present"}
    people.update(overrides)
    return [
        AttendanceRow(org[k].pk, v, 5 if v == "late" else 0, "" if v != "excused" else "外出")
        for k, v in people.items()
    ]


def test_attendance_absence_is_an_incident_leave_must_be_asked_in_time(org) -> None:
    meeting = make_meeting(org)
    occurrence = meeting.occurrences.get()
    with pytest.raises(DomainError) as err:  # leave nobody asked for
        services.attendance_record(
            actor=org["lead_a"].user, occurrence=occurrence, rows=_rows(org, agent_a2="leave")
        )
    assert f"status_{org['agent_a2'].pk}" in err.value.fields
    with pytest.raises(DomainError) as err:
        services.attendance_record(
            actor=org["lead_a"].user, occurrence=occurrence, rows=_rows(org)[:2]
        )
    assert "rows" in err.value.fields
    with pytest.raises(PermissionDeniedError):
        services.attendance_record(actor=org["lead_b"].user, occurrence=occurrence, rows=_rows(org))
    services.attendance_record(
        actor=org["lead_a"].user,
        occurrence=occurrence,
        rows=_rows(org, agent_a1="absent", agent_a2="late"),
    )
    occurrence.refresh_from_db()
    assert occurrence.status == "held" and occurrence.attendance_by == org["lead_a"]
    found = [
        i for i in workforce_incidents(occurrence.date, occurrence.date) if i.source == "meetings"
    ]
    assert [(i.rule, i.employee_id, i.points) for i in found] == [
        ("meeting_absence", org["agent_a1"].pk, Decimal("-0.5"))
    ]  # 迟到 is recorded, no deduction by the default policy


def test_leave_asked_an_hour_before_counts_later_is_refused(org) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    occurrence = make_meeting(org, day=tomorrow).occurrences.get()
    start = occurrence.starts_at
    with pytest.raises(DomainError) as err:
        services.meeting_leave_ask(
            actor=org["agent_a1"].user,
            occurrence=occurrence,
            reason="看病",
            now=start - dt.timedelta(minutes=59),
        )
    assert "1小时" in err.value.message
    services.meeting_leave_ask(
        actor=org["agent_a2"].user,
        occurrence=occurrence,
        reason="看病",
        now=start - dt.timedelta(hours=2),
    )
    with pytest.raises(PermissionDeniedError):  # not a participant
        services.meeting_leave_ask(actor=org["agent_b1"].user, occurrence=occurrence, reason="x")
    rows = [r for r in _rows(org, agent_a1="absent") if r.employee_id != org["agent_a2"].pk]
    services.attendance_record(
        actor=org["lead_a"].user,
        occurrence=occurrence,
        rows=rows,
        now=start + dt.timedelta(minutes=40),
    )
    statuses = dict(MeetingAttendance.objects.values_list("employee__employee_no", "status"))
    assert statuses == {"KF010": "present", "KF011": "absent", "KF012": "leave"}
    assert [i.employee_id for i in meetings_incidents(tomorrow, tomorrow)] == [org["agent_a1"].pk]


def test_no_attendance_before_the_start_and_not_on_a_cancelled_meeting(org) -> None:
    occurrence = make_meeting(org, day=TODAY + dt.timedelta(days=2)).occurrences.get()
    with pytest.raises(DomainError):
        services.attendance_record(actor=org["lead_a"].user, occurrence=occurrence, rows=_rows(org))
    services.occurrence_cancel(actor=org["lead_a"].user, occurrence=occurrence, reason="培训冲突")
    with pytest.raises(ConflictError):
        services.meeting_leave_ask(actor=org["agent_a1"].user, occurrence=occurrence, reason="x")
    assert MeetingOccurrence.objects.get().status == "cancelled"


def test_minutes_and_reports(org) -> None:
    occurrence = make_meeting(org, reports_required=True).occurrences.get()
    report = services.meeting_report_submit(
        actor=org["agent_a1"].user,
        occurrence=occurrence,
        work_done="完成回访50个",
        improvements="话术更简练",
    )
    assert report.problems == ""
    with pytest.raises(DomainError) as err:
        services.meeting_report_submit(
            actor=org["agent_a2"].user, occurrence=occurrence, work_done="", improvements=""
        )
    assert set(err.value.fields) == {"work_done", "improvements"}
    with pytest.raises(PermissionDeniedError):
        services.meeting_minutes_record(
            actor=org["agent_a1"].user, occurrence=occurrence, minutes="x"
        )
    services.meeting_minutes_record(
        actor=org["lead_a"].user, occurrence=occurrence, minutes="一、上周工作总结"
    )
    with pytest.raises(ConflictError):  # the minutes close the reports
        services.meeting_report_submit(
            actor=org["agent_a1"].user, occurrence=occurrence, work_done="a", improvements="b"
        )


def test_a_leave_request_asked_in_time_counts_as_meeting_leave(org) -> None:
    from kefu.leave.models import LeaveRequest

    occurrence = make_meeting(org).occurrences.get()
    leave = LeaveRequest.objects.create(
        applicant=org["agent_a1"],
        team=org["team_a"],
        leave_type="personal",
        type_name="事假",
        start_day=occurrence.date,
        end_day=occurrence.date,
        days=1,
        reason="家中有事",
        status="pending",
    )
    late = occurrence.starts_at - dt.timedelta(minutes=30)
    LeaveRequest.objects.filter(pk=leave.pk).update(created_at=late)
    assert org["agent_a1"].pk not in services.in_time_leave(occurrence)  # asked too late
    LeaveRequest.objects.filter(pk=leave.pk).update(
        created_at=occurrence.starts_at - dt.timedelta(hours=3)
    )
    assert org["agent_a1"].pk in services.in_time_leave(occurrence)
    services.attendance_record(
        actor=org["lead_a"].user, occurrence=occurrence, rows=_rows(org, agent_a1="leave")
    )
    assert meetings_incidents(occurrence.date, occurrence.date) == []
