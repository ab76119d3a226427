"""API /api/v1/attendance/: each endpoint for the role that may call it, every endpoint refused
to a role that may not (nothing changes), bounded queries on the lists and the report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.attendance import services
from kefu.attendance.choices import CorrectionStatus
from kefu.attendance.models import (
    AttendanceDay,
    AttendanceReportSubmission,
    ClockCorrection,
    ClockEvent,
)
from kefu.core.models import AuditEvent, BackgroundJob

from .conftest import TODAY
from .factories import local

pytestmark = pytest.mark.django_db
API = "/api/v1/attendance"
D16, D17 = dt.date(2026, 3, 16), dt.date(2026, 3, 17)


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def data(org, roster, frozen) -> None:
    services.clock_punch(actor=org["agent_a1"].user, now=local(D16, 8, 47))
    services.clock_punch(actor=org["agent_a1"].user, now=local(D16, 17, 35))
    services.clock_punch(actor=org["agent_a2"].user, now=local(D16, 9, 20))
    services.classify_range(start=dt.date(2026, 3, 1), end=TODAY)


def test_agent_clocks_and_reads_own(org, data, client_for) -> None:
    client = client_for(org["agent_a1"].user)
    state = client.get(f"{API}/clock").json()
    assert state["work_day"] == str(TODAY) and state["next_direction"] == "in"
    assert state["shift_name"] == "白班"
    r = post(client, f"{API}/clock", {"note": "API"})
    assert r.status_code == 200
    out = r.json()
    assert out["event"]["direction"] == "in" and out["event"]["source"] == "web"
    assert out["message"] == "上班打卡成功" and not out["repeated"]
    assert out["event"]["at"].startswith("2026-03-18T02:00:00")  # the server's time, UTC
    again = post(client, f"{API}/clock").json()
    assert again["repeated"] and again["event"]["id"] == out["event"]["id"]
    days = client.get(f"{API}/days?month=2026-03&page_size=100").json()
    assert {d["employee_no"] for d in days["items"]} == {"KF011"}
    late = next(d for d in days["items"] if d["day"] == str(D16))
    assert late["status"] == "late" and late["late_minutes"] == 17
    assert late["penalties"][0]["description"] == "迟到 17 分钟"
    assert late["workforce_policy_version"] == 1
    one = client.get(f"{API}/days/{late['id']}").json()
    assert one["status_label"] == "迟到"
    events = client.get(f"{API}/events?date_from=2026-03-16&date_to=2026-03-16").json()
    assert events["count"] == 2
    other = AttendanceDay.objects.get(employee=org["agent_a2"], day=D16)
    assert client.get(f"{API}/days/{other.pk}").status_code == 404
    incidents = client.get(f"{API}/incidents?date_from=2026-03-16&date_to=2026-03-16").json()
    assert [(i["rule"], Decimal(str(i["points"]))) for i in incidents] == [
        ("late", Decimal("-0.5"))
    ]
    assert incidents[0]["link"] == f"/attendance/days/{late['id']}/"


def test_correction_through_the_api(org, data, client_for) -> None:
    agent, lead = client_for(org["agent_a1"].user), client_for(org["lead_a"].user)
    body = {"day": str(D17), "direction": "in", "at": "2026-03-17T08:25:00+08:00", "reason": "忘记"}
    r = post(agent, f"{API}/corrections", body)
    assert r.status_code == 201 and r.json()["status"] == "pending"
    pk = r.json()["id"]
    dup = post(agent, f"{API}/corrections", body)
    assert dup.status_code == 409
    assert dup.json()["message"] == "该日的上班补卡申请正在审批中，请勿重复提交"
    late = post(agent, f"{API}/corrections", {**body, "day": "2026-03-10"})
    assert late.status_code == 422 and late.json()["fields"]["day"].startswith("补卡须在2天内申请")
    todo = lead.get(f"{API}/corrections?tab=todo").json()
    assert [c["id"] for c in todo["items"]] == [pk]
    assert post(agent, f"{API}/corrections/{pk}/approve").status_code == 403
    reject = post(lead, f"{API}/corrections/{pk}/reject", {"comment": ""})
    assert reject.status_code == 422 and reject.json()["message"] == "驳回时请填写审批意见"
    ok = post(lead, f"{API}/corrections/{pk}/approve", {"comment": "属实"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    row = agent.get(f"{API}/days?date_from=2026-03-17&date_to=2026-03-17").json()["items"][0]
    assert row["clock_in"].startswith("2026-03-17T00:25")
    assert post(agent, f"{API}/corrections/{pk}/cancel").status_code == 409


def test_clerk_imports_reports_and_recomputes(org, data, client_for) -> None:
    sup = client_for(org["supervisor"].user)
    csv = "工号,时间,类型\nKF012,2026-03-17 08:29,上班\n".encode("gbk")
    r = sup.post(f"{API}/imports", {"file": SimpleUploadedFile("c.csv", csv, "text/csv")})
    assert r.status_code == 202 and r.json()["job_url"].startswith("/jobs/")
    assert ClockEvent.objects.filter(employee=org["agent_a2"], at=local(D17, 8, 29)).exists()
    bad = sup.post(f"{API}/imports", {"file": SimpleUploadedFile("c.csv", b"x,y\n", "text/csv")})
    assert bad.status_code == 422 and "没有找到表头" in bad.json()["message"]
    report = sup.get(f"{API}/monthly?department_id={org['cs'].pk}&month=2026-03").json()
    assert report["due_on"] == "2026-04-25" and len(report["lines"]) == 2
    assert report["lines"][0]["late_count"] == 1
    r = post(sup, f"{API}/monthly/submit", {"department_id": org["cs"].pk, "month": "2026-02"})
    assert (
        r.status_code == 201 and r.json()["on_time"] and r.json()["submitted_by_name"] == "陈主管"
    )
    early = post(sup, f"{API}/monthly/submit", {"department_id": org["cs"].pk, "month": "2026-03"})
    assert early.status_code == 422
    r = post(sup, f"{API}/days/recompute", {"date_from": "2026-03-01", "date_to": "2026-03-18"})
    assert r.status_code == 200 and r.json()["days"] == 36
    wrong = post(sup, f"{API}/days/recompute", {"date_from": "2026-03-18", "date_to": "2026-03-01"})
    assert wrong.status_code == 422
    incidents = sup.get(f"{API}/incidents?date_from=2026-03-01&date_to=2026-03-31").json()
    assert {i["rule"] for i in incidents} >= {"late", "truancy"}
    assert sup.get(f"{API}/incidents?date_from=2026-03-31&date_to=2026-03-01").status_code == 422


@pytest.mark.parametrize("who", ["warehouse", "sysadmin"])
def test_refused_role_tries_every_endpoint_and_nothing_changes(org, data, client_for, who) -> None:
    client = client_for(org[who].user)
    c = services.correction_create(
        actor=org["agent_a1"].user, day=D17, direction="in", at=local(D17, 8, 25), reason="忘记"
    )
    day = AttendanceDay.objects.first()

    def state() -> tuple[int, ...]:
        return (
            ClockEvent.objects.count(),
            ClockCorrection.objects.filter(status=CorrectionStatus.PENDING).count(),
            AttendanceReportSubmission.objects.count(),
            BackgroundJob.objects.count(),
            AuditEvent.objects.count(),
            AttendanceDay.objects.count(),
        )

    before = state()
    gets = [
        f"{API}/clock",
        f"{API}/events",
        f"{API}/days",
        f"{API}/days/{day.pk}",
        f"{API}/corrections",
        f"{API}/corrections/{c.pk}",
        f"{API}/monthly?department_id={org['cs'].pk}",
        f"{API}/incidents?date_from=2026-03-01&date_to=2026-03-31",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = {
        f"{API}/clock": {},
        f"{API}/days/recompute": {"date_from": "2026-03-01", "date_to": "2026-03-18"},
        f"{API}/corrections": {
            "day": str(D17),
            "direction": "out",
            "at": "2026-03-17T17:40:00+08:00",
            "reason": "x",
        },
        f"{API}/corrections/{c.pk}/approve": {"comment": "同意"},
        f"{API}/corrections/{c.pk}/reject": {"comment": "不同意"},
        f"{API}/corrections/{c.pk}/cancel": {},
        f"{API}/monthly/submit": {"department_id": org["cs"].pk, "month": "2026-02"},
    }
    for url, payload in posts.items():
        assert post(client, url, payload).status_code == 403, url
    upload = {"file": SimpleUploadedFile("c.csv", "工号,时间\nKF011,2026-03-17 08:20\n".encode())}
    assert client.post(f"{API}/imports", upload).status_code == 403
    assert state() == before


def test_agent_may_not_use_the_clerks_endpoints(org, data, client_for) -> None:
    client = client_for(org["agent_a1"].user)
    assert client.get(f"{API}/monthly?department_id={org['cs'].pk}").status_code == 403
    assert (
        post(
            client, f"{API}/days/recompute", {"date_from": "2026-03-01", "date_to": "2026-03-02"}
        ).status_code
        == 403
    )
    assert (
        post(client, f"{API}/monthly/submit", {"department_id": 1, "month": "2026-02"}).status_code
        == 403
    )
    upload = {"file": SimpleUploadedFile("c.csv", "工号,时间\nKF011,2026-03-17 08:20\n".encode())}
    assert client.post(f"{API}/imports", upload).status_code == 403
    assert not BackgroundJob.objects.exists() and not AttendanceReportSubmission.objects.exists()


def test_api_queries_are_bounded(org, data, client_for, django_assert_max_num_queries) -> None:
    sup = client_for(org["supervisor"].user)
    sup.get(f"{API}/clock")  # warm the session and permission caches
    with django_assert_max_num_queries(11):
        assert len(sup.get(f"{API}/days?month=2026-03&page_size=100").json()["items"]) == 36
    with django_assert_max_num_queries(11):
        sup.get(f"{API}/incidents?date_from=2026-03-01&date_to=2026-03-31")
    with django_assert_max_num_queries(18):
        sup.get(f"{API}/monthly?department_id={org['cs'].pk}&month=2026-03")
    with django_assert_max_num_queries(11):
        sup.get(f"{API}/events?page_size=100")
