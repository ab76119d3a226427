"""Catalogue, installation, warranty-card and warranty-lookup pages — 产品/安装记录/保修卡/保修查询."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.complaints import pdf
from kefu.complaints.printing import rows_of
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.params import query_id
from kefu.core.pdf_web import pdf_response
from kefu.customers.selectors import customers_for_user

from . import selectors, services
from .forms import CardIssueForm, InstallationForm, ProductForm
from .models import Installation
from .pickers import customer_label
from .policy import aftersales_policy
from .printing import warranty_card
from .services.common import (
    ADD_INSTALLATION,
    ADD_PRODUCT,
    CHANGE_INSTALLATION,
    ISSUE_CARD,
    VIEW_INSTALLATION,
    VIEW_PRODUCT,
)
from .warranty import card_state, days_left, in_warranty

PAGE_SIZES = (20, 50, 100)


def _page(request: HttpRequest, qs: Any) -> Any:
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    return Paginator(qs, size).get_page(request.GET.get("page"))


def with_warranty(rows: Any) -> list[Installation]:
    today = timezone.localdate()
    policy = aftersales_policy(today)
    out = list(rows)
    for i in out:
        i.covered = in_warranty(i.acceptance_date, i.warranty_end, today)  # type: ignore[attr-defined]
        i.left = days_left(i.warranty_end, today)  # type: ignore[attr-defined]
        card = getattr(i, "card", None)
        i.card_state = card_state(  # type: ignore[attr-defined]
            i.acceptance_date,
            issued_on=card.issued_on if card else None,
            today=today,
            deadline_months=policy.card_deadline_months,
            due_soon_days=policy.card_due_soon_days,
        )
    return out


@login_required
@permission_required(VIEW_INSTALLATION, raise_exception=True)
def warranty_lookup(request: HttpRequest) -> HttpResponse:
    """保修查询: by serial number, phone or order number — in/out of warranty, days left, repairs."""
    g = request.GET
    serial, phone, order_no = (
        (g.get("serial") or "")[:60],
        (g.get("phone") or "")[:30],
        (g.get("order_no") or "")[:40],
    )
    searched = bool(serial.strip() or phone.strip() or order_no.strip())
    rows: list[Installation] = []
    repairs: dict[int, list] = {}
    if searched:
        rows = with_warranty(
            selectors.warranty_lookup(request.user, serial=serial, phone=phone, order_no=order_no)[
                :50
            ]
        )
        repairs = selectors.open_repairs_for_installations([r.pk for r in rows])
        for r in rows:
            r.open_repairs = repairs.get(r.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "aftersales/warranty_lookup.html",
        {
            "rows": rows,
            "searched": searched,
            "serial": serial,
            "phone": phone,
            "order_no": order_no,
        },
    )


@login_required
@permission_required(VIEW_INSTALLATION, raise_exception=True)
def installation_list(request: HttpRequest) -> HttpResponse:
    """安装记录列表."""
    g = request.GET
    warranty = {"1": True, "0": False}.get(g.get("warranty") or "")
    qs = selectors.installations_for_user(
        request.user, q=g.get("q") or "", in_warranty=warranty, on=timezone.localdate()
    )
    page = _page(request, qs)
    page.object_list = with_warranty(page.object_list)
    context = {"page": page, "filters": g, "filtered": bool(g.get("q") or g.get("warranty"))}
    if request.htmx and request.htmx.target == "installation-table":  # type: ignore[attr-defined]
        return render(request, "aftersales/_installation_table.html", context)
    return render(request, "aftersales/installation_list.html", context)


def _installation_kwargs(form: InstallationForm) -> dict[str, Any]:
    d = dict(form.cleaned_data)
    for key in ("customer", "customer_text"):
        d.pop(key, None)
    d["customer"] = form.customer_obj
    if d.get("responsible") is not None:
        d["department"] = d["responsible"].department
    return d


def _save_installation(request: HttpRequest, form: InstallationForm, inst: Any) -> Any:
    """Create or update through the services; None with the errors on the form."""
    try:
        if inst is None:
            return services.installation_create(actor=request.user, **_installation_kwargs(form))
        return services.installation_update(
            actor=request.user, installation=inst, **_installation_kwargs(form)
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        exc.fields = {form.visible_field(k): v for k, v in exc.fields.items()}
        apply_to_form(form, exc)
        return None


@login_required
@permission_required(ADD_INSTALLATION, raise_exception=True)
def installation_create(request: HttpRequest) -> HttpResponse:
    """登记安装记录 (the customer by the picker)."""
    initial: dict[str, Any] = {"kind": "product"}
    customer_id = query_id(request.GET.get("customer"))
    customer = (
        customers_for_user(request.user).filter(pk=customer_id).first() if customer_id else None
    )
    if customer is not None:
        initial.update(customer=customer.pk, customer_text=customer_label(request.user, customer))
    form = InstallationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        inst = _save_installation(request, form, None)
        if inst is not None:
            messages.success(request, f"已登记安装记录 {inst.number}，保修至 {inst.warranty_end}")
            return redirect("aftersales:installation_list")
    return render(
        request,
        "aftersales/installation_form.html",
        {"form": form, "inst": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@permission_required(CHANGE_INSTALLATION, raise_exception=True)
def installation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inst = selectors.installations_for_user(request.user).filter(pk=pk).first()
    if inst is None:
        raise Http404
    initial = {
        "customer": inst.customer_id,
        "customer_text": customer_label(request.user, inst.customer),
        "kind": inst.kind,
        "product": inst.product_id,
        "project_name": inst.project_name,
        "serial_number": inst.serial_number,
        "order_no": inst.order_no,
        "address": inst.address,
        "acceptance_date": inst.acceptance_date,
        "responsible": inst.responsible_id,
        "notes": inst.notes,
    }
    form = InstallationForm(request.POST or None, initial=initial, user=request.user)
    saved = request.method == "POST" and form.is_valid() and _save_installation(request, form, inst)
    if saved:
        messages.success(request, "已保存，保修截止日期已重新计算")
        return redirect("aftersales:installation_list")
    return render(
        request,
        "aftersales/installation_form.html",
        {"form": form, "inst": inst},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@permission_required(VIEW_INSTALLATION, raise_exception=True)
def card_list(request: HttpRequest) -> HttpResponse:
    """保修卡: installations without a card past their deadline (超期未发) or due soon."""
    today = timezone.localdate()
    policy = aftersales_policy(today)
    qs = selectors.cards_pending(
        request.user,
        today=today,
        deadline_months=policy.card_deadline_months,
        soon_days=policy.card_due_soon_days,
    )
    page = _page(request, qs)
    page.object_list = with_warranty(page.object_list)
    return render(
        request,
        "aftersales/card_list.html",
        {"page": page, "policy": policy, "issue_form": CardIssueForm(initial={"issued_on": today})},
    )


@login_required
@require_POST
@permission_required(ISSUE_CARD, raise_exception=True)
def card_issue(request: HttpRequest, pk: int) -> HttpResponse:
    inst = selectors.installations_for_user(request.user).filter(pk=pk).first()
    if inst is None:
        raise Http404
    form = CardIssueForm(request.POST)
    if form.is_valid():
        try:
            card = services.warranty_card_issue(
                actor=request.user, installation=inst, issued_on=form.cleaned_data["issued_on"]
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from exc
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已发放保修卡 {card.number}")
            return redirect("aftersales:card_print", pk=inst.pk)
    else:
        messages.error(request, "发放日期格式不正确")
    return redirect("aftersales:card_list")


def _card_form(request: HttpRequest, pk: int) -> Any:
    inst = (
        selectors.installations_for_user(request.user)
        .select_related("department", "responsible")
        .filter(pk=pk)
        .first()
    )
    card = getattr(inst, "card", None) if inst is not None else None
    if card is None:
        raise Http404("保修卡尚未发放")
    return warranty_card(inst, card)


@login_required
@permission_required(VIEW_INSTALLATION, raise_exception=True)
def card_print(request: HttpRequest, pk: int) -> HttpResponse:
    """保修卡, A4 print page."""
    form = _card_form(request, pk)
    return render(
        request, "aftersales/card_print.html", {"form": form, "rows": rows_of(form), "pk": pk}
    )


@login_required
@permission_required(VIEW_INSTALLATION, raise_exception=True)
def card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """保修卡, PDF."""
    form = _card_form(request, pk)
    return pdf_response(pdf.render(form), f"保修卡-{form.number}.pdf")


@login_required
@permission_required(VIEW_PRODUCT, raise_exception=True)
def product_list(request: HttpRequest) -> HttpResponse:
    """产品目录与价目表; 新增产品 for those who may."""
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(ADD_PRODUCT):
            raise PermissionDenied
        if form.is_valid():
            try:
                product = services.product_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, f"已新增产品 {product.code}")
                return redirect("aftersales:product_list")
    products = list(selectors.products_for_user(request.user, q=request.GET.get("q") or "")[:200])
    price_count = selectors.price_items_for_user(request.user).count()
    return render(
        request,
        "aftersales/product_list.html",
        {
            "products": products,
            "price_count": price_count,
            "form": form,
            "filters": request.GET,
        },
        status=422 if request.method == "POST" else 200,
    )
