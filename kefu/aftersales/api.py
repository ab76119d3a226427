"""售后服务 API — mounted at /api/v1/aftersales/ (AS-1..3, TKT-8; all writes via services).

Products and the price list, installations (warranty computed by the service), warranty lookup,
warranty cards, repair orders with their stage actions and on-site record. Refusals are 403,
a stage at the wrong time 409, bad input 422 — all as ``{code, message, fields}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.renderers import JSONRenderer

from kefu.core.apikit import ErrorOut, page_window, require_perm
from kefu.core.errors import DomainError
from kefu.customers.selectors import customers_for_user
from kefu.org.models import Employee

from . import selectors, services
from .choices import InstallationKind, PriceKind
from .models import Installation, PriceItem, Product
from .services.common import (
    ADD_INSTALLATION,
    ADD_PRODUCT,
    CHANGE_INSTALLATION,
    CHANGE_PRICE,
    CHANGE_PRODUCT,
    ISSUE_CARD,
    VIEW_INSTALLATION,
    VIEW_PRODUCT,
)
from .warranty import days_left, in_warranty

router = Router(tags=["售后服务"])
_RENDERER = JSONRenderer()  # the API's renderer (config/api.py keeps ninja's default)
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _page(qs: Any, page: int, page_size: int) -> dict[str, Any]:
    """One page of a small list (products, installations); the repair list has its own
    (``selectors.repair_list_page``: capped count in the same query)."""
    count = qs.count()
    size, current, start = page_window(count, page, page_size)
    return {
        "count": count,
        "count_capped": False,
        "page": current,
        "page_size": size,
        "items": list(qs[start : start + size]),
    }


# --- products and price list --------------------------------------------------------------------
class ProductIn(Schema):
    code: str = Field(max_length=30)
    name: str = Field(max_length=100)
    model_no: str = Field("", max_length=60)
    category: str = Field("", max_length=40)
    manufacturer: str = Field("", max_length=100)
    manufacturer_warranty_months: int = Field(0, ge=0, le=240)
    is_active: bool = True


class ProductOut(Schema):
    id: int
    code: str
    name: str
    model_no: str
    category: str
    manufacturer: str
    manufacturer_warranty_months: int
    is_active: bool


class ProductPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[ProductOut]


class PriceItemIn(Schema):
    code: str = Field(max_length=30)
    name: str = Field(max_length=100)
    kind: PriceKind
    product_id: int | None = None
    unit: str = Field("个", max_length=10)
    unit_price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    is_active: bool = True


class PriceItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    product_id: int | None
    unit: str
    unit_price: Decimal
    is_active: bool


class ListQuery(Schema):
    q: str = Field("", max_length=60)
    page: int = Field(1, ge=1)
    page_size: int = 20


@router.get("/products", response={200: ProductPage, **ERRORS})
def product_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """产品目录."""
    require_perm(request, VIEW_PRODUCT)
    return _page(selectors.products_for_user(request.user, q=query.q), query.page, query.page_size)


@router.post("/products", response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    require_perm(request, ADD_PRODUCT)
    return Status(201, services.product_create(actor=request.user, **payload.dict()))


@router.put("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: int, payload: ProductIn) -> Any:
    require_perm(request, CHANGE_PRODUCT)
    product = selectors.products_for_user(request.user).get(pk=product_id)
    return services.product_update(actor=request.user, product=product, **payload.dict())


@router.get("/price-items", response={200: list[PriceItemOut], **ERRORS})
def price_item_list(request: HttpRequest, product_id: int | None = None, q: str = "") -> Any:
    """价目表 (配件/工时); with ``product_id``: that product's items and the general ones."""
    require_perm(request, VIEW_PRODUCT)
    return list(selectors.price_items_for_user(request.user, product_id=product_id, q=q[:60]))


def _price_kwargs(request: HttpRequest, payload: PriceItemIn) -> dict[str, Any]:
    data = payload.dict()
    product_id = data.pop("product_id")
    data["kind"] = payload.kind.value
    data["product"] = (
        selectors.products_for_user(request.user).get(pk=product_id) if product_id else None
    )
    return data


@router.post("/price-items", response={201: PriceItemOut, **ERRORS})
def price_item_create(request: HttpRequest, payload: PriceItemIn) -> Any:
    require_perm(request, CHANGE_PRICE)
    return Status(
        201, services.price_item_create(actor=request.user, **_price_kwargs(request, payload))
    )


@router.put("/price-items/{item_id}", response={200: PriceItemOut, **ERRORS})
def price_item_update(request: HttpRequest, item_id: int, payload: PriceItemIn) -> Any:
    require_perm(request, CHANGE_PRICE)
    item = PriceItem.objects.get(pk=item_id)
    return services.price_item_update(
        actor=request.user, item=item, **_price_kwargs(request, payload)
    )


# --- installations and warranty -----------------------------------------------------------------
class InstallationIn(Schema):
    customer_id: int
    kind: InstallationKind = InstallationKind.PRODUCT
    product_id: int | None = None
    project_name: str = Field("", max_length=100)
    serial_number: str = Field("", max_length=60)
    order_no: str = Field("", max_length=40)
    address: str = Field("", max_length=200)
    acceptance_date: dt.date
    department_id: int | None = None
    responsible_id: int | None = None
    notes: str = Field("", max_length=2000)


class CardOut(Schema):
    number: str
    issued_on: dt.date
    installation_id: int


class InstallationOut(Schema):
    id: int
    number: str
    kind: str
    customer_id: int
    customer: str
    product_id: int | None
    product: str
    project_name: str
    serial_number: str
    order_no: str
    address: str
    acceptance_date: dt.date
    warranty_months: int
    warranty_end: dt.date
    in_warranty: bool
    days_left: int
    card: CardOut | None
    department_id: int | None
    responsible_id: int | None


class InstallationPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[InstallationOut]


def installation_out(inst: Installation) -> dict[str, Any]:
    today = timezone.localdate()
    card = getattr(inst, "card", None)
    return {
        "id": inst.pk,
        "number": inst.number,
        "kind": inst.kind,
        "customer_id": inst.customer_id,
        "customer": inst.customer.name,
        "product_id": inst.product_id,
        "product": str(inst.product) if inst.product_id else "",
        "project_name": inst.project_name,
        "serial_number": inst.serial_number,
        "order_no": inst.order_no,
        "address": inst.address,
        "acceptance_date": inst.acceptance_date,
        "warranty_months": inst.warranty_months,
        "warranty_end": inst.warranty_end,
        "in_warranty": in_warranty(inst.acceptance_date, inst.warranty_end, today),
        "days_left": days_left(inst.warranty_end, today),
        "card": {"number": card.number, "issued_on": card.issued_on, "installation_id": inst.pk}
        if card
        else None,
        "department_id": inst.department_id,
        "responsible_id": inst.responsible_id,
    }


def _installation_kwargs(request: HttpRequest, payload: InstallationIn) -> dict[str, Any]:
    from kefu.org.models import Department

    data = payload.dict()
    data["kind"] = payload.kind.value
    data["customer"] = customers_for_user(request.user).get(pk=data.pop("customer_id"))
    product_id = data.pop("product_id")
    data["product"] = Product.objects.get(pk=product_id) if product_id else None
    dep = data.pop("department_id")
    data["department"] = Department.objects.get(pk=dep) if dep else None
    resp = data.pop("responsible_id")
    data["responsible"] = Employee.objects.get(pk=resp) if resp else None
    return data


@router.get("/installations", response={200: InstallationPage, **ERRORS})
def installation_list(
    request: HttpRequest, query: Query[ListQuery], customer_id: int | None = None
) -> Any:
    """安装记录 (q: 安装编号/序列号/订单号 exact, or customer name)."""
    require_perm(request, VIEW_INSTALLATION)
    qs = selectors.installations_for_user(request.user, q=query.q, customer_id=customer_id)
    page = _page(qs, query.page, query.page_size)
    page["items"] = [installation_out(i) for i in page["items"]]
    return page


@router.post("/installations", response={201: InstallationOut, **ERRORS})
def installation_create(request: HttpRequest, payload: InstallationIn) -> Any:
    require_perm(request, ADD_INSTALLATION)
    inst = services.installation_create(
        actor=request.user, **_installation_kwargs(request, payload)
    )
    return Status(201, installation_out(inst))


@router.get("/installations/{installation_id}", response={200: InstallationOut, **ERRORS})
def installation_detail(request: HttpRequest, installation_id: int) -> Any:
    return installation_out(selectors.installations_for_user(request.user).get(pk=installation_id))


@router.put("/installations/{installation_id}", response={200: InstallationOut, **ERRORS})
def installation_update(request: HttpRequest, installation_id: int, payload: InstallationIn) -> Any:
    require_perm(request, CHANGE_INSTALLATION)
    inst = selectors.installations_for_user(request.user).get(pk=installation_id)
    services.installation_update(
        actor=request.user, installation=inst, **_installation_kwargs(request, payload)
    )
    return installation_out(selectors.installations_for_user(request.user).get(pk=inst.pk))


class CardIn(Schema):
    issued_on: dt.date | None = None


@router.post("/installations/{installation_id}/card", response={201: CardOut, **ERRORS})
def card_issue(request: HttpRequest, installation_id: int, payload: CardIn) -> Any:
    """发放保修卡 (AS-3)."""
    require_perm(request, ISSUE_CARD)
    inst = selectors.installations_for_user(request.user).get(pk=installation_id)
    card = services.warranty_card_issue(
        actor=request.user, installation=inst, issued_on=payload.issued_on
    )
    return Status(
        201, {"number": card.number, "issued_on": card.issued_on, "installation_id": inst.pk}
    )


class LookupQuery(Schema):
    serial: str = Field("", max_length=60)
    phone: str = Field("", max_length=30)
    order_no: str = Field("", max_length=40)


class LookupOut(Schema):
    installations: list[InstallationOut]
    open_repairs: list[RepairBriefOut]


class RepairBriefOut(Schema):
    id: int
    number: str
    status: str
    installation_id: int | None
    reported_at: dt.datetime


LookupOut.model_rebuild()


@router.get("/warranty", response={200: LookupOut, **ERRORS})
def warranty_lookup(request: HttpRequest, query: Query[LookupQuery]) -> Any:
    """保修查询 by serial number, phone or order number (AS-1)."""
    require_perm(request, VIEW_INSTALLATION)
    if not (query.serial.strip() or query.phone.strip() or query.order_no.strip()):
        message = "请输入序列号、电话或订单号"
        raise DomainError("lookup_empty", message, fields={"serial": message})
    rows = list(
        selectors.warranty_lookup(
            request.user, serial=query.serial, phone=query.phone, order_no=query.order_no
        )[:50]
    )
    repairs = selectors.open_repairs_for_installations([r.pk for r in rows])
    return {
        "installations": [installation_out(r) for r in rows],
        "open_repairs": [o for orders in repairs.values() for o in orders],
    }


# The repair-order endpoints live in api_repairs (this module grew past ~600 lines); importing
# it registers them on ``router``.
from . import api_repairs  # noqa: E402,F401
