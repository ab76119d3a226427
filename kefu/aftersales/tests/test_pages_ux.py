"""Pickers, price list, product edit, photo removal — pages through the HTTP client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory

from .. import services
from ..models import Installation, PriceItem, Product, RepairOrder, RepairPhoto

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def setup(org: dict[str, Any]) -> dict[str, Any]:
    sup = org["supervisor"].user
    product = services.product_create(
        actor=sup, code="CAM", name="摄像机", manufacturer_warranty_months=24
    )
    customer = CustomerFactory(name="张三", phones=["13900001234"])
    other = CustomerFactory(name="李四", phones=["13800001234"])
    inst = services.installation_create(
        actor=sup,
        customer=customer,
        product=product,
        serial_number="SN-P-1",
        acceptance_date=timezone.localdate() - dt.timedelta(days=5),
    )
    return {
        "sup": sup,
        "product": product,
        "customer": customer,
        "other": other,
        "inst": inst,
        **org,
    }


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


# --- pickers -------------------------------------------------------------------------------------
def test_suggestions(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["agent_a1"].user)
    html = c.get("/aftersales/pick/customers/", {"customer_text": "1234"}).content.decode()
    assert setup["customer"].code in html and setup["other"].code in html
    assert "13900001234" not in html  # phones masked in the suggestion
    html = c.get("/aftersales/pick/customers/", {"customer_text": "张三"}).content.decode()
    assert f'data-id="{setup["customer"].pk}"' in html and setup["other"].code not in html
    html = c.get(
        "/aftersales/pick/installations/", {"customer": setup["customer"].pk}
    ).content.decode()
    assert "SN-P-1" in html and f'data-id="{setup["inst"].pk}"' in html
    html = c.get("/aftersales/pick/installations/", {"installation_text": "SN-"}).content.decode()
    assert "SN-P-1" in html
    assert c.get("/aftersales/pick/installations/").content.decode().strip() == ""


def test_pickers_refused(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["warehouse"].user)
    assert c.get("/aftersales/pick/customers/?customer_text=1234").status_code == 403
    assert c.get("/aftersales/pick/installations/?installation_text=SN").status_code == 403
    hr = client_for(setup["hr"].user)  # reads after-sales data, fills in no form
    assert hr.get("/aftersales/pick/customers/?customer_text=1234").status_code == 403


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ({"customer": "{cid}", "customer_text": "whatever was shown"}, True),
        ({"customer_text": "{code} 张三 · 139****1234"}, True),
        ({"customer_text": "13900001234"}, True),
        ({"customer_text": "张三"}, True),
        ({"installation_text": "SN-P-1"}, True),  # the installation names the customer
        ({"customer_text": "1234"}, False),  # 尾号 of two customers
        ({"customer_text": "没有这个人"}, False),
        ({"customer_text": ""}, False),
    ],
)
def test_repair_form_picker(
    setup: dict[str, Any], client_for: Any, data: dict[str, str], ok: bool
) -> None:
    c = client_for(setup["agent_a1"].user)
    form = {
        k: v.format(cid=setup["customer"].pk, code=setup["customer"].code) for k, v in data.items()
    }
    r = c.post("/aftersales/repairs/new/", {**form, "fault": "无法开机", "reported_at": _now()})
    if ok:
        assert r.status_code == 302, r.content.decode()[:3000]
        assert RepairOrder.objects.get().customer_id == setup["customer"].pk
    else:
        assert r.status_code == 422
        page = r.content.decode()
        assert 'data-field="customer_text"' in page and "has-error" in page
        assert "无法开机" in page  # what was typed is kept
        assert not RepairOrder.objects.exists()


def test_installation_of_another_customer_is_refused_under_its_field(
    setup: dict[str, Any], client_for: Any
) -> None:
    c = client_for(setup["agent_a1"].user)
    r = c.post(
        "/aftersales/repairs/new/",
        {
            "customer": setup["other"].pk,
            "customer_text": "李四",
            "installation": setup["inst"].pk,
            "installation_text": "SN-P-1",
            "fault": "x",
            "reported_at": _now(),
        },
    )
    assert r.status_code == 422
    assert "安装记录不属于该客户" in r.content.decode()
    assert not RepairOrder.objects.exists()


def test_new_repair_for_a_customer_prefills_the_picker(
    setup: dict[str, Any], client_for: Any
) -> None:
    c = client_for(setup["agent_a1"].user)
    page = c.get(f"/aftersales/repairs/new/?customer={setup['customer'].pk}").content.decode()
    assert setup["customer"].code in page and 'data-picker="id_customer"' in page
    assert "aftersales/picker.js" in page


def test_installation_form_picker(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["technician"].user)
    base = {"kind": "product", "product": setup["product"].pk, "acceptance_date": "2026-01-05"}
    r = c.post("/aftersales/installations/new/", {**base, "customer_text": "13800001234"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Installation.objects.latest("pk").customer_id == setup["other"].pk
    r = c.post("/aftersales/installations/new/", {**base, "customer_text": "?"})
    assert r.status_code == 422 and "找不到该客户" in r.content.decode()
    inst = setup["inst"]
    page = c.get(f"/aftersales/installations/{inst.pk}/edit/").content.decode()
    assert setup["customer"].code in page


# --- price list and product edit --------------------------------------------------------------
def test_price_list_and_edit(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["supervisor"].user)
    item = {
        "code": "p-9",
        "name": "镜头",
        "kind": "part",
        "product": setup["product"].pk,
        "unit": "个",
        "unit_price": "120.50",
        "is_active": "on",
    }
    assert c.post("/aftersales/prices/", item).status_code == 302
    created = PriceItem.objects.get(code="P-9")
    assert created.unit_price == Decimal("120.50") and created.product_id == setup["product"].pk
    r = c.post("/aftersales/prices/", {**item, "unit_price": "-1"})
    assert r.status_code == 422 and "单价不能小于0" in r.content.decode()
    r = c.post("/aftersales/prices/", item)
    assert r.status_code == 422 and "编码已存在" in r.content.decode()
    page = c.get("/aftersales/prices/?q=镜头").content.decode()
    assert "P-9" in page and "¥120.50" in page
    table = c.get(
        f"/aftersales/prices/?product={setup['product'].pk}&kind=part",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="price-table",
    ).content.decode()
    assert "P-9" in table and "<html" not in table
    # Made general (通用): the product is cleared, not kept.
    r = c.post(
        f"/aftersales/prices/{created.pk}/edit/", {**item, "product": "", "unit_price": "99"}
    )
    assert r.status_code == 302
    created.refresh_from_db()
    assert created.product_id is None and created.unit_price == Decimal("99.00")
    assert AuditEvent.objects.filter(action="price_item.update").exists()


def test_price_list_read_only_for_agents(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["agent_a1"].user)
    page = c.get("/aftersales/prices/")
    assert page.status_code == 200 and 'data-testid="price-form"' not in page.content.decode()
    before = PriceItem.objects.count()
    body = {"code": "X", "name": "x", "kind": "part", "unit": "个", "unit_price": "1"}
    assert c.post("/aftersales/prices/", body).status_code == 403
    assert c.get(f"/aftersales/products/{setup['product'].pk}/edit/").status_code == 403
    assert c.post(f"/aftersales/products/{setup['product'].pk}/edit/", {}).status_code == 403
    assert PriceItem.objects.count() == before
    assert client_for(setup["warehouse"].user).get("/aftersales/prices/").status_code == 403


def test_product_edit(setup: dict[str, Any], client_for: Any) -> None:
    c = client_for(setup["supervisor"].user)
    other = services.product_create(actor=setup["sup"], code="NVR", name="录像机")
    url = f"/aftersales/products/{setup['product'].pk}/edit/"
    page = c.get(url).content.decode()
    assert "摄像机" in page and 'data-testid="product-edit-form"' in page
    body = {"code": "CAM", "name": "高清摄像机", "manufacturer_warranty_months": "36"}
    assert c.post(url, body).status_code == 302
    product = Product.objects.get(pk=setup["product"].pk)
    assert product.name == "高清摄像机" and product.manufacturer_warranty_months == 36
    assert not product.is_active  # the box was not ticked
    r = c.post(url, {**body, "code": other.code, "is_active": "on"})
    assert r.status_code == 422 and "产品编码已存在" in r.content.decode()
    assert 'data-testid="product-edit"' in c.get("/aftersales/products/").content.decode()


# --- photo removal --------------------------------------------------------------------------
def test_photo_remove(setup: dict[str, Any], client_for: Any) -> None:
    order = services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="x")
    photo = services.repair_attach_photo(
        actor=setup["sup"], order=order, name="现场.png", content=PNG
    )
    agent = client_for(setup["agent_a1"].user)
    url = f"/aftersales/repairs/{order.pk}/onsite/remove_photo/"
    assert agent.post(url, {"photo": photo.pk}).status_code == 403
    assert RepairPhoto.objects.filter(pk=photo.pk).exists()
    c = client_for(setup["technician"].user)
    detail = c.get(f"/aftersales/repairs/{order.pk}/").content.decode()
    assert 'data-testid="photo-remove"' in detail and "确定要删除这张照片吗？" in detail
    assert c.post(url, {"photo": 999999}).status_code == 404
    assert c.post(url, {"photo": photo.pk}).status_code == 302
    assert not RepairPhoto.objects.filter(pk=photo.pk).exists()
    event = AuditEvent.objects.get(action="repair.remove_photo")
    assert event.before["photo"] == "现场.png"
    assert "删除照片" in c.get(f"/aftersales/repairs/{order.pk}/").content.decode()


def test_photo_remove_refused_on_a_closed_order(setup: dict[str, Any]) -> None:
    from kefu.core.errors import ConflictError

    order = services.repair_create(actor=setup["sup"], customer=setup["customer"], fault="x")
    photo = services.repair_attach_photo(actor=setup["sup"], order=order, name="a.png", content=PNG)
    order = services.repair_remote(actor=setup["sup"], order=order, note="远程解决")
    services.repair_close(actor=setup["sup"], order=order)
    with pytest.raises(ConflictError):
        services.repair_remove_photo(actor=setup["sup"], order=order, photo_id=photo.pk)
    assert RepairPhoto.objects.filter(pk=photo.pk).exists()
