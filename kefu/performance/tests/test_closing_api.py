"""/api/v1/month-close (CMP-7, PERF-8): every endpoint, refused roles, query counts."""
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kefu.core.models import BackgroundJob
from kefu.org.models import Employee
from kefu.performance.choices import MonthCloseStatus
from kefu.performance.models import MonthClose, PayrollLine
from kefu.performance.payroll import register_payroll_source
from kefu.performance.services.booking import incident_book

# Shared fixtures of test_closing (pytest finds them by name; ruff sees a redefinition).
from .test_closing import fake_source, isolated_payroll, month  # noqa: F401

BASE = "/api/v1/month-close"


def post(client: Any, path: str, body: dict | None = None) -> Any:
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.django_db
def test_list_and_detail(
    org: dict, month: dt.date, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=month.replace(day=2),
        rule_code="posture",
        confirm=False,
    )
    client = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(12):
        r = client.get(BASE)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 2
    row = next(i for i in data["items"] if i["month"] == f"{month:%Y-%m}")
    assert row["status"] == "open" and row["proposals_pending"] == 1
    assert row["due"].endswith("-10")
    r = client.get(f"{BASE}/{month:%Y-%m}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["summary"]["proposals"] == 1 and detail["summary"]["net_total"] is None
    assert client.get(f"{BASE}/2026-13").status_code == 404


@pytest.mark.django_db
def test_agent_cannot_read(org: dict, month: dt.date, client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{month:%Y-%m}").status_code == 403
    assert client.get(f"{BASE}/{month:%Y-%m}/payroll").status_code == 403


@pytest.mark.django_db
def test_workflow_over_the_api(
    org: dict,
    month: dt.date,
    client_for: Any,
    isolated_payroll: dict,
    django_assert_max_num_queries: Any,
) -> None:
    register_payroll_source("fake", fake_source(org))
    key = f"{month:%Y-%m}"
    manager, gm = client_for(org["manager"].user), client_for(org["gm"].user)
    lead, hr = client_for(org["lead_a"].user), client_for(org["hr"].user)
    # Refused roles change nothing.
    assert post(gm, f"{BASE}/{key}/review").status_code == 403
    assert post(lead, f"{BASE}/{key}/review").status_code == 403
    assert post(manager, f"{BASE}/{key}/approve").status_code == 403
    assert post(hr, f"{BASE}/{key}/reject", {"reason": "x"}).status_code == 403
    assert not MonthClose.objects.exists()
    # Approving before the review: 409.
    r = post(gm, f"{BASE}/{key}/approve")
    assert r.status_code == 409 and r.json()["code"] == "month_status"
    r = post(manager, f"{BASE}/{key}/review", {"note": "OK"})
    assert r.status_code == 200 and r.json()["status"] == "reviewed"
    r = post(gm, f"{BASE}/{key}/reject", {"reason": ""})
    assert r.status_code == 422 and r.json()["fields"] == {"reason": "必填"}
    r = post(gm, f"{BASE}/{key}/reject", {"reason": "再核对"})
    assert r.status_code == 200 and r.json()["status"] == "open"
    post(manager, f"{BASE}/{key}/review")
    # Payroll of an unclosed month: 409.
    assert hr.get(f"{BASE}/{key}/payroll").status_code == 409
    r = post(gm, f"{BASE}/{key}/approve")
    assert r.status_code == 202
    body = r.json()
    assert body["job_id"] == BackgroundJob.objects.get().pk
    assert body["month_status"] == MonthCloseStatus.CLOSED and body["status"] == "succeeded"
    r = gm.get(f"{BASE}/{key}")
    assert r.json()["summary"]["net_total"] == "12.95"
    assert r.json()["approved_by"] == "王总" and r.json()["reviewed_by"] == "张经理"
    with django_assert_max_num_queries(10):
        r = hr.get(f"{BASE}/{key}/payroll?page_size=50")
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == Employee.objects.count() == PayrollLine.objects.count()
    a1 = next(i for i in data["items"] if i["employee_no"] == "KF011")
    assert a1["amounts"] == {"band_deduction": "-80.00", "fines": "-30.50"}
    assert a1["net"] == "-110.50" and a1["flags"] == ["口头警告"] and a1["score"] == "92.00"
    # A team lead may see the close but not the payroll rows.
    assert lead.get(f"{BASE}/{key}/payroll").status_code == 403
    # Closed: a second approve is refused.
    assert post(gm, f"{BASE}/{key}/approve").status_code == 409


@pytest.mark.django_db
def test_approve_refused_with_409_when_lines_became_pending_after_review(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    manager, gm = client_for(org["manager"].user), client_for(org["gm"].user)
    assert post(manager, f"{BASE}/{month:%Y-%m}/review", {"note": ""}).status_code == 200
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=month.replace(day=28),
        rule_code="posture",
        confirm=False,
    )
    r = post(gm, f"{BASE}/{month:%Y-%m}/approve")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "month_pending_after_review"
    assert "待确认的奖惩事件 1 条" in body["message"]
    assert MonthClose.objects.get(month=month).status == MonthCloseStatus.OPEN
    assert not BackgroundJob.objects.exists()
