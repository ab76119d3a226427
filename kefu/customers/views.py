"""Customer pages — 客户档案: list, detail with 服务记录, create and edit, phones, reveal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from kefu.core.access import can_reveal, personal_data_reveal, shown
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id

from . import selectors, services
from .choices import CustomerType
from .history import history_sections
from .models import Customer, CustomerPhone
from .policy import customer_policy

PAGE_SIZES = (20, 50, 100)
TIMELINE_LIMIT = 50
# The 服务记录 speaks the regulations' words, not the audit trail's action codes.
ACTION_LABELS = {
    "customer.create": "新建客户档案",
    "customer.update": "修改客户信息",
    "customer.phone_add": "添加电话",
    "customer.phone_remove": "删除电话",
    "customer.view": "查看客户档案",
    "personal_data.reveal": "查看完整电话",
}
FIELD_LABELS = {f.name: str(f.verbose_name) for f in Customer._meta.concrete_fields}
# Opening the page and revealing a number are access, not service: they are listed apart,
# and only to those who may read the audit trail.
ACCESS_ACTIONS = ("customer.view", "personal_data.reveal")


def list_filters(params: QueryDict) -> dict[str, Any]:
    """The 客户档案 list's filters, read from its URL (the list, its export and bookmarks share them)."""
    customer_type = params.get("type") or ""
    return {
        "q": (params.get("q") or "").strip()[:50],
        "phone": (params.get("phone") or "").strip()[:30],
        "region": (params.get("region") or "").strip()[:60],
        "grade": (params.get("grade") or "").strip()[:20],
        "customer_type": customer_type if customer_type in CustomerType.values else "",
    }


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    """客户档案: filter form over a table; filtering and paging swap only the table (htmx)."""
    g = request.GET
    qs = selectors.customers_for_user(request.user, **list_filters(g))
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    policy = customer_policy()
    for customer in page.object_list:
        customer.grade_name = policy.grade_name(customer.grade)  # type: ignore[attr-defined]
    context: dict[str, Any] = {"page": page, "filters": g}
    if request.htmx and request.htmx.target == "customer-table":  # type: ignore[attr-defined]
        return render(request, "customers/_customer_table.html", context)
    context.update(
        grades=policy.grades,
        types=CustomerType.choices,
        regions=selectors.regions_for_user(request.user),
    )
    return render(request, "customers/customer_list.html", context)


def _visible(request: HttpRequest, pk: int) -> Customer:
    try:
        return selectors.customer_get_for_user(request.user, pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


def _event_details(event: AuditEvent, user: Any) -> list[str]:
    """What an event changed, in words: field names, or the (masked) number added or removed."""
    if event.action in ("customer.phone_add", "customer.phone_remove"):
        data = (event.after if event.action == "customer.phone_add" else event.before) or {}
        number = data.get("phone", "")
        return [shown(user, "phone", number)] if number else []
    before, after = event.before or {}, event.after or {}
    if not before:
        return []
    keys = [k for k in after if before.get(k) != after.get(k)]
    return [FIELD_LABELS.get(k, k) for k in keys]


def _timeline(customer: Customer, user: Any) -> list[AuditEvent]:
    """The record's own history (newest first): creation, changes, phones."""
    events = list(
        AuditEvent.objects.for_object("customers.customer", customer.pk)
        .exclude(action__in=ACCESS_ACTIONS)
        .order_by("-seq")[:TIMELINE_LIMIT]
    )
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        event.details = _event_details(event, user)  # type: ignore[attr-defined]
    return events


def _access_log(customer: Customer, phones: list[CustomerPhone]) -> list[AuditEvent]:
    """Who opened the record or revealed one of its numbers (SEC-1), newest first."""
    condition = Q(object_type="customers.customer", object_id=str(customer.pk)) & Q(
        action="customer.view"
    )
    if phones:
        condition |= Q(
            object_type="customers.customerphone",
            object_id__in=[str(p.pk) for p in phones],
            action="personal_data.reveal",
        )
    events = list(AuditEvent.objects.filter(condition).order_by("-seq")[:TIMELINE_LIMIT])
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    return events


def _phones_context(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    phones = list(customer.phones.order_by("id"))
    return {
        "customer": customer,
        "phones": phones,
        "can_change": request.user.has_perm("customers.change_customer"),
        "can_reveal": can_reveal(request.user),
        **extra,
    }


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """客户详情: the record, its phones (masked), and its 服务记录. Opening it is logged (SEC-1)."""
    customer = _visible(request, pk)
    services.customer_view_record(actor=request.user, customer=customer)
    phones_context = _phones_context(request, customer)
    sections = history_sections(customer, request.user)
    for section in sections:
        section["html"] = render_to_string(
            section["template"], {**section["context"], "customer": customer}, request=request
        )
    can_audit = request.user.has_perm("core.view_audit_trail")
    return render(
        request,
        "customers/customer_detail.html",
        {
            **phones_context,
            "grade_name": customer_policy().grade_name(customer.grade),
            "timeline": _timeline(customer, request.user),
            "history_sections": sections,
            "access_log": _access_log(customer, phones_context["phones"]) if can_audit else None,
        },
    )


# --- phones -------------------------------------------------------------------------------------
class PhoneForm(forms.Form):
    phone = forms.CharField(label="电话", max_length=30)


def _phones_reply(request: HttpRequest, customer: Customer, **extra: Any) -> HttpResponse:
    return render(request, "customers/_phones.html", _phones_context(request, customer, **extra))


@login_required
@require_POST
@permission_required("customers.change_customer", raise_exception=True)
def phone_add(request: HttpRequest, pk: int) -> HttpResponse:
    """添加电话: answered with the phones fragment (htmx) or back to the page."""
    customer = _visible(request, pk)
    form = PhoneForm(request.POST)
    error, duplicate = "", None
    if form.is_valid():
        try:
            services.customer_add_phone(
                actor=request.user, customer=customer, phone=form.cleaned_data["phone"]
            )
        except services.CustomerPhoneTaken as exc:
            error, duplicate = exc.message, {"pk": exc.duplicate_of, "code": exc.owner_code}
        except DomainError as exc:
            error = exc.fields.get("phone", exc.message)
    else:
        error = "请填写电话"
    if request.htmx:  # type: ignore[attr-defined]
        typed = "" if not error else request.POST.get("phone", "")
        return _phones_reply(
            request, customer, phone_error=error, duplicate=duplicate, typed_phone=typed
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "已添加电话")
    return redirect("customers:customer_detail", pk=customer.pk)


@login_required
@require_POST
@permission_required("customers.change_customer", raise_exception=True)
def phone_remove(request: HttpRequest, pk: int, phone_pk: int) -> HttpResponse:
    """删除电话 (after the page's confirmation); the last number cannot be removed."""
    customer = _visible(request, pk)
    phone = customer.phones.filter(pk=phone_pk).first()
    if phone is None:
        raise Http404
    error = ""
    try:
        services.customer_remove_phone(actor=request.user, customer=customer, phone=phone)
    except DomainError as exc:
        error = exc.message
    if request.htmx:  # type: ignore[attr-defined]
        return _phones_reply(request, customer, phone_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "已删除电话")
    return redirect("customers:customer_detail", pk=customer.pk)


class RevealForm(forms.Form):
    phone = forms.IntegerField()
    reason = forms.CharField(max_length=200)


@login_required
@require_POST
def customer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """查看完整电话: an audited reveal of one number, answered as an htmx fragment."""
    customer = _visible(request, pk)
    form = RevealForm(request.POST)
    value, error = "", ""
    if form.is_valid():
        phone = customer.phones.filter(pk=form.cleaned_data["phone"]).first()
        if phone is None:
            error = "请选择该客户的电话"
        else:
            try:
                value = personal_data_reveal(
                    actor=request.user, obj=phone, field="phone", reason=form.cleaned_data["reason"]
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                error = exc.message
    else:
        error = "请选择电话并填写查看原因"
    return render(request, "customers/_revealed.html", {"value": value, "error": error})


# --- create and edit ----------------------------------------------------------------------------
class PhonesWidget(forms.Widget):
    """Several ``<input name="phones">``: the template draws them, this reads them back."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return data.getlist(name) if hasattr(data, "getlist") else list(data.get(name) or [])


class PhonesField(forms.Field):
    widget = PhonesWidget

    def to_python(self, value: Any) -> list[str]:
        return [str(v).strip() for v in value or [] if str(v).strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError("请至少填写一个电话", code="required")


class CustomerForm(forms.Form):
    """The fields of 新建客户 / 编辑客户; the business checks stay in the services."""

    name = forms.CharField(label="客户名称", max_length=100)
    phones = PhonesField(label="电话")
    customer_type = forms.ChoiceField(
        label="客户类型", choices=CustomerType.choices, initial=CustomerType.CONSUMER
    )
    grade = forms.ChoiceField(label="客户等级", choices=())
    region = forms.CharField(label="地区", max_length=60, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_person = forms.CharField(label="联系人", max_length=40, required=False)
    notes = forms.CharField(
        label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, editing: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = customer_policy()
        choices = [(g.code, g.name) for g in policy.grades]
        if editing is not None and editing.grade not in {c for c, _ in choices}:
            # A grade a later policy dropped stays selectable for the customers who have it.
            choices.append((editing.grade, policy.grade_name(editing.grade)))
        self.fields["grade"].choices = choices
        self.fields["grade"].initial = policy.default_grade
        if editing is not None:
            del self.fields["phones"]  # changed on the customer's page, one number at a time

    def phone_values(self) -> list[str]:
        """What was typed into the phone boxes (kept on errors), at least two boxes."""
        typed = list(self["phones"].value() or []) if "phones" in self.fields else []
        return typed + [""] * max(0, 2 - len(typed))


def _form_values(form: CustomerForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "phones"}


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    """新建客户: a duplicate phone is shown under 电话 with a link to the customer who has it."""
    initial = {"phones": [request.GET["phone"]]} if request.GET.get("phone") else None
    form = CustomerForm(request.POST or None, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user, phones=form.cleaned_data["phones"], **_form_values(form)
            )
        except services.CustomerPhoneTaken as exc:
            apply_to_form(form, exc)
            duplicate = {"pk": exc.duplicate_of, "code": exc.owner_code}
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已新建客户档案 {customer.code} {customer.name}")
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "title": "新建客户", "duplicate": duplicate},
    )


@login_required
@permission_required("customers.change_customer", raise_exception=True)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑客户."""
    customer = _visible(request, pk)
    initial = {
        "name": customer.name,
        "customer_type": customer.customer_type,
        "grade": customer.grade,
        "region": customer.region,
        "address": customer.address,
        "contact_person": customer.contact_person,
        "notes": customer.notes,
    }
    form = CustomerForm(request.POST or None, initial=initial, editing=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer=customer, **_form_values(form))
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "title": f"编辑客户 · {customer.name}", "customer": customer},
    )
