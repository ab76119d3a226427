"""Customer and installation pickers — 客户/安装记录选择 on the repair and installation forms.

The user types a phone, 尾号, name or 客户编号 (a serial number, 安装编号 or order number for an
installation); htmx fills a ``<datalist>`` with suggestions from the customers' and the
installations' selectors; picking one puts its id into a hidden field (``aftersales/picker.js``).
Without script the typed text still works: it is resolved on the server from the leading
客户编号 / 安装编号 of a suggestion, a whole phone number, a unique 尾号 or name, or a serial.
Errors are shown under the visible field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kefu.core.access import shown
from kefu.core.params import query_id
from kefu.customers.models import Customer
from kefu.customers.phones import digits_only
from kefu.customers.selectors import customers_for_user

from . import selectors
from .models import Installation
from .services.common import ADD_INSTALLATION, ADD_REPAIR, CHANGE_INSTALLATION, VIEW_INSTALLATION

OPTION_LIMIT = 10
FULL_PHONE = 7


def customer_label(user: Any, c: Customer) -> str:
    """``C000123 王伟 · 138****5678``: the option's value (the code first, for the server)."""
    phones = list(c.phones.all())
    phone = f" · {shown(user, 'phone', phones[0].phone)}" if phones else ""
    return f"{c.code} {c.name}{phone}"


def installation_label(i: Installation) -> str:
    """``AZ20261120-0001 SN0001 高清网络摄像机 · 王伟``: the 安装编号 first, for the server."""
    what = i.product.name if i.product_id else i.project_name
    serial = f" {i.serial_number}" if i.serial_number else ""
    return f"{i.number}{serial} {what} · {i.customer.name}"


def customer_suggestions(user: Any, q: str) -> list[Customer]:
    q = (q or "").strip()[:50]
    return list(customers_for_user(user, q=q)[:OPTION_LIMIT]) if q else []


def installation_suggestions(user: Any, q: str, customer_id: int | None) -> list[Installation]:
    """By 安装编号 / serial (exact or, from 3 characters, its beginning) / order number, or the
    installations of the chosen customer."""
    qs = selectors.installations_for_user(user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    q = (q or "").strip()[:60]
    if q:
        cond = Q(number=q.upper()) | Q(serial_number=q) | Q(order_no=q)
        if len(q) >= 3:
            cond |= Q(serial_number__startswith=q)
        qs = qs.filter(cond)
    elif customer_id is None:
        return []
    return list(qs[:OPTION_LIMIT])


# --- form side ----------------------------------------------------------------------------------
def picker_attrs(*, url: str, hidden: str, datalist: str, include: str = "") -> dict[str, str]:
    """The text input's attributes. With ``include`` (the customer's hidden id) the suggestions
    are asked again whenever the customer changes (picker.js fires ``change`` on it)."""
    trigger = "input changed delay:300ms, focus once"
    if include:
        trigger += f", change from:{include}"
    attrs = {
        "list": datalist,
        "autocomplete": "off",
        "data-picker": hidden,
        "hx-get": url,
        "hx-trigger": trigger,
        "hx-target": f"#{datalist}",
    }
    if include:
        attrs["hx-include"] = include
    return attrs


def resolve_customer(user: Any, picked: int | None, typed: str) -> Customer:
    """The customer picked (hidden id) or typed; ValidationError with a Chinese message."""
    typed = (typed or "").strip()
    visible = customers_for_user(user)
    if picked is not None:
        found = visible.filter(pk=picked).first()
        if found is not None:
            return found
    if not typed:
        raise forms.ValidationError("请选择客户")
    code = typed.split(" ", 1)[0].upper()
    found = visible.filter(code=code).first()
    if found is not None:
        return found
    digits = digits_only(typed)
    is_number = bool(digits) and digits == typed.replace(" ", "").replace("-", "")
    if is_number and (len(digits) == 4 or len(digits) >= FULL_PHONE):
        owners = list(customers_for_user(user, phone=digits)[:2])
        if len(owners) == 1:
            return owners[0]
        if len(owners) > 1:
            raise forms.ValidationError("该尾号对应多个客户，请从候选中选择")
        raise forms.ValidationError("没有使用该电话的客户")
    named = list(visible.filter(name=typed)[:2])
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise forms.ValidationError("同名客户不止一个，请从候选中选择")
    raise forms.ValidationError("找不到该客户，请输入电话、尾号或名称后从候选中选择")


def resolve_installation(user: Any, picked: int | None, typed: str) -> Installation | None:
    """The installation picked or typed (安装编号, serial or order number); None when empty."""
    typed = (typed or "").strip()
    visible = selectors.installations_for_user(user)
    if picked is not None:
        found = visible.filter(pk=picked).first()
        if found is not None:
            return found
    if not typed:
        return None
    token = typed.split(" ", 1)[0]
    found = visible.filter(number=token.upper()).first()
    if found is not None:
        return found
    matches = list(visible.filter(Q(serial_number=token) | Q(order_no=token))[:2])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise forms.ValidationError("该序列号/订单号对应多条安装记录，请从候选中选择")
    raise forms.ValidationError("找不到该安装记录，请输入序列号或安装编号后从候选中选择")


# --- suggestion endpoints -----------------------------------------------------------------------
def _may_pick(user: Any) -> bool:
    """Those who fill in a form with a customer picker (new repair order or installation)."""
    return any(user.has_perm(p) for p in (ADD_REPAIR, ADD_INSTALLATION, CHANGE_INSTALLATION))


@login_required
def customer_options(request: HttpRequest) -> HttpResponse:
    """客户候选 (htmx datalist): phone, 尾号, name or 客户编号, within the user's customer scope."""
    if not _may_pick(request.user):
        raise PermissionDenied
    q = request.GET.get("customer_text") or request.GET.get("q") or ""
    options = [
        (c.pk, customer_label(request.user, c)) for c in customer_suggestions(request.user, q)
    ]
    return render(request, "aftersales/_picker_options.html", {"options": options})


@login_required
def installation_options(request: HttpRequest) -> HttpResponse:
    """安装记录候选 (htmx datalist): 安装编号 / serial / order number, or the chosen customer's."""
    if not request.user.has_perm(VIEW_INSTALLATION):
        raise PermissionDenied
    q = request.GET.get("installation_text") or request.GET.get("q") or ""
    customer_id = query_id(request.GET.get("customer"))
    rows = installation_suggestions(request.user, q, customer_id)
    options = [(i.pk, installation_label(i)) for i in rows]
    return render(request, "aftersales/_picker_options.html", {"options": options})


def customer_widget_attrs() -> dict[str, str]:
    return picker_attrs(
        url=reverse("aftersales:customer_options"),
        hidden="id_customer",
        datalist="customer-options",
    ) | {"placeholder": "电话 / 尾号 / 名称 / 客户编号", "data-testid": "picker-customer"}


def installation_widget_attrs() -> dict[str, str]:
    return picker_attrs(
        url=reverse("aftersales:installation_options"),
        hidden="id_installation",
        datalist="installation-options",
        include="#id_customer",
    ) | {"placeholder": "序列号 / 安装编号 / 订单号", "data-testid": "picker-installation"}
