"""Price list and product editing pages — 价目表 / 编辑产品 (AS-1: 保修期满后按厂家价格表收费).

Everyone who may see the catalogue sees the price list; those with ``change_priceitem``
(客服主管 and up, see roles.py) add and edit items, those with ``change_product`` edit products.
Writes go through the catalogue services; their errors are shown under the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.params import query_choice, query_id

from . import selectors, services
from .choices import PriceKind
from .forms import PriceItemForm, ProductEditForm
from .models import PriceItem
from .services.common import CHANGE_PRICE, CHANGE_PRODUCT, VIEW_PRODUCT

PAGE_SIZES = (20, 50, 100)


def _save(form: Any, call: Any) -> Any:
    """Run a service with the form's data; None with the error under its field."""
    try:
        return call()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        apply_to_form(form, exc)
        return None


@login_required
@permission_required(VIEW_PRODUCT, raise_exception=True)
def price_list(request: HttpRequest) -> HttpResponse:
    """价目表: filter by keyword / product / kind; 新增价目 below for those who may."""
    g = request.GET
    may_change = request.user.has_perm(CHANGE_PRICE)
    form = PriceItemForm(request.POST or None, initial={"is_active": True, "unit": "个"})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            item = _save(
                form, lambda: services.price_item_create(actor=request.user, **form.cleaned_data)
            )
            if item is not None:
                messages.success(request, f"已新增价目 {item.code}")
                return redirect("aftersales:price_list")
    product_id = query_id(g.get("product"))
    qs = selectors.price_items_for_user(request.user, q=(g.get("q") or "")[:60])
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    kind = query_choice(g, "kind", PriceKind.values)
    if kind:
        qs = qs.filter(kind=kind)
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    context = {
        "page": page,
        "filters": g,
        "filtered": any(g.get(k) for k in ("q", "product", "kind")),
        "products": selectors.products_for_user(request.user).only("pk", "code", "name"),
        "kinds": PriceKind.choices,
        "form": form,
        "may_change": may_change,
    }
    if request.htmx and request.htmx.target == "price-table":  # type: ignore[attr-defined]
        return render(request, "aftersales/_price_table.html", context)
    status = 422 if request.method == "POST" else 200
    return render(request, "aftersales/price_list.html", context, status=status)


@login_required
@permission_required(CHANGE_PRICE, raise_exception=True)
def price_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改价目 (orders already priced keep what they were charged)."""
    item = selectors.price_items_for_user(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    initial = {
        "code": item.code,
        "name": item.name,
        "kind": item.kind,
        "product": item.product_id,
        "unit": item.unit,
        "unit_price": item.unit_price,
        "is_active": item.is_active,
    }
    form = PriceItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: services.price_item_update(actor=request.user, item=item, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, f"已保存价目 {saved.code}")
            return redirect("aftersales:price_list")
    return render(
        request,
        "aftersales/price_form.html",
        {"form": form, "item": item},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@permission_required(CHANGE_PRODUCT, raise_exception=True)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑产品. A changed manufacturer warranty applies to installations recorded later."""
    product = selectors.products_for_user(request.user).filter(pk=pk).first()
    if product is None:
        raise Http404
    fields = ("code", "name", "model_no", "category", "manufacturer")
    initial: dict[str, Any] = {k: getattr(product, k) for k in fields}
    initial.update(
        manufacturer_warranty_months=product.manufacturer_warranty_months,
        is_active=product.is_active,
    )
    form = ProductEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: services.product_update(
                actor=request.user, product=product, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, f"已保存产品 {saved.code}")
            return redirect("aftersales:product_list")
    return render(
        request,
        "aftersales/product_form.html",
        {"form": form, "product": product, "prices": PriceItem.objects.filter(product=product)},
        status=422 if request.method == "POST" else 200,
    )
