"""请假 pages and API: the flow through the HTTP client, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kefu.core.models import AuditEvent
from kefu.leave import services
from kefu.leave.choices import LeaveStatus
from kefu.leave.models import LeaveRequest
from kefu.org.models import ApprovalStep
from kefu.org.tests.factories import EmployeeFactory
from kefu.swaps.tests.factories import future_month, publish_roster
from kefu.workforce.models import CoverageRequirement, RosterEntry
from kefu.workforce.selectors import rostered_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org: dict[str, Any]) -> dt.date:
    first = future_month()
    publish_roster(org["team_a"], first, [org["agent_a1"], org["agent_a2"], org["lead_a"]])
    return first


def d(month: dt.date, n: int) -> str:
    return month.replace(day=n).isoformat()


def _post_json(client: Any, url: str, body: dict | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_pages_flow_with_coverage_warning(org, month, client_for) -> None:
    a1 = org["agent_a1"]
    CoverageRequirement.objects.create(
        team=org["team_a"], day=month.replace(day=11), shift_code="day", min_people=2
    )
    client = client_for(a1.user)
    assert client.get("/leave/").status_code == 200
    form = client.get("/leave/new/").content.decode()
    assert 'data-testid="leave-my-balances"' in form and "年假" in form
    kept = client.post(
        "/leave/new/",
        {
            "leave_type": "annual",
            "start_day": d(month, 2),
            "end_day": d(month, 8),
            "reason": "旅游保留",
        },
    )
    assert kept.status_code == 422
    body = kept.content.decode()
    assert "旅游保留" in body and "年假余额不足" in body
    r = client.post(
        "/leave/new/",
        {
            "leave_type": "personal",
            "start_day": d(month, 11),
            "end_day": d(month, 11),
            "reason": "私事",
        },
    )
    assert r.status_code == 302
    leave = LeaveRequest.objects.get()
    lead = client_for(org["lead_a"].user)
    page = lead.get(f"/leave/{leave.pk}/").content.decode()
    assert 'data-testid="leave-coverage-warning"' in page and "需要" in page
    for who in ("lead_a", "supervisor", "manager"):
        approver = client_for(org[who].user)
        assert f"/leave/{leave.pk}/" in approver.get("/org/approvals/").content.decode()
        r = approver.post(f"/leave/{leave.pk}/decide/", {"decision": "approve"})
        assert r.status_code == 302, who
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    assert rostered_code(a1.pk, month.replace(day=11)) == "leave"
    assert client.get("/leave/balances/").status_code == 200
    team = lead.get("/leave/balances/").content.decode()
    assert 'data-testid="leave-team-balances"' in team and a1.name in team
    export = lead.get("/leave/export/?tab=team")
    assert export.status_code == 200


def _state() -> tuple:
    return (
        list(LeaveRequest.objects.order_by("pk").values_list("pk", "status")),
        ApprovalStep.objects.filter(state__in=["pending", "waiting"]).count(),
        list(RosterEntry.objects.order_by("pk").values_list("pk", "code")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["nobody", "agent_b1"])
def test_refused_roles_change_nothing(org, month, client_for, who) -> None:
    leave = services.leave_create(
        actor=org["agent_a1"].user,
        leave_type="personal",
        start_day=month.replace(day=11),
        end_day=month.replace(day=11),
        reason="x",
    )
    before = _state()
    if who == "nobody":  # an employee without any role
        person = EmployeeFactory()
        person.user.groups.clear()
    else:
        person = org[who]
    client = client_for(person.user)
    pk = leave.pk
    for url in (f"/leave/{pk}/",):
        assert client.get(url).status_code in (403, 404)
    for url, data in (
        (f"/leave/{pk}/decide/", {"decision": "approve"}),
        (f"/leave/{pk}/withdraw/", {}),
        (f"/leave/{pk}/report/", {"returned_on": d(month, 11)}),
    ):
        assert client.post(url, data).status_code in (403, 404), url
    if who == "nobody":
        for url in ("/leave/", "/leave/new/", "/leave/balances/", "/leave/export/"):
            assert client.get(url).status_code == 403, url
        body = {
            "leave_type": "personal",
            "start_day": d(month, 14),
            "end_day": d(month, 14),
            "reason": "x",
        }
        assert client.post("/leave/new/", body).status_code == 403
        assert _post_json(client, "/api/v1/leave", body).status_code == 403
        assert _post_json(client, "/api/v1/leave/check", body).status_code == 403
        for url in ("/api/v1/leave", "/api/v1/leave/balances", "/api/v1/leave/types"):
            assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/leave/balances/team").status_code == 403
    assert client.get(f"/api/v1/leave/{pk}").status_code in (403, 404)
    for action, body in (
        ("approve", {}),
        ("reject", {"comment": "x"}),
        ("withdraw", {}),
        ("report-back", {"returned_on": d(month, 11)}),
    ):
        assert _post_json(client, f"/api/v1/leave/{pk}/{action}", body).status_code in (403, 404)
    assert _state() == before


def test_api_flow(org, month, client_for) -> None:
    a1 = org["agent_a1"]
    api = client_for(a1.user)
    types = api.get("/api/v1/leave/types").json()
    assert {"code": "annual", "name": "年假", "balance": "annual", "max_days": None} in types
    body = {
        "leave_type": "sick",
        "start_day": d(month, 14),
        "end_day": d(month, 16),
        "reason": "感冒",
    }
    check = _post_json(api, "/api/v1/leave/check", body).json()
    assert check == {"ok": True, "days": 3, "errors": []}
    rest_day = {**body, "start_day": d(month, 13), "end_day": d(month, 13)}  # a1 rests
    r = _post_json(api, "/api/v1/leave", rest_day)
    assert r.status_code == 422 and r.json()["code"] == "leave_no_shift"
    assert r.json()["fields"] == {"start_day": "请假期间您没有班次（休息），无需请假"}
    r = _post_json(api, "/api/v1/leave", body)
    assert r.status_code == 201
    pk = r.json()["id"]
    assert r.json()["status"] == "pending" and r.json()["days"] == 3
    detail = api.get(f"/api/v1/leave/{pk}").json()
    assert [s["approver_id"] for s in detail["steps"]][-1] == org["dgm"].pk
    assert detail["coverage_gaps"] == []
    assert _post_json(api, f"/api/v1/leave/{pk}/approve").status_code == 403
    r = _post_json(client_for(org["lead_a"].user), f"/api/v1/leave/{pk}/reject")
    assert r.status_code == 422 and r.json()["code"] == "approval_comment_required"
    for who in ("lead_a", "supervisor", "manager", "dgm"):
        r = _post_json(client_for(org[who].user), f"/api/v1/leave/{pk}/approve")
        assert r.status_code == 200, who
    assert r.json()["status"] == "approved"
    r = _post_json(api, f"/api/v1/leave/{pk}/report-back", {"returned_on": d(month, 15)})
    assert r.status_code == 422 and r.json()["code"] == "leave_return_invalid"
    balances = api.get("/api/v1/leave/balances").json()
    assert {b["code"] for b in balances} == {"annual", "adjust"}
    team = client_for(org["lead_a"].user).get("/api/v1/leave/balances/team").json()
    assert any(row["employee_id"] == a1.pk for row in team)
    assert api.get("/api/v1/leave?tab=mine").json()["count"] == 1
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/leave/{pk}/report-back" in schema["paths"]
    assert {"LeaveIn", "LeaveDetailOut", "BalanceOut"} <= set(schema["components"]["schemas"])


def test_list_queries_bounded(org, month, client_for, django_assert_max_num_queries) -> None:
    for n in (11, 14, 19):
        services.leave_create(
            actor=org["agent_a1"].user,
            leave_type="personal",
            start_day=month.replace(day=n),
            end_day=month.replace(day=n),
            reason="x",
        )
    lead = client_for(org["lead_a"].user)
    lead.get("/leave/?tab=team")
    with django_assert_max_num_queries(14):
        r = lead.get("/leave/?tab=team&page_size=100")
    assert r.content.decode().count('data-testid="leave-row"') == 3
    with django_assert_max_num_queries(10):
        assert lead.get("/api/v1/leave?tab=team&page_size=100").json()["count"] == 3
    with django_assert_max_num_queries(16):
        assert lead.get("/leave/balances/").status_code == 200
