"""Services, pages and API — 维修单、安装记录、保修卡 through HTTP and services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent, Notification
from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Kind, Subkind
from kefu.tickets.tests.factories import make_ticket

from .. import services
from ..models import Installation, Product, RepairOrder, WarrantyCard

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org: dict[str, Any]) -> dict[str, Any]:
    sup = org["supervisor"].user
    product = services.product_create(
        actor=sup, code="CAM", name="摄像机", manufacturer_warranty_months=24
    )
    item = services.price_item_create(
        actor=sup, code="P1", name="主板", kind="part", product=product, unit_price="380.00"
    )
    customer = CustomerFactory()
    inst = services.installation_create(
        actor=sup,
        customer=customer,
        product=product,
        serial_number="SN1",
        order_no="DD1",
        acceptance_date=timezone.localdate() - dt.timedelta(days=40),
    )
    return {"sup": sup, "product": product, "item": item, "customer": customer, "inst": inst, **org}


def snapshot() -> dict[str, Any]:
    return {
        "orders": list(RepairOrder.objects.order_by("pk").values()),
        "installations": list(Installation.objects.order_by("pk").values()),
        "cards": WarrantyCard.objects.count(),
        "products": Product.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_installation_warranty_computed_and_recomputed(setup: dict[str, Any]) -> None:
    inst = setup["inst"]
    assert inst.warranty_months == 24
    inst = services.installation_update(
        actor=setup["sup"], installation=inst, acceptance_date=dt.date(2026, 3, 1)
    )
    assert inst.warranty_end == dt.date(2028, 2, 29)
    assert AuditEvent.objects.filter(action="installation.update").exists()


def test_card_issue_once(setup: dict[str, Any]) -> None:
    card = services.warranty_card_issue(actor=setup["sup"], installation=setup["inst"])
    assert card.number.startswith("BX")
    from kefu.core.errors import ConflictError

    with pytest.raises(ConflictError):
        services.warranty_card_issue(actor=setup["sup"], installation=setup["inst"])


def test_e2e_flow_from_ticket_with_arrival_breach(setup: dict[str, Any], client_for: Any) -> None:
    agent = setup["agent_a1"]
    ticket = make_ticket(
        agent,
        kind=Kind.AFTER_SALES,
        subkind=Subkind.REPAIR_REPORT,
        customer=setup["customer"],
        order_no="DD1",
        title="摄像机无图像",
    )
    c_agent = client_for(agent.user)
    page = c_agent.get(f"/tickets/{ticket.pk}/")
    assert "生成维修单" in page.content.decode()
    reported = timezone.localtime() - dt.timedelta(hours=31)
    r = c_agent.post(
        f"/aftersales/repairs/new/?ticket={ticket.pk}",
        {"fault": "无图像", "reported_at": reported.strftime("%Y-%m-%dT%H:%M")},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    order = RepairOrder.objects.get()
    assert order.installation_id == setup["inst"].pk and order.in_warranty
    assert order.number.startswith("WX")
    tech = setup["technician"]
    c = client_for(tech.user)
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/stage/assign/", {"technician_id": tech.pk}
        ).status_code
        == 302
    )
    arrived = timezone.localtime() - dt.timedelta(hours=1)
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/stage/arrive/",
            {"at": arrived.strftime("%Y-%m-%dT%H:%M")},
        ).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.arrival_breached and order.breached
    assert Notification.objects.filter(title__contains="到场已超时").exists()
    detail = c.get(f"/aftersales/repairs/{order.pk}/").content.decode()
    assert 'data-testid="clock-arrival-breached"' in detail
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/stage/spare/",
            {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        ).status_code
        == 302
    )
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/onsite/part/",
            {"price_item": setup["item"].pk, "quantity": "1"},
        ).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.charge_total == 0  # in warranty
    bad = c.post(f"/aftersales/repairs/{order.pk}/stage/sign_off/", {"signed_by_name": ""})
    assert bad.status_code == 422 and "此项必填" in bad.content.decode()
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/stage/sign_off/", {"signed_by_name": "王先生"}
        ).status_code
        == 302
    )
    assert c.post(f"/aftersales/repairs/{order.pk}/stage/close/").status_code == 302
    order.refresh_from_db()
    assert order.status == "closed" and order.next_check_at is None
    report = client_for(setup["sup"]).get("/aftersales/repairs/breaches/")
    assert order.number in report.content.decode()


def test_arrival_time_rules(setup: dict[str, Any], client_for: Any) -> None:
    sup = setup["sup"]
    order = services.repair_create(
        actor=sup, customer=setup["customer"], fault="坏了", technician=setup["technician"]
    )
    c = client_for(sup)
    future = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(f"/aftersales/repairs/{order.pk}/stage/arrive/", {"at": future})
    assert r.status_code == 422 and "不能晚于当前时间" in r.content.decode()
    before = (
        (order.reported_at - dt.timedelta(hours=1))
        .astimezone(timezone.get_current_timezone())
        .strftime("%Y-%m-%dT%H:%M")
    )
    r = c.post(f"/aftersales/repairs/{order.pk}/stage/arrive/", {"at": before})
    assert r.status_code == 422 and "不能早于报修时间" in r.content.decode()
    r = c.post(f"/aftersales/repairs/{order.pk}/stage/close/")
    assert r.status_code == 422


def test_scan_flags_and_notifies_once(setup: dict[str, Any]) -> None:
    sup = setup["sup"]
    order = services.repair_create(
        actor=sup, customer=setup["customer"], fault="坏了", technician=setup["technician"]
    )
    later = timezone.now() + dt.timedelta(hours=25)
    result = services.repairs_clock_scan(now=later)
    order.refresh_from_db()
    assert order.arrival_breached and result.breaches == 1
    n = Notification.objects.count()
    services.repairs_clock_scan(now=later)
    assert Notification.objects.count() == n


def test_remote_resolution(setup: dict[str, Any]) -> None:
    order = services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="软件")
    order = services.repair_remote(actor=setup["sup"], order=order, note="远程重启解决")
    assert order.status == "remote" and order.next_check_at is None
    services.repair_close(actor=setup["sup"], order=order)


def test_api_flow_and_list(
    setup: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    c = client_for(setup["technician"].user)
    r = c.post(
        "/api/v1/aftersales/repairs",
        {
            "customer_id": setup["customer"].pk,
            "installation_id": setup["inst"].pk,
            "fault": "无法开机",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(
        f"/api/v1/aftersales/repairs/{pk}/stage",
        {"action": "arrive"},
        content_type="application/json",
    )
    assert r.status_code == 409
    r = c.post(
        f"/api/v1/aftersales/repairs/{pk}/stage",
        {"action": "assign", "technician_id": setup["technician"].pk},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    for _ in range(5):
        services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="x")
    with django_assert_max_num_queries(12):
        r = c.get("/api/v1/aftersales/repairs?page_size=20")
    assert r.json()["count"] == 6
    r = c.get("/api/v1/aftersales/warranty?serial=SN1")
    assert r.status_code == 200 and r.json()["installations"][0]["in_warranty"] is True
    assert c.get("/api/v1/aftersales/warranty").status_code == 422


def test_list_page_queries(
    setup: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(15):
        services.repair_create(
            actor=setup["sup"],
            customer=setup["customer"],
            fault="x",
            installation=setup["inst"],
            technician=setup["technician"],
        )
    c = client_for(setup["sup"])
    with django_assert_max_num_queries(20):
        r = c.get("/aftersales/repairs/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="repair-table")
    assert r.status_code == 200 and r.content.decode().count("data-repair=") == 15
    assert c.get("/aftersales/repairs/?export=xlsx").status_code == 200
    for url in (
        "/aftersales/repairs/",
        "/aftersales/warranty/?serial=SN1",
        "/aftersales/installations/",
        "/aftersales/cards/",
        "/aftersales/products/",
        "/aftersales/repairs/new/",
        "/aftersales/installations/new/",
    ):
        assert c.get(url).status_code == 200, url
    services.warranty_card_issue(actor=setup["sup"], installation=setup["inst"])
    assert c.get(f"/aftersales/cards/{setup['inst'].pk}/print/").status_code == 200
    pdf = c.get(f"/aftersales/cards/{setup['inst'].pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["warehouse"])
def test_refused_role_changes_nothing(setup: dict[str, Any], client_for: Any, who: str) -> None:
    order = services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="x")
    c = client_for(setup[who].user)
    before = snapshot()
    for url in (
        "/aftersales/repairs/",
        f"/aftersales/repairs/{order.pk}/",
        "/aftersales/warranty/",
        "/aftersales/installations/",
        "/aftersales/cards/",
        "/aftersales/products/",
        "/aftersales/repairs/new/",
    ):
        assert c.get(url).status_code == 403, url
    assert c.post(f"/aftersales/repairs/{order.pk}/stage/close/").status_code == 403
    assert c.post("/aftersales/products/", {"code": "X", "name": "x"}).status_code == 403
    assert (
        c.post(
            f"/aftersales/cards/{setup['inst'].pk}/issue/", {"issued_on": "2026-01-01"}
        ).status_code
        == 403
    )
    for method, url, body in (
        ("get", "/api/v1/aftersales/repairs", None),
        ("post", "/api/v1/aftersales/repairs", {"customer_id": setup["customer"].pk, "fault": "x"}),
        ("post", f"/api/v1/aftersales/repairs/{order.pk}/stage", {"action": "remote", "note": "x"}),
        ("post", "/api/v1/aftersales/products", {"code": "Z", "name": "z"}),
        ("post", f"/api/v1/aftersales/installations/{setup['inst'].pk}/card", {}),
        ("get", "/api/v1/aftersales/installations", None),
    ):
        r = (
            getattr(c, method)(url, body, content_type="application/json")
            if body is not None
            else getattr(c, method)(url)
        )
        assert r.status_code == 403, url
    assert snapshot() == before


def test_agent_may_raise_but_not_work(setup: dict[str, Any], client_for: Any) -> None:
    order = services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="x")
    c = client_for(setup["agent_a1"].user)
    before = snapshot()
    assert (
        c.post(
            f"/aftersales/repairs/{order.pk}/stage/remote/", {"note": "x", "at": "2026-01-01T00:00"}
        ).status_code
        == 403
    )
    assert (
        c.post(
            "/api/v1/aftersales/installations",
            {
                "customer_id": setup["customer"].pk,
                "acceptance_date": "2026-01-01",
                "product_id": setup["product"].pk,
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    assert snapshot() == before
    assert c.get("/aftersales/repairs/").status_code == 200


def test_hr_reads_only(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["hr"].user)
    assert c.get("/aftersales/repairs/").status_code == 200
    before = snapshot()
    assert (
        c.post(
            "/api/v1/aftersales/repairs",
            {"customer_id": setup["customer"].pk, "fault": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert c.get("/aftersales/repairs/?export=xlsx").status_code == 403
    assert snapshot() == before


def test_customer_section_and_search(setup: dict[str, Any], client_for: Any) -> None:
    order = services.repair_create(
        actor=setup["sup"], customer=setup["customer"], fault="x", installation=setup["inst"]
    )
    from kefu.core.search import search_all

    sections = search_all(setup["sup"], order.number)
    assert any(s["key"] == "aftersales" for s in sections)
    sections = search_all(setup["sup"], "SN1")
    assert any(s["key"] == "aftersales" for s in sections)
    page = client_for(setup["sup"]).get(f"/customers/{setup['customer'].pk}/")
    assert order.number in page.content.decode()
