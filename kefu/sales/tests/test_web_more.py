"""Pages and API of 未付款订单, 更正/删除, 询单数导入 and 未成交原因: who sees what, htmx 催付,
refused roles change nothing, query counts on the lists."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.calendar import SHANGHAI
from kefu.performance.models import Incident
from kefu.sales import services_unpaid
from kefu.sales.models import ChaseRecord, InquiryCount, LostInquiry, SalesLine, UnpaidOrder

from .helpers import line

pytestmark = pytest.mark.django_db
API = "/api/v1/sales"
D = Decimal
PLACED = dt.datetime(2026, 6, 2, 10, 0, tzinfo=SHANGHAI)


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def order(org: dict[str, Any], agent: str, no: str, placed: dt.datetime = PLACED) -> UnpaidOrder:
    return services_unpaid.unpaid_order_enter(
        actor=org["supervisor"].user, agent=org[agent], order_no=no, placed_at=placed
    )


@pytest.fixture
def orders(org: dict[str, Any]) -> dict[str, UnpaidOrder]:
    now = dt.datetime.now(SHANGHAI)
    return {
        "a1": order(org, "agent_a1", "UA1"),
        "a2": order(org, "agent_a2", "UA2", now - dt.timedelta(minutes=10)),
        "b1": order(org, "agent_b1", "UB1"),
    }


def test_unpaid_page_scope(org: dict[str, Any], orders: Any, client_for: Any) -> None:
    own = client_for(org["agent_a1"].user).get("/sales/unpaid/").content.decode()
    assert "UA1" in own and "UA2" not in own and "UB1" not in own
    assert "超时未催付" in own and 'data-testid="chase-form"' in own
    lead = client_for(org["lead_a"].user).get("/sales/unpaid/").content.decode()
    assert "UA1" in lead and "UA2" in lead and "UB1" not in lead
    sup = client_for(org["supervisor"].user).get("/sales/unpaid/").content.decode()
    assert all(n in sup for n in ("UA1", "UA2", "UB1")) and "检查超时未催付" in sup
    gm = client_for(org["gm"].user).get("/sales/unpaid/").content.decode()
    assert "UB1" in gm and 'data-testid="chase-form"' not in gm
    assert client_for(org["warehouse"].user).get("/sales/unpaid/").status_code == 403


def test_unpaid_state_filters(org: dict[str, Any], orders: Any, client_for: Any) -> None:
    c = client_for(org["supervisor"].user)

    def listed(state: str) -> set[str]:
        page = c.get(
            f"/sales/unpaid/?state={state}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="unpaid-table"
        ).content.decode()
        assert "<html" not in page
        return {n for n in ("UA1", "UA2", "UB1") if n in page}

    assert listed("late") == {"UA1", "UB1"} and listed("pending") == {"UA2"}
    services_unpaid.unpaid_chase(actor=org["agent_a2"].user, order=orders["a2"], channel="phone")
    services_unpaid.unpaid_mark_paid(actor=org["agent_b1"].user, order=orders["b1"])
    assert listed("chased") == {"UA2"} and listed("paid") == {"UB1"}
    assert listed("late") == {"UA1", "UB1"}  # paid after the hour: still a miss


def test_htmx_chase_swaps_the_row(org: dict[str, Any], orders: Any, client_for: Any) -> None:
    c = client_for(org["agent_a1"].user)
    url = f"/sales/unpaid/{orders['a1'].pk}/chase/"
    r = c.post(url, {"channel": "wangwang", "note": "已提醒"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and body.startswith("<tr") and "已催付" in body
    assert ChaseRecord.objects.get().note == "已提醒"
    bad = c.post(url, {"channel": "nope"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="row-error"' in bad and ChaseRecord.objects.count() == 1
    # someone else's order: not found; a role without the permission: refused
    other = f"/sales/unpaid/{orders['b1'].pk}/chase/"
    assert c.post(other, {"channel": "phone"}).status_code == 404
    assert client_for(org["hr"].user).post(url, {"channel": "phone"}).status_code == 403
    assert (
        client_for(org["gm"].user).post(f"/sales/unpaid/{orders['a1'].pk}/paid/").status_code == 403
    )
    assert ChaseRecord.objects.count() == 1
    orders["a1"].refresh_from_db()
    assert orders["a1"].status == "waiting"


def test_check_button_and_refusal(org: dict[str, Any], orders: Any, client_for: Any) -> None:
    assert client_for(org["lead_a"].user).post("/sales/unpaid/check/").status_code == 403
    assert not Incident.objects.exists()
    r = client_for(org["manager"].user).post("/sales/unpaid/check/")
    assert r.status_code == 302 and Incident.objects.count() == 2


def test_unpaid_new_page(org: dict[str, Any], client_for: Any) -> None:
    c = client_for(org["agent_a1"].user)
    assert c.get("/sales/unpaid/new/").status_code == 200
    r = c.post(
        "/sales/unpaid/new/",
        {"agent": org["agent_a1"].pk, "order_no": "N1", "placed_at": "2026-06-02T10:00"},
    )
    assert r.status_code == 302 and UnpaidOrder.objects.get().placed_at == PLACED
    bad = c.post("/sales/unpaid/new/", {"agent": org["agent_a2"].pk, "order_no": "N2"})
    assert bad.status_code == 422 and UnpaidOrder.objects.count() == 1


def test_list_queries(
    org: dict[str, Any],
    client_for: Any,
    make_employee: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(15):
        person = make_employee(department=org["cs"], team=org["team_a"])
        UnpaidOrder.objects.create(
            order_no=f"Q{n}",
            agent=person,
            placed_at=PLACED,
            deadline=PLACED + dt.timedelta(hours=1),
            source="manual",
        )
        LostInquiry.objects.create(
            agent=person, day=PLACED.date(), reason="price", reason_name="价格或优惠未谈拢"
        )
    c = client_for(org["manager"].user)
    with django_assert_max_num_queries(20):
        assert c.get("/sales/unpaid/").status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(f"{API}/unpaid").json()["count"] == 15
    with django_assert_max_num_queries(20):
        assert c.get("/sales/lost/").status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get("/sales/lost/report/?month=2026-06").status_code == 200


# --- API ------------------------------------------------------------------------------------------
def test_api_unpaid_flow(org: dict[str, Any], client_for: Any) -> None:
    c = client_for(org["agent_a1"].user)
    r = post(
        c,
        f"{API}/unpaid",
        {"agent_no": "KF011", "order_no": "API1", "placed_at": "2026-06-02T10:00:00"},
    )
    assert r.status_code == 201 and r.json()["state"] == "late" and r.json()["late"] is True
    oid = r.json()["id"]
    r = post(
        c, f"{API}/unpaid/{oid}/chases", {"channel": "sms", "chased_at": "2026-06-02T10:30:00"}
    )
    assert r.status_code == 201 and r.json()["state"] == "chased" and r.json()["late"] is False
    assert post(c, f"{API}/unpaid/{oid}/chases", {"channel": "bad"}).status_code == 422
    assert post(c, f"{API}/unpaid/{oid}/paid", {}).json()["status"] == "paid"
    assert post(c, f"{API}/unpaid/check", {}).status_code == 403
    assert c.get(f"{API}/unpaid?state=paid").json()["count"] == 1
    other = client_for(org["agent_b1"].user)
    assert post(other, f"{API}/unpaid/{oid}/paid", {}).status_code == 404
    assert (
        post(
            other,
            f"{API}/unpaid",
            {"agent_no": "KF011", "order_no": "X", "placed_at": "2026-06-02T10:00:00"},
        ).status_code
        == 422
    )
    assert UnpaidOrder.objects.count() == 1


def test_api_line_correct_delete_and_lost(org: dict[str, Any], client_for: Any) -> None:
    x = line(org["agent_a1"], PLACED.date(), "100", order_no="L-1")
    lead = client_for(org["lead_a"].user)
    r = lead.put(
        f"{API}/lines/{x.pk}",
        json.dumps({"reason": "价格", "unit_price": "80"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and D(r.json()["amount"]) == D("80")
    assert (
        post(
            client_for(org["lead_b"].user), f"{API}/lines/{x.pk}/delete", {"reason": "x"}
        ).status_code
        == 404
    )
    assert post(lead, f"{API}/lines/{x.pk}/delete", {"reason": "重复"}).status_code == 204
    assert not SalesLine.objects.exists()
    a1 = client_for(org["agent_a1"].user)
    assert {"code": "price", "name": "价格或优惠未谈拢"} in a1.get(f"{API}/lost/reasons").json()
    r = post(a1, f"{API}/lost", {"agent_no": "KF011", "day": "2026-06-02", "reason": "color"})
    assert r.status_code == 201 and r.json()["reason_name"] == "担心色差"
    report = a1.get(f"{API}/lost/report?month=2026-06").json()
    assert report["items"][0]["reasons"] == {"color": 1}
    assert (
        post(
            a1, f"{API}/lost", {"agent_no": "KF011", "day": "2026-06-02", "reason": "zzz"}
        ).status_code
        == 422
    )


def test_inquiry_import_page_and_api(org: dict[str, Any], client_for: Any) -> None:
    sup = client_for(org["supervisor"].user)
    assert sup.get("/sales/inquiries/import/").status_code == 200
    data = "日期,工号,咨询量\n2026-06-10,KF011,12\n".encode()
    r = sup.post("/sales/inquiries/import/", {"file": SimpleUploadedFile("a.csv", data)})
    assert r.status_code == 302 and InquiryCount.objects.get().count == 12
    job_page = sup.get(r["Location"]).content.decode()
    assert "新增询单数 1 条" in job_page
    r = sup.post(f"{API}/inquiries/imports", {"file": SimpleUploadedFile("b.csv", data)})
    assert r.status_code == 202
    lead = client_for(org["lead_a"].user)
    assert lead.get("/sales/inquiries/import/").status_code == 403
    bad = sup.post("/sales/inquiries/import/", {"file": SimpleUploadedFile("c.csv", b"x,y\n1,2")})
    assert bad.status_code == 422 and "没有找到表头" in bad.content.decode()


def test_line_edit_page(org: dict[str, Any], client_for: Any) -> None:
    x = line(org["agent_a1"], PLACED.date(), "100", order_no="E-1")
    c = client_for(org["agent_a1"].user)
    page = c.get("/sales/reports/").content.decode()
    assert f"/sales/reports/{x.pk}/edit/" in page
    assert c.get(f"/sales/reports/{x.pk}/edit/").status_code == 200
    form = {
        "agent": org["agent_a1"].pk,
        "day": "2026-06-02",
        "item": "净水器",
        "quantity": 2,
        "unit_price": "100",
        "reason": "数量",
    }
    assert c.post(f"/sales/reports/{x.pk}/edit/", form).status_code == 302
    x.refresh_from_db()
    assert x.amount == D("200.00")
    assert c.post(f"/sales/reports/{x.pk}/delete/", {"reason": ""}).status_code == 422
    hr = client_for(org["hr"].user)
    assert hr.post(f"/sales/reports/{x.pk}/delete/", {"reason": "x"}).status_code == 403
    assert c.post(f"/sales/reports/{x.pk}/delete/", {"reason": "错"}).status_code == 302
    assert not SalesLine.objects.exists()
