"""Meetings pages and API: who may open and do what, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.meetings import services
from kefu.meetings.models import (
    ExamRecord,
    Meeting,
    MeetingAttendance,
    MeetingOccurrence,
    MeetingReport,
    MentorReward,
    Mentorship,
    TrainingRecord,
)

from .test_meetings import make_meeting

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_lead_takes_attendance_and_minutes_on_the_page(org, client_for) -> None:
    occurrence = make_meeting(org).occurrences.get()
    lead = client_for(org["lead_a"].user)
    page = lead.get(f"/meetings/occurrences/{occurrence.pk}/").content.decode()
    assert 'data-testid="attendance-form"' in page and "客服甲一" in page
    a1, a2, la = org["agent_a1"].pk, org["agent_a2"].pk, org["lead_a"].pk
    bad = lead.post(
        f"/meetings/occurrences/{occurrence.pk}/attendance/",
        {
            f"status_{a1}": "excused",
            f"reason_{a1}": "",
            f"status_{a2}": "present",
            f"status_{la}": "present",
        },
    )
    assert bad.status_code == 422 and "免出席须填写事由" in bad.content.decode()
    ok = lead.post(
        f"/meetings/occurrences/{occurrence.pk}/attendance/",
        {
            f"status_{a1}": "absent",
            f"status_{a2}": "late",
            f"late_{a2}": "7",
            f"status_{la}": "present",
        },
    )
    assert ok.status_code == 302
    assert MeetingAttendance.objects.get(employee_id=a2).late_minutes == 7
    assert (
        lead.post(f"/meetings/occurrences/{occurrence.pk}/minutes/", {"minutes": ""}).status_code
        == 422
    )
    assert (
        lead.post(
            f"/meetings/occurrences/{occurrence.pk}/minutes/", {"minutes": "纪要内容"}
        ).status_code
        == 302
    )
    agent = client_for(org["agent_a1"].user)
    body = agent.get(f"/meetings/occurrences/{occurrence.pk}/").content.decode()
    assert "纪要内容" in body and 'data-testid="attendance-form"' not in body
    assert 'data-status="absent"' in body  # my attendance
    assert (
        client_for(org["agent_b1"].user).get(f"/meetings/occurrences/{occurrence.pk}/").status_code
        == 404
    )


def test_lists_are_bounded_and_filter(org, client_for, django_assert_max_num_queries) -> None:
    meeting = make_meeting(org, recurrence="workdays", day=TODAY - dt.timedelta(days=30))
    assert meeting.occurrences.count() >= 15
    client = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(16):
        page = client.get("/meetings/?view=all&page_size=50")
    assert (
        page.content.decode().count('data-testid="occurrence-row"') == meeting.occurrences.count()
    )
    with django_assert_max_num_queries(16):
        api = client.get("/api/v1/meetings/occurrences?view=all&page_size=50")
    assert api.json()["count"] == meeting.occurrences.count()
    part = client.get(
        "/meetings/?view=past", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="meeting-table"
    )
    assert "<html" not in part.content.decode()
    assert client.get("/meetings/export/?view=all").status_code == 200
    assert client.get("/meetings/series/").status_code == 200
    for i in range(25):
        services.mentorship_create(
            actor=org["supervisor"].user,
            newcomer=org["agent_a1"] if i == 0 else _newcomer(org, i),
            mentor=org["lead_a"],
            start_date=TODAY - dt.timedelta(days=i),
        )
    sup = client_for(org["supervisor"].user)
    with django_assert_max_num_queries(16):
        mentoring = sup.get("/meetings/mentoring/?page_size=50")
    assert mentoring.content.decode().count('data-testid="mentorship-row"') == 25
    with django_assert_max_num_queries(16):
        assert sup.get("/api/v1/meetings/mentorships?page_size=50").json()["count"] == 25


def _newcomer(org: dict[str, Any], i: int) -> Any:
    from kefu.org.tests.factories import EmployeeFactory

    return EmployeeFactory(department=org["cs"], team=org["team_b"], employee_no=f"N{i:03d}")


def test_api_series_leave_report_and_mentoring(org, client_for) -> None:
    lead = client_for(org["lead_a"].user)
    r = lead.post(
        "/api/v1/meetings/meetings",
        {
            "name": "晨会",
            "kind": "morning",
            "department_id": org["cs"].pk,
            "team_id": org["team_a"].pk,
            "host_id": org["lead_a"].pk,
            "recurrence": "once",
            "starts_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "start_time": "09:30",
            "end_time": "10:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    occurrence = MeetingOccurrence.objects.get(meeting_id=r.json()["id"])
    agent = client_for(org["agent_a1"].user)
    r = agent.post(
        f"/api/v1/meetings/occurrences/{occurrence.pk}/leave",
        {"reason": "陪家人看病"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "leave"
    r = agent.post(
        f"/api/v1/meetings/occurrences/{occurrence.pk}/report",
        {"work_done": "回访", "improvements": "提速"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert len(agent.get(f"/api/v1/meetings/occurrences/{occurrence.pk}").json()["reports"]) == 1
    r = lead.post(
        "/api/v1/meetings/mentorships",
        {
            "newcomer_id": org["agent_a2"].pk,
            "mentor_id": org["agent_a1"].pk,
            "start_date": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    pair = r.json()["id"]
    r = lead.post(
        "/api/v1/meetings/exams",
        {
            "employee_id": org["agent_a2"].pk,
            "subject": "上岗考试",
            "date": TODAY.isoformat(),
            "score": 88,
            "qualifying": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["passed"] is True
    assert lead.get(f"/api/v1/meetings/mentorships/{pair}").json()["status"] == "qualified"
    assert lead.get("/api/v1/meetings/mentoring/ranking").status_code == 200


def _state() -> tuple:
    return (
        list(Meeting.objects.values_list("pk", "name", "active")),
        list(MeetingOccurrence.objects.values_list("pk", "status", "minutes")),
        MeetingAttendance.objects.count(),
        MeetingReport.objects.count(),
        list(Mentorship.objects.values_list("pk", "status")),
        TrainingRecord.objects.count(),
        ExamRecord.objects.count(),
        MentorReward.objects.count(),
    )


def test_refused_role_tries_every_endpoint_and_nothing_changes(org, client_for) -> None:
    meeting = make_meeting(org)
    occurrence = meeting.occurrences.get()
    pair = services.mentorship_create(
        actor=org["lead_a"].user, newcomer=org["agent_a2"], mentor=org["agent_a1"], start_date=TODAY
    )
    before = _state()
    client = client_for(org["warehouse"].user)
    gets = [
        "/meetings/",
        "/meetings/export/",
        "/meetings/series/",
        "/meetings/series/new/",
        f"/meetings/series/{meeting.pk}/edit/",
        f"/meetings/occurrences/{occurrence.pk}/",
        "/meetings/mentoring/",
        "/meetings/mentoring/new/",
        "/meetings/mentoring/ranking/",
        f"/meetings/mentoring/{pair.pk}/",
        "/meetings/trainings/",
        "/meetings/trainings/new/",
        "/api/v1/meetings/meetings",
        "/api/v1/meetings/occurrences",
        f"/api/v1/meetings/occurrences/{occurrence.pk}",
        "/api/v1/meetings/mentorships",
        f"/api/v1/meetings/mentorships/{pair.pk}",
        "/api/v1/meetings/trainings",
        "/api/v1/meetings/mentoring/ranking",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        "/meetings/series/new/",
        f"/meetings/series/{meeting.pk}/edit/",
        f"/meetings/occurrences/{occurrence.pk}/attendance/",
        f"/meetings/occurrences/{occurrence.pk}/minutes/",
        f"/meetings/occurrences/{occurrence.pk}/cancel/",
        f"/meetings/occurrences/{occurrence.pk}/leave/",
        f"/meetings/occurrences/{occurrence.pk}/report/",
        "/meetings/mentoring/new/",
        f"/meetings/mentoring/{pair.pk}/training/",
        f"/meetings/mentoring/{pair.pk}/exam/",
        f"/meetings/mentoring/{pair.pk}/end/",
        "/meetings/mentoring/ranking/award/",
        "/meetings/trainings/new/",
    ]
    for url in posts:
        assert client.post(url, {"reason": "x", "minutes": "x", "name": "x"}).status_code == 403, (
            url
        )
    series = {
        "name": "x",
        "kind": "weekly",
        "department_id": org["cs"].pk,
        "host_id": org["lead_a"].pk,
        "recurrence": "once",
        "starts_on": TODAY.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
    }
    day = TODAY.isoformat()
    api = [
        ("/api/v1/meetings/meetings", series),
        (
            f"/api/v1/meetings/occurrences/{occurrence.pk}/attendance",
            {"rows": [{"employee_id": org["agent_a1"].pk, "status": "present"}]},
        ),
        (f"/api/v1/meetings/occurrences/{occurrence.pk}/minutes", {"minutes": "x"}),
        (f"/api/v1/meetings/occurrences/{occurrence.pk}/cancel", {"reason": "x"}),
        (f"/api/v1/meetings/occurrences/{occurrence.pk}/leave", {"reason": "x"}),
        (
            f"/api/v1/meetings/occurrences/{occurrence.pk}/report",
            {"work_done": "x", "improvements": "y"},
        ),
        (
            "/api/v1/meetings/mentorships",
            {"newcomer_id": org["agent_a1"].pk, "mentor_id": org["lead_a"].pk, "start_date": day},
        ),
        (f"/api/v1/meetings/mentorships/{pair.pk}/end", {"end_date": day, "reason": "x"}),
        (
            "/api/v1/meetings/trainings",
            {
                "kind": "other",
                "topic": "x",
                "date": day,
                "hours": "1",
                "attendee_ids": [org["agent_a1"].pk],
            },
        ),
        (
            "/api/v1/meetings/exams",
            {"employee_id": org["agent_a1"].pk, "subject": "x", "date": day, "score": "80"},
        ),
        ("/api/v1/meetings/mentoring/rewards", {"period": day}),
    ]
    for url, body in api:
        assert client.post(url, body, content_type="application/json").status_code == 403, url
    put = client.put(
        f"/api/v1/meetings/meetings/{meeting.pk}", series, content_type="application/json"
    )
    assert put.status_code == 403
    assert _state() == before


def test_agent_may_attend_but_not_run(org, client_for) -> None:
    occurrence = make_meeting(org).occurrences.get()
    before = _state()
    agent = client_for(org["agent_a1"].user)
    assert agent.get("/meetings/").status_code == 200
    assert agent.get("/meetings/series/new/").status_code == 403
    a1 = org["agent_a1"].pk
    assert (
        agent.post(
            f"/meetings/occurrences/{occurrence.pk}/attendance/", {f"status_{a1}": "present"}
        ).status_code
        == 403
    )
    assert (
        agent.post(f"/meetings/occurrences/{occurrence.pk}/minutes/", {"minutes": "x"}).status_code
        == 403
    )
    assert agent.post("/meetings/mentoring/ranking/award/").status_code == 403
    assert _state() == before
