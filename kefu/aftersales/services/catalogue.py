"""Catalogue services — 产品与价目表 (AS-1): products and the price list for parts and labour."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.audit import snapshot
from kefu.core.errors import ConflictError, DomainError

from ..choices import PriceKind
from ..models import PriceItem, Product
from .common import ADD_PRODUCT, CHANGE_PRICE, CHANGE_PRODUCT, require_perm, text

PRODUCT_FIELDS = (
    "code",
    "name",
    "model_no",
    "category",
    "manufacturer",
    "manufacturer_warranty_months",
    "is_active",
)
PRICE_FIELDS = ("code", "name", "kind", "product_id", "unit", "unit_price", "is_active")


def _product_values(values: dict[str, Any]) -> dict[str, Any]:
    v = dict(values)
    v["code"] = text(
        v.get("code"), field="code", label="产品编码", max_length=30, required=True
    ).upper()
    v["name"] = text(v.get("name"), field="name", label="产品名称", max_length=100, required=True)
    for key, label, n in (
        ("model_no", "型号", 60),
        ("category", "类别", 40),
        ("manufacturer", "生产厂家", 100),
    ):
        v[key] = text(v.get(key), field=key, label=label, max_length=n, required=False)
    months = v.get("manufacturer_warranty_months") or 0
    if not isinstance(months, int) or not 0 <= months <= 240:
        message = "厂家保修期须为0–240个月"
        raise DomainError(
            "product_months", message, fields={"manufacturer_warranty_months": message}
        )
    v["manufacturer_warranty_months"] = months
    v["is_active"] = bool(v.get("is_active", True))
    return v


@transaction.atomic
def product_create(*, actor: Any, **values: Any) -> Product:
    """新增产品 — Product."""
    require_perm(actor, ADD_PRODUCT)
    v = _product_values(values)
    if Product.objects.filter(code=v["code"]).exists():
        raise ConflictError(
            "product_code_taken", "产品编码已存在", fields={"code": "产品编码已存在"}
        )
    product = Product.objects.create(**{k: v[k] for k in PRODUCT_FIELDS})
    audit.record(
        actor=actor, action="product.create", obj=product, after=snapshot(product, PRODUCT_FIELDS)
    )
    return product


@transaction.atomic
def product_update(*, actor: Any, product: Product, **values: Any) -> Product:
    """修改产品. A changed manufacturer warranty applies to installations recorded later; existing
    ones keep theirs until edited (their warranty was promised on acceptance)."""
    require_perm(actor, CHANGE_PRODUCT)
    product = Product.objects.select_for_update().get(pk=product.pk)
    merged = {k: values.get(k, getattr(product, k)) for k in PRODUCT_FIELDS}
    v = _product_values(merged)
    if Product.objects.filter(code=v["code"]).exclude(pk=product.pk).exists():
        raise ConflictError(
            "product_code_taken", "产品编码已存在", fields={"code": "产品编码已存在"}
        )
    before = snapshot(product, PRODUCT_FIELDS)
    for k in PRODUCT_FIELDS:
        setattr(product, k, v[k])
    product.save()
    audit.record(
        actor=actor,
        action="product.update",
        obj=product,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


def _price_values(values: dict[str, Any]) -> dict[str, Any]:
    v = dict(values)
    v["code"] = text(
        v.get("code"), field="code", label="编码", max_length=30, required=True
    ).upper()
    v["name"] = text(v.get("name"), field="name", label="名称", max_length=100, required=True)
    v["unit"] = text(
        v.get("unit") or "个", field="unit", label="单位", max_length=10, required=True
    )
    if v.get("kind") not in PriceKind.values:
        raise DomainError("price_kind", "请选择类别", fields={"kind": "请选择类别"})
    try:
        price = Decimal(str(v.get("unit_price")))
    except (InvalidOperation, ValueError):
        price = Decimal("-1")
    if (
        not price.is_finite()
        or price < 0
        or price > Decimal("99999999.99")
        or (price != price.quantize(Decimal("0.01")))
    ):
        message = "单价须为不小于0的金额，最多两位小数"
        raise DomainError("price_amount", message, fields={"unit_price": message})
    v["unit_price"] = price
    if "product" in v:  # given (None = 通用) it replaces the stored one
        product = v.pop("product")
        v["product_id"] = product.pk if product is not None else None
    v.setdefault("product_id", None)
    v["is_active"] = bool(v.get("is_active", True))
    return v


@transaction.atomic
def price_item_create(*, actor: Any, **values: Any) -> PriceItem:
    """新增价目 — PriceItem (part or labour, general or for one product)."""
    require_perm(actor, CHANGE_PRICE)
    v = _price_values(values)
    if PriceItem.objects.filter(code=v["code"]).exists():
        raise ConflictError("price_code_taken", "编码已存在", fields={"code": "编码已存在"})
    item = PriceItem.objects.create(**{k: v[k] for k in PRICE_FIELDS})
    audit.record(
        actor=actor, action="price_item.create", obj=item, after=snapshot(item, PRICE_FIELDS)
    )
    return item


@transaction.atomic
def price_item_update(*, actor: Any, item: PriceItem, **values: Any) -> PriceItem:
    """修改价目. Orders already priced keep the price they were charged."""
    require_perm(actor, CHANGE_PRICE)
    item = PriceItem.objects.select_for_update().get(pk=item.pk)
    merged: dict[str, Any] = {k: getattr(item, k) for k in PRICE_FIELDS}
    merged.update(values)
    v = _price_values(merged)
    if PriceItem.objects.filter(code=v["code"]).exclude(pk=item.pk).exists():
        raise ConflictError("price_code_taken", "编码已存在", fields={"code": "编码已存在"})
    before = snapshot(item, PRICE_FIELDS)
    for k in PRICE_FIELDS:
        setattr(item, k, v[k])
    item.save()
    audit.record(
        actor=actor,
        action="price_item.update",
        obj=item,
        before=before,
        after=snapshot(item, PRICE_FIELDS),
    )
    return item
