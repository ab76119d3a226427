"""Pages and API of the sales module: who sees what, who may write (refused roles change
nothing), query counts on the lists, manual entry and inquiry entry."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.models import BackgroundJob
from kefu.sales.models import InquiryCount, SalesLine

from .helpers import inquiries, line

pytestmark = pytest.mark.django_db
API = "/api/v1/sales"
D = Decimal
DAY = dt.date(2026, 6, 10)


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def data(org: dict[str, Any]) -> None:
    line(org["agent_a1"], DAY, "20000", order_no="A-1")
    inquiries(org["agent_a1"], DAY, 1)
    line(org["agent_a2"], DAY, "1000", order_no="A-2")
    line(org["agent_b1"], DAY, "500", order_no="B-1")


# --- pages ------------------------------------------------------------------------------------
def test_commission_page_agent_sees_own(org: dict[str, Any], data: None, client_for: Any) -> None:
    page = client_for(org["agent_a1"].user).get("/sales/?month=2026-06").content.decode()
    assert "KF011" in page and "KF012" not in page and "KF021" not in page
    assert "¥300.00" in page and "100.00%" in page  # 1 order / 1 inquiry → 1.5 %
    assert "月度销售冠军" in page and "¥50.00" in page  # rankings are public


def test_commission_page_lead_and_supervisor_scope(
    org: dict[str, Any], data: None, client_for: Any
) -> None:
    lead = client_for(org["lead_a"].user).get("/sales/?month=2026-06").content.decode()
    assert "KF011" in lead and "KF012" in lead and "KF021" not in lead
    sup = (
        client_for(org["supervisor"].user)
        .get(
            "/sales/?month=2026-06&team=" + str(org["team_b"].pk),
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="sales-table",
        )
        .content.decode()
    )
    assert "KF021" in sup and "KF011" not in sup and "<html" not in sup


def test_commission_page_refused_and_export(
    org: dict[str, Any], data: None, client_for: Any
) -> None:
    for who in ("warehouse", "technician", "clerk"):
        assert client_for(org[who].user).get("/sales/").status_code == 403
        assert client_for(org[who].user).get("/sales/export/").status_code == 403
    r = client_for(org["hr"].user).get("/sales/export/?month=2026-06")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_commission_page_queries(
    org: dict[str, Any],
    data: None,
    client_for: Any,
    django_assert_max_num_queries: Any,
    make_employee: Any,
) -> None:
    for _ in range(10):
        person = make_employee(department=org["cs"])
        line(person, DAY, "100")
    client = client_for(org["gm"].user)
    client.get("/sales/?month=2026-06")
    with django_assert_max_num_queries(28):
        assert client.get("/sales/?month=2026-06").status_code == 200


def test_report_list_scope_filters_and_queries(
    org: dict[str, Any], data: None, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = client_for(org["agent_a1"].user).get("/sales/reports/").content.decode()
    assert "A-1" in agent and "A-2" not in agent
    sup = client_for(org["supervisor"].user)
    page = sup.get(
        f"/sales/reports/?team={org['team_b'].pk}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="sales-table",
    ).content.decode()
    assert "B-1" in page and "A-1" not in page and "共 1 条" in page
    assert "A-2" in sup.get("/sales/reports/?q=A-2&from=2026-06-01&to=2026-06-30").content.decode()
    for i in range(30):
        line(org["agent_a2"], DAY, "10", order_no=f"Q-{i}")
    with django_assert_max_num_queries(20):
        assert sup.get("/sales/reports/?page_size=50").status_code == 200
    r = sup.get("/sales/reports/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    for who in ("warehouse", "technician"):
        assert client_for(org[who].user).get("/sales/reports/").status_code == 403
        assert client_for(org[who].user).get("/sales/reports/export/").status_code == 403


def _entry(agent_pk: int, order_no: str = "M-1") -> dict[str, Any]:
    return {
        "agent": agent_pk,
        "day": "2026-06-12",
        "order_no": order_no,
        "customer_name": "王女士",
        "remarks": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "净水器",
        "items-0-quantity": "2",
        "items-0-unit_price": "1280.50",
        "items-1-item": "",
    }


def test_agent_enters_own_day(org: dict[str, Any], client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    assert client.get("/sales/reports/new/").status_code == 200
    r = client.post("/sales/reports/new/", _entry(org["agent_a1"].pk))
    assert r.status_code == 302
    x = SalesLine.objects.get()
    assert (x.agent, x.quantity, x.amount, x.source) == (org["agent_a1"], 2, D("2561.00"), "manual")
    # the same order again: refused beside the field, input kept
    r = client.post("/sales/reports/new/", _entry(org["agent_a1"].pk))
    assert (
        r.status_code == 422 and "已登记" in r.content.decode() and "王女士" in r.content.decode()
    )
    # someone else's day: not a choice for an agent
    r = client.post("/sales/reports/new/", _entry(org["agent_a2"].pk, "M-2"))
    assert r.status_code == 422 and SalesLine.objects.count() == 1


def test_entry_refused_roles_change_nothing(org: dict[str, Any], client_for: Any) -> None:
    for who in ("warehouse", "hr", "technician"):
        client = client_for(org[who].user)
        assert client.get("/sales/reports/new/").status_code == 403
        assert client.post("/sales/reports/new/", _entry(org["agent_a1"].pk)).status_code == 403
    assert not SalesLine.objects.exists()


def test_inquiry_page_entry(org: dict[str, Any], client_for: Any) -> None:
    agent = client_for(org["agent_a1"].user)
    page = agent.get("/sales/inquiries/").content.decode()
    assert 'data-testid="inquiry-form"' not in page
    body = {"agent": org["agent_a1"].pk, "day": "2026-06-10", "count": "40"}
    assert agent.post("/sales/inquiries/", body).status_code == 403
    assert not InquiryCount.objects.exists()
    sup = client_for(org["supervisor"].user)
    assert sup.post("/sales/inquiries/", body).status_code == 302
    assert sup.post("/sales/inquiries/", {**body, "count": "45"}).status_code == 302
    row = InquiryCount.objects.get()
    assert (row.count, row.source) == (45, "import")
    assert "45" in agent.get("/sales/inquiries/").content.decode()
    assert client_for(org["warehouse"].user).get("/sales/inquiries/").status_code == 403


# --- API --------------------------------------------------------------------------------------
def test_api_lines(
    org: dict[str, Any], data: None, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = client_for(org["agent_a1"].user)
    out = agent.get(f"{API}/lines").json()
    assert out["count"] == 1 and out["items"][0]["order_no"] == "A-1"
    sup = client_for(org["supervisor"].user)
    with django_assert_max_num_queries(14):
        out = sup.get(f"{API}/lines?date_from=2026-06-01&date_to=2026-06-30&page_size=50").json()
    assert out["count"] == 3
    assert client_for(org["warehouse"].user).get(f"{API}/lines").status_code == 403


def test_api_enter_lines(org: dict[str, Any], client_for: Any) -> None:
    body = {
        "agent_no": "KF011",
        "day": "2026-06-12",
        "order_no": "API-1",
        "customer_name": "赵先生",
        "items": [
            {"item": "净水器", "quantity": 1, "unit_price": "1999.00"},
            {"item": "滤芯", "quantity": 3, "unit_price": "59.90"},
        ],
    }
    agent = client_for(org["agent_a1"].user)
    r = post(agent, f"{API}/lines", body)
    assert r.status_code == 201 and [x["amount"] for x in r.json()] == ["1999.00", "179.70"]
    assert post(agent, f"{API}/lines", body).status_code == 409
    other = {**body, "agent_no": "KF012", "order_no": "API-2"}
    assert post(agent, f"{API}/lines", other).status_code == 422
    for who in ("warehouse", "hr"):
        assert post(client_for(org[who].user), f"{API}/lines", other).status_code == 403
    assert SalesLine.objects.count() == 2


def test_api_import(org: dict[str, Any], client_for: Any) -> None:
    text = "订单号,商品,数量,单价,付款时间,备注\nI1,净水器,1,100,2026-06-02,KF011\n".encode()
    r = client_for(org["agent_a1"].user).post(
        f"{API}/imports", {"file": SimpleUploadedFile("o.csv", text)}
    )
    assert r.status_code == 403 and not BackgroundJob.objects.exists()
    r = client_for(org["supervisor"].user).post(
        f"{API}/imports", {"file": SimpleUploadedFile("o.csv", text)}
    )
    assert r.status_code == 202 and r.json()["job_id"]
    assert SalesLine.objects.get().order_no == "I1"
    r = client_for(org["supervisor"].user).post(
        f"{API}/imports", {"file": SimpleUploadedFile("o.csv", b"x")}
    )
    assert r.status_code == 422


def test_api_inquiries(org: dict[str, Any], client_for: Any) -> None:
    body = {
        "items": [
            {"employee_no": "KF011", "day": "2026-06-10", "count": 40},
            {"employee_no": "KF012", "day": "2026-06-10", "count": 30},
        ]
    }
    assert post(client_for(org["agent_a1"].user), f"{API}/inquiries", body).status_code == 403
    assert not InquiryCount.objects.exists()
    sup = client_for(org["supervisor"].user)
    assert post(sup, f"{API}/inquiries", body).json() == {"recorded": 2}
    bad = {
        "items": [
            {"employee_no": "KF011", "day": "2026-06-11", "count": 5},
            {"employee_no": "HR001", "day": "2026-06-10", "count": 1},
        ]
    }
    r = post(sup, f"{API}/inquiries", bad)
    assert r.status_code == 422 and "第2条" in r.json()["message"]
    assert InquiryCount.objects.count() == 2  # all or none
    out = client_for(org["agent_a1"].user).get(f"{API}/inquiries").json()
    assert [(i["agent_no"], i["count"]) for i in out["items"]] == [("KF011", 40)]
    assert client_for(org["warehouse"].user).get(f"{API}/inquiries").status_code == 403


def test_api_commissions_and_rankings(
    org: dict[str, Any], data: None, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    agent = client_for(org["agent_a1"].user)
    out = agent.get(f"{API}/commissions?month=2026-06").json()
    assert [(i["employee_no"], i["commission"], i["rank"]) for i in out["items"]] == [
        ("KF011", "300.00", 1)
    ]
    gm = client_for(org["gm"].user)
    with django_assert_max_num_queries(16):
        out = gm.get(f"{API}/commissions?month=2026-06").json()
    assert [i["employee_no"] for i in out["items"]] == ["KF011", "KF012", "KF021"]
    assert gm.get(f"{API}/commissions?month=2026-13").status_code == 422
    ranks = agent.get(f"{API}/rankings?month=2026-06").json()
    assert [(a["employee_no"], a["amount"], a["booked"]) for a in ranks["top_sellers"]] == [
        ("KF011", "50", False)
    ]
    for who in ("warehouse", "clerk"):
        assert client_for(org[who].user).get(f"{API}/commissions").status_code == 403
        assert client_for(org[who].user).get(f"{API}/rankings").status_code == 403
