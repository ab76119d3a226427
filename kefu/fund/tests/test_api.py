"""部门基金 API (/api/v1/fund/): every endpoint, its refusals (nothing changes) and bounded queries."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.fund.models import FundEntry
from kefu.org.models import ApprovalStep

D = Decimal
pytestmark = pytest.mark.django_db
BASE = "/api/v1/fund"


def today() -> dt.date:
    return timezone.localdate()


def post(client: Any, url: str, body: dict | None = None) -> Any:
    return client.post(f"{BASE}{url}", json.dumps(body or {}), content_type="application/json")


def income(org: dict[str, Any], amount: str, dept: Any = None, text: str = "收入") -> FundEntry:
    return FundEntry.objects.create(
        department=dept or org["cs"],
        day=today(),
        kind="income",
        amount=D(amount),
        description=text,
        created_at=timezone.now(),
    )


def body(org: dict[str, Any], amount: str, dept: Any = None) -> dict[str, Any]:
    return {
        "department_id": (dept or org["cs"]).pk,
        "day": today().isoformat(),
        "amount": amount,
        "description": "班组生日会",
    }


def test_departments_with_balances_per_role(org, client_for) -> None:
    income(org, "120.5")
    income(org, "9", dept=org["hr_dept"])
    r = client_for(org["agent_a1"].user).get(f"{BASE}/departments")
    assert r.status_code == 200
    assert r.json() == [{"id": org["cs"].pk, "code": "CS", "name": "客服部", "balance": "120.50"}]
    rows = client_for(org["gm"].user).get(f"{BASE}/departments").json()
    assert {row["code"]: row["balance"] for row in rows} == {
        "HQ": "0.00",
        "CS": "120.50",
        "AS": "0.00",
        "HR": "9.00",
        "IT": "0.00",
    }


def test_entries_paginated_with_running_balance(org, client_for) -> None:
    a = income(org, "100")
    b = income(org, "50")
    c = client_for(org["agent_a1"].user)
    data = c.get(f"{BASE}/entries?month={today():%Y-%m}").json()
    assert data["count"] == 2 and data["page_size"] == 20
    assert [(i["id"], i["running_balance"]) for i in data["items"]] == [
        (b.pk, "150.00"),
        (a.pk, "100.00"),
    ]
    assert data["items"][0]["kind_label"] == "其他收入"
    assert c.get(f"{BASE}/entries?month=2001-01").json()["count"] == 0
    # Another department's ledger is not the agent's to read.
    r = c.get(f"{BASE}/entries?department={org['hr_dept'].pk}")
    assert r.status_code == 404
    assert c.get(f"{BASE}/entries/{a.pk}").json()["amount"] == "100.00"


def test_spending_request_decide_flow(org, client_for) -> None:
    income(org, "1000")
    lead = client_for(org["lead_a"].user)
    r = post(lead, "/spendings", body(org, "600"))
    assert r.status_code == 201, r.content
    entry = r.json()
    assert (entry["amount"], entry["status"]) == ("-600.00", "pending")
    pk = entry["id"]
    # Nobody is skipped: the GM cannot decide before the supervisor.
    r = post(client_for(org["gm"].user), f"/spendings/{pk}/decide", {"approve": True})
    assert r.status_code == 403
    for who in ("supervisor", "manager", "dgm"):
        r = post(client_for(org[who].user), f"/spendings/{pk}/decide", {"approve": True})
        assert r.status_code == 200 and r.json()["status"] == "pending"
    r = post(client_for(org["gm"].user), f"/spendings/{pk}/decide", {"approve": True})
    assert r.json()["status"] == "effective"
    bal = client_for(org["agent_a1"].user).get(f"{BASE}/departments").json()[0]["balance"]
    assert bal == "400.00"


def test_reject_needs_reason(org, client_for) -> None:
    income(org, "100")
    pk = post(client_for(org["lead_a"].user), "/spendings", body(org, "50")).json()["id"]
    sup = client_for(org["supervisor"].user)
    r = post(sup, f"/spendings/{pk}/decide", {"approve": False})
    assert r.status_code == 422 and r.json()["code"] == "approval_comment_required"
    r = post(sup, f"/spendings/{pk}/decide", {"approve": False, "reason": "预算不明确"})
    assert r.json()["status"] == "rejected" and r.json()["reject_reason"] == "预算不明确"


def test_spending_refused_when_fund_too_small(org, client_for) -> None:
    income(org, "100")
    r = post(client_for(org["lead_a"].user), "/spendings", body(org, "100.01"))
    assert r.status_code == 409
    assert r.json()["code"] == "fund_insufficient" and "余额不足" in r.json()["message"]
    assert not FundEntry.objects.filter(kind="spending").exists()


@pytest.mark.parametrize("who", ["agent_a1", "hr", "gm"])
def test_spending_refused_for_roles_without_the_right(org, client_for, who) -> None:
    income(org, "100")
    r = post(client_for(org[who].user), "/spendings", body(org, "10"))
    assert r.status_code == 403
    assert not FundEntry.objects.filter(kind="spending").exists()
    assert not ApprovalStep.objects.exists()


def test_spending_for_another_department_refused(org, client_for) -> None:
    income(org, "100", dept=org["hr_dept"])
    r = post(client_for(org["lead_a"].user), "/spendings", body(org, "10", dept=org["hr_dept"]))
    assert r.status_code == 404
    assert not FundEntry.objects.filter(kind="spending").exists()


def test_cancel_by_requester_only(org, client_for) -> None:
    income(org, "100")
    pk = post(client_for(org["lead_a"].user), "/spendings", body(org, "50")).json()["id"]
    r = post(client_for(org["lead_b"].user), f"/spendings/{pk}/cancel")
    assert r.status_code == 403
    assert FundEntry.objects.get(pk=pk).status == "pending"
    r = post(client_for(org["agent_b1"].user), f"/spendings/{pk}/cancel")
    assert r.status_code == 403
    r = post(client_for(org["lead_a"].user), f"/spendings/{pk}/cancel", {"reason": "改期"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = post(client_for(org["lead_a"].user), f"/spendings/{pk}/cancel")
    assert r.status_code == 409


def test_income_record(org, client_for) -> None:
    r = post(client_for(org["lead_a"].user), "/incomes", body(org, "10"))
    assert r.status_code == 403
    r = post(client_for(org["manager"].user), "/incomes", body(org, "10", dept=org["hr_dept"]))
    assert r.status_code == 404
    assert not FundEntry.objects.exists()
    r = post(client_for(org["manager"].user), "/incomes", body(org, "66.6"))
    assert r.status_code == 201
    assert (r.json()["kind"], r.json()["status"], r.json()["amount"]) == (
        "income",
        "effective",
        "66.60",
    )
    r = post(client_for(org["manager"].user), "/incomes", {**body(org, "-1")})
    assert r.status_code == 422 and "amount" in r.json()["fields"]


def test_unauthenticated_refused(org, client) -> None:
    assert client.get(f"{BASE}/departments").status_code == 401
    assert post(client, "/incomes", body(org, "10")).status_code == 401
    assert not FundEntry.objects.exists()


def test_export(org, client_for) -> None:
    income(org, "1234.5", text="开业红包")
    r = client_for(org["agent_a1"].user).get(f"{BASE}/export?month={today():%Y-%m}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A3"].value is not None and ws["D3"].value == 1234.5 and ws["E3"].value == 1234.5
    r = client_for(org["agent_a1"].user).get(f"{BASE}/export?department={org['hr_dept'].pk}")
    assert r.status_code == 404


def test_entries_queries_bounded(org, client_for, django_assert_max_num_queries) -> None:
    for i in range(40):
        income(org, str(i + 1))
    c = client_for(org["agent_a1"].user)
    c.get(f"{BASE}/departments")  # warm the session and the cached policy
    with django_assert_max_num_queries(12):
        data = c.get(f"{BASE}/entries?page_size=100").json()
    assert data["count"] == 40 and data["items"][0]["running_balance"] == "820.00"
    with django_assert_max_num_queries(12):
        assert len(c.get(f"{BASE}/departments").json()) == 1


def test_every_endpoint_refuses_a_user_without_role(org, client_for) -> None:
    from kefu.org.tests.factories import EmployeeFactory

    line = income(org, "100")
    pk = post(client_for(org["lead_a"].user), "/spendings", body(org, "50")).json()["id"]
    nobody = EmployeeFactory(department=org["cs"])
    nobody.user.groups.clear()
    c = client_for(nobody.user)
    for url in ("/departments", "/entries", f"/entries/{line.pk}", "/export"):
        assert c.get(f"{BASE}{url}").status_code == 403, url
    assert post(c, "/spendings", body(org, "10")).status_code == 403
    assert post(c, "/incomes", body(org, "10")).status_code == 403
    assert post(c, f"/spendings/{pk}/decide", {"approve": True}).status_code == 403
    assert post(c, f"/spendings/{pk}/cancel").status_code == 403
    assert FundEntry.objects.count() == 2
    assert FundEntry.objects.get(pk=pk).status == "pending"


def test_other_departments_lines_are_not_found(org, client_for) -> None:
    hr_line = income(org, "5", dept=org["hr_dept"])
    c = client_for(org["agent_a1"].user)
    assert c.get(f"{BASE}/entries/{hr_line.pk}").status_code == 404
    assert client_for(org["hr"].user).get(f"{BASE}/entries/{hr_line.pk}").status_code == 200
