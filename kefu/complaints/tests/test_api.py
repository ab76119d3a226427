"""Complaint API at /api/v1/complaints (CMP-1..11, RPT-1): the whole procedure over HTTP, the
error shape, masking, query counts, and every step tried by someone who must be refused — with
nothing changed (complaint row, step rows, audit events)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory

from ..choices import ProcedureStatus
from ..models import Complaint, ComplaintStep, ResponsibilityFinding
from .factories import add_production, open_complaint, walk

pytestmark = pytest.mark.django_db
BASE = "/api/v1/complaints"
S = ProcedureStatus


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return add_production(org)


def post(client: Client, path: str, data: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "message", "fields"} and data["message"]
    if code:
        assert data["code"] == code
    return data


def state(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint": Complaint.objects.filter(pk=complaint.pk).values().first(),
        "steps": ComplaintStep.objects.filter(complaint=complaint).count(),
        "audit": AuditEvent.objects.count(),
        "findings": ResponsibilityFinding.objects.count(),
    }


REPORT = {
    "scope_true": True,
    "reasons_sound": True,
    "demand_legitimate": True,
    "aim": "要求换货",
    "cause": "包装材料不合格",
    "course": "运输途中挤压破损",
    "conclusion": "投诉属实",
    "countermeasures": "为客户换货",
    "prevention": "更换包装材料",
    "loss_amount": "300.00",
}


def test_the_procedure_over_http(people: dict[str, Any], client_for: Any) -> None:
    agent, supervisor = client_for(people["agent_a1"].user), client_for(people["supervisor"].user)
    hr, gm = client_for(people["hr"].user), client_for(people["gm"].user)
    worker, head = client_for(people["prod_worker"].user), client_for(people["prod_head"].user)
    customer = CustomerFactory(name="某加盟商", customer_type="franchisee", phones=["13812345678"])
    created = post(
        agent,
        BASE,
        {
            "ground": "packing_damage",
            "demands": ["exchange", "compensation"],
            "customer_id": customer.pk,
            "channel": "hotline",
            "title": "货物包装破损",
            "contact_phone": "13812345678",
            "amount_involved": "300",
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    pk = data["id"]
    assert data["status"] == "recorded" and data["complainant_type"] == "franchisee"
    assert data["contact_phone"] == "138****5678"  # an agent may not reveal
    assert data["actions"] == []  # the agent does not decide acceptance
    assert post(supervisor, f"{BASE}/{pk}/acceptance", {"accept": True}).status_code == 200
    routed = post(
        hr,
        f"{BASE}/{pk}/route",
        {"route": "investigation", "investigating_department_id": people["prod"].pk},
    )
    assert routed.json()["status"] == "investigating"
    assert worker.get(f"{BASE}/{pk}").json()["actions"] == ["submit_investigation"]
    shares = [
        {
            "department_id": people["prod"].pk,
            "employee_id": people["prod_worker"].pk,
            "percent": "100",
            "sanction_trigger": "materials_not_per_spec",
        }
    ]
    submitted = post(worker, f"{BASE}/{pk}/investigation", {**REPORT, "shares": shares})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["report"]["shares"][0]["employee"] == "生产工人"
    assert post(head, f"{BASE}/{pk}/approve", {"comment": "同意"}).status_code == 200
    returned = post(hr, f"{BASE}/{pk}/return", {"comment": "请补充运输单据"})
    assert returned.json()["status"] == "investigating"
    post(worker, f"{BASE}/{pk}/investigation", {**REPORT, "shares": shares})
    post(head, f"{BASE}/{pk}/approve", {})
    post(hr, f"{BASE}/{pk}/approve", {})
    assert post(gm, f"{BASE}/{pk}/approve", {}).json()["status"] == "handling_opinion"
    opinion = post(worker, f"{BASE}/{pk}/handling-opinion", {"text": "换货并承担运费"})
    assert opinion.json()["handling_opinion"] == "换货并承担运费"
    reviewed = post(supervisor, f"{BASE}/{pk}/review", {"decision": "approve"})
    assert reviewed.json()["status"] == "reply"
    replied = post(agent, f"{BASE}/{pk}/reply", {"via": "written", "text": "已为您换货"})
    body = replied.json()
    assert body["status"] == "closed" and body["closed_at"]
    assert [s["decision"] for s in body["steps"]].count("return") == 1
    assert body["findings"][0]["loss_share"] == "300.00"
    month = timezone.now().astimezone(SHANGHAI).strftime("%Y-%m")
    findings = hr.get(f"{BASE}/findings", {"month": month}).json()
    assert findings["count"] == 1 and findings["items"][0]["employee"] == "生产工人"
    stats = hr.get(f"{BASE}/stats", {"month": month}).json()
    assert stats["total"] == 1 and stats["closed_on_time_rate"] == 100.0
    assert stats["by_person"][0]["person"] == "生产工人"


def test_list_is_scoped_paginated_and_query_bounded(
    people: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        open_complaint(people["agent_a1"])
    open_complaint(people["agent_b1"])
    agent = client_for(people["agent_a1"].user)
    data = agent.get(BASE).json()
    assert (data["count"], data["page"], data["page_size"]) == (3, 1, 20)
    assert client_for(people["warehouse"].user).get(BASE).json()["count"] == 0
    supervisor = client_for(people["supervisor"].user)
    with CaptureQueriesContext(connection) as few:
        assert supervisor.get(BASE).json()["count"] == 4
    for _ in range(10):
        open_complaint(people["agent_a1"])
    # session, user, groups/permissions, the department tree, count, page: not one per row
    with django_assert_max_num_queries(len(few)):
        assert supervisor.get(BASE, {"page_size": 50}).json()["count"] == 14
    assert len(few) <= 15


def test_reads_refuse_or_hide(people: dict[str, Any], client_for: Any) -> None:
    other = open_complaint(people["agent_b1"])
    agent = client_for(people["agent_a1"].user)
    assert_error(agent.get(f"{BASE}/{other.pk}"), 404, "not_found")
    assert_error(agent.get(f"{BASE}/stats", {"month": "2026-03"}), 403)
    assert_error(client_for(people["hr"].user).get(f"{BASE}/stats", {"month": "2026-13"}), 422)
    assert_error(Client().get(BASE), 401, "unauthenticated")


def test_bad_input_is_422_with_fields(people: dict[str, Any], client_for: Any) -> None:
    agent = client_for(people["agent_a1"].user)
    response = post(agent, BASE, {"ground": "weather", "demands": []})
    data = assert_error(response, 422, "invalid")
    assert "ground" in data["fields"] and "demands" in data["fields"]
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.INVESTIGATING)
    worker = client_for(people["prod_worker"].user)
    before = state(complaint)
    short = [{"department_id": people["prod"].pk, "percent": "60"}]
    data = assert_error(
        post(worker, f"{BASE}/{complaint.pk}/investigation", {**REPORT, "shares": short}),
        422,
        "complaint_report_incomplete",
    )
    assert data["fields"]["shares"] == "责任比例合计须为100%，现为60%"
    assert state(complaint) == before
    rejected = post(
        client_for(people["supervisor"].user),
        f"{BASE}/{open_complaint(people['agent_a1']).pk}/acceptance",
        {"accept": False, "reason": ""},
    )
    assert assert_error(rejected, 422, "complaint_reason_required")["fields"] == {
        "reason": "请填写不受理的原因"
    }


def test_a_step_at_the_wrong_time_is_409(people: dict[str, Any], client_for: Any) -> None:
    complaint = open_complaint(people["agent_a1"])
    before = state(complaint)
    hr = client_for(people["hr"].user)
    assert_error(
        post(hr, f"{BASE}/{complaint.pk}/approve", {}), 409, "complaint_illegal_transition"
    )
    assert state(complaint) == before


# --- every step tried by someone who must be refused --------------------------------------------
def _report(people: dict[str, Any]) -> dict[str, Any]:
    return {**REPORT, "shares": [{"department_id": people["prod"].pk, "percent": "100"}]}


REFUSALS: list[tuple[str, str, str, Any]] = [
    # (status, who, sub-resource, payload)
    (S.RECORDED, "agent_a1", "acceptance", {"accept": True}),
    (S.RECORDED, "hr", "acceptance", {"accept": False, "reason": "客户原因"}),
    (S.RECORDED, "lead_a", "acceptance", {"accept": True}),
    (S.ROUTING, "supervisor", "route", "investigation"),
    (S.ROUTING, "agent_a1", "route", {"route": "leadership", "reason": "合同纠纷"}),
    (S.ROUTING, "gm", "route", {"route": "sales_procedure", "reason": "发货手续"}),
    (S.INVESTIGATING, "hr", "investigation", "report"),
    (S.INVESTIGATING, "agent_a1", "investigation", "report"),
    (S.DEPT_HEAD_REVIEW, "prod_worker", "approve", {}),
    (S.DEPT_HEAD_REVIEW, "hr", "approve", {}),
    (S.DEPT_HEAD_REVIEW, "gm", "return", {"comment": "退回"}),
    (S.HR_REVIEW, "prod_head", "approve", {}),
    (S.HR_REVIEW, "supervisor", "return", {"comment": "退回"}),
    (S.GM_REVIEW, "hr", "approve", {}),
    (S.GM_REVIEW, "dgm", "approve", {}),
    (S.HANDLING_OPINION, "supervisor", "handling-opinion", {"text": "处理意见"}),
    (S.HANDLING_OPINION, "gm", "handling-opinion", {"text": "处理意见"}),
    (S.SUPERVISOR_REVIEW, "agent_a1", "review", {"decision": "approve"}),
    (S.SUPERVISOR_REVIEW, "prod_head", "review", {"decision": "return", "comment": "退回"}),
    (S.SUPERVISOR_REVIEW, "hr", "approve", {}),
    (S.REPLY, "hr", "reply", {"via": "phone", "text": "答复"}),
    (S.REPLY, "prod_worker", "reply", {"via": "phone", "text": "答复"}),
]


@pytest.mark.parametrize(("status", "who", "resource", "payload"), REFUSALS)
def test_each_step_refuses_the_wrong_people(
    people: dict[str, Any], client_for: Any, status: str, who: str, resource: str, payload: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=status)
    if payload == "investigation":
        payload = {"route": "investigation", "investigating_department_id": people["prod"].pk}
    elif payload == "report":
        payload = _report(people)
    before = state(complaint)
    response = post(client_for(people[who].user), f"{BASE}/{complaint.pk}/{resource}", payload)
    assert response.status_code in (403, 404), response.content
    assert_error(response, response.status_code)
    assert state(complaint) == before


def test_an_agent_outside_the_complaint_cannot_reply(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.REPLY)
    before = state(complaint)
    response = post(
        client_for(people["agent_b1"].user),
        f"{BASE}/{complaint.pk}/reply",
        {"via": "phone", "text": "答复"},
    )
    assert_error(response, 404, "not_found")  # not even visible to another team's agent
    assert state(complaint) == before
