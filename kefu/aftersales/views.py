"""Repair-order pages — 维修单: list (htmx table, Excel), new, detail with stage forms, timeline.

Reads through ``selectors``; writes through ``services`` (the stage forms call the same
``perform_stage`` as the API). A DomainError is shown under the field it names, input kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form, raise_if_refused
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.xlsx_web import xlsx_download
from kefu.customers.selectors import customers_for_user
from kefu.tickets.selectors import tickets_for_user

from . import listing, selectors, services
from .api_repairs import perform_stage
from .choices import RepairStatus
from .clocks import summary
from .excel import breach_rows, export_repairs
from .flow import REPORT_EDITABLE_STATUSES, allowed_actions
from .forms import (
    STAGE_FORMS,
    PartForm,
    PhotoForm,
    RepairCreateForm,
    WorkForm,
    list_filters,
    local_now,
    technicians,
)
from .models import RepairOrder
from .pickers import customer_label
from .policy import aftersales_policy
from .services.common import ADD_REPAIR, CHANGE_REPAIR, EXPORT_REPAIR, VIEW_REPAIR

PAGE_SIZES = (20, 50, 100)
STATUS_TAGS = listing.STATUS_TAGS
EVENT_LABELS = {
    "repair.create": "新建维修单",
    "repair.assign": "派工",
    "repair.arrive": "登记到场",
    "repair.fix": "登记修复",
    "repair.spare": "登记备用机/备件",
    "repair.remote": "远程解决",
    "repair.sign_off": "客户签收",
    "repair.close": "关闭维修单",
    "repair.set_reported_at": "更正报修时间",
    "repair.record_work": "现场记录",
    "repair.add_part": "登记用料",
    "repair.remove_part": "删除用料",
    "repair.attach": "上传照片",
    "repair.remove_photo": "删除照片",
    "repair.breach": "时限超时",
}
CONFIRM = {
    "close": "确定要关闭维修单吗？关闭后不能再修改。",
    "remote": "确定已远程解决、无需上门吗？",
}


class ListPaginator(Paginator):
    """The pager of a ``selectors.ListPage``: its count is already known (read with the rows in
    one query, at most ``selectors.COUNT_CAP``), so nothing is counted or sliced again."""

    def __init__(self, found: selectors.ListPage) -> None:
        super().__init__([], found.size)
        self.found = found
        self.count = found.count  # type: ignore[misc]  # cached_property, set once here

    def page_of(self, rows: list[Any]) -> Page:
        return Page(rows, self.found.number, self)


def clock_dict(r: Any) -> dict[str, Any]:
    stage = {"done": "done", "late": "overdue"}.get(r.stage, r.stage)
    label = {"done": "已按时", "late": "已超时完成"}.get(r.stage, "")
    return {
        "key": r.key,
        "label": r.label,
        "stage": stage,
        "raw": r.stage,
        "due": r.due,
        "met_at": r.met_at,
        "seconds": r.seconds,
        "breached": r.breached,
        "text": label,
    }


def decorate(rows: Any) -> list[RepairOrder]:
    now = timezone.now()
    out = list(rows)
    warn_by_day: dict[dt.date, float] = {}  # one policy read per report day, not per row
    for o in out:
        day = timezone.localtime(o.reported_at, SHANGHAI).date()
        if day not in warn_by_day:
            warn_by_day[day] = aftersales_policy(day).clocks.warn_before_hours
        readings = services.order_readings(o, now=now, warn=warn_by_day[day])
        o.clocks = [clock_dict(r) for r in readings]  # type: ignore[attr-defined]
        current = summary(readings)
        o.current_clock = clock_dict(current) if current else None  # type: ignore[attr-defined]
        o.status_tag = STATUS_TAGS.get(o.status, "tag-grey")  # type: ignore[attr-defined]
    return out


def warn_hours_by_day() -> Any:
    """``warn(day)``: the warning hours of the policy in force on a report day, read once a day."""
    cache: dict[dt.date, float] = {}

    def warn(day: dt.date) -> float:
        if day not in cache:
            cache[day] = aftersales_policy(day).clocks.warn_before_hours
        return cache[day]

    return warn


@login_required
@permission_required(VIEW_REPAIR, raise_exception=True)
def repair_list(request: HttpRequest) -> HttpResponse:
    """维修单列表: filters in the URL, the table swapped by htmx, Excel export.

    The table is the benchmark's hot path: rows are read as values (``listing.PAGE_FIELDS``)
    and turned into strings once (``listing.page_rows``); the htmx swap renders only the table,
    without the shell's context processors (menu, roles, unread count) it does not show.
    """
    g = request.GET
    filters = list_filters(g)
    if g.get("export") == "xlsx":
        if not request.user.has_perm(EXPORT_REPAIR):
            raise PermissionDenied
        qs = selectors.repairs_for_user(request.user, **filters)
        content, _count = export_repairs(qs[:50_000])
        return xlsx_download(content, f"维修单-{timezone.localdate():%Y%m%d}.xlsx")
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    found = selectors.repair_page_for_user(
        request.user, listing.PAGE_FIELDS, page=query_id(g.get("page")) or 1, size=size, **filters
    )
    page = ListPaginator(found).page_of(
        listing.page_rows(found.rows, now=timezone.now(), warn_for=warn_hours_by_day())
    )
    filtered = any(g.get(k) for k in ("q", "status", "breached", "technician", "from", "to"))
    context: dict[str, Any] = {
        "page": page,
        "rows_html": listing.table_html(page.object_list),
        "filters": g,
        "filtered": filtered,
        "capped": found.capped,
    }
    if request.htmx and request.htmx.target == "repair-table":  # type: ignore[attr-defined]
        context["request"] = request
        return HttpResponse(render_to_string("aftersales/_repair_table.html", context))
    context.update(
        statuses=RepairStatus.choices,
        technicians=technicians().only("pk", "employee_no", "name"),
        more_open=any(g.get(k) for k in ("technician", "from", "to")),
    )
    return render(request, "aftersales/repair_list.html", context)


def _visible(request: HttpRequest, pk: int) -> RepairOrder:
    try:
        return selectors.repair_get_for_user(request.user, pk)
    except RepairOrder.DoesNotExist as exc:
        raise Http404 from exc


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=SHANGHAI)


@login_required
@permission_required(ADD_REPAIR, raise_exception=True)
def repair_create(request: HttpRequest) -> HttpResponse:
    """新建维修单: from a 报修/维修 request (``?ticket=``) or for a customer directly."""
    ticket = None
    ticket_id = query_id(request.GET.get("ticket"))
    if ticket_id is not None:
        ticket = (
            tickets_for_user(request.user).select_related("customer").filter(pk=ticket_id).first()
        )
        if ticket is None:
            raise Http404
    initial: dict[str, Any] = {"reported_at": local_now()}
    if ticket is not None:
        initial.update(
            reported_at=timezone.localtime(ticket.received_at, SHANGHAI).replace(tzinfo=None),
            fault=f"{ticket.title}\n{ticket.description}".strip(),
            contact_name=ticket.contact_name,
            contact_phone=ticket.contact_phone,
        )
    customer_id = query_id(request.GET.get("customer"))
    if customer_id and ticket is None:
        customer = customers_for_user(request.user).filter(pk=customer_id).first()
        if customer is not None:
            initial.update(
                customer=customer.pk, customer_text=customer_label(request.user, customer)
            )
    form = RepairCreateForm(request.POST or None, ticket=ticket, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.repair_create(
                actor=request.user,
                ticket=ticket,
                customer=form.customer_obj if ticket is None else None,
                installation=form.installation_obj,
                fault=d["fault"],
                reported_at=_aware(d["reported_at"]),
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                address=d["address"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            exc.fields = {form.visible_field(k): v for k, v in exc.fields.items()}
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已新建维修单：{order.number}")
            return redirect("aftersales:repair_detail", pk=order.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "aftersales/repair_form.html", {"form": form, "ticket": ticket}, status=status
    )


def timeline(order: RepairOrder) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(
            object_type="aftersales.repairorder", object_id=str(order.pk)
        ).order_by("-seq")[:100]
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        after = e.after or {}
        details = []
        if after.get("status") in RepairStatus.values:
            details.append(f"→ {RepairStatus(after['status']).label}")
        for key in ("technician", "signed_by_name", "part", "photo", "remote_note", "reason"):
            if after.get(key):
                details.append(str(after[key])[:80])
        e.details = details  # type: ignore[attr-defined]
    return events


def _stage_initial(action: str) -> dict[str, Any]:
    return {"at": local_now()} if action not in ("assign", "sign_off", "close") else {}


def _detail(
    request: HttpRequest,
    order: RepairOrder,
    *,
    bound: Any = None,
    bound_action: str = "",
    part_form: Any = None,
    work_form: Any = None,
    photo_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    decorate([order])
    may_change = request.user.has_perm(CHANGE_REPAIR)
    actions = []
    if may_change:
        names = [a.value for a in allowed_actions(order.status)]
        if order.status in REPORT_EDITABLE_STATUSES and order.status != RepairStatus.REMOTE:
            names.append("set_reported_at")
        for name in names:
            form = (
                bound if name == bound_action else STAGE_FORMS[name](initial=_stage_initial(name))
            )
            label = {"set_reported_at": "更正报修时间"}.get(name) or next(
                a.label for a in allowed_actions(order.status) if a.value == name
            )
            actions.append(
                {
                    "action": name,
                    "label": label,
                    "form": form,
                    "open": name == bound_action,
                    "confirm": CONFIRM.get(name, ""),
                }
            )
    product_id = order.installation.product_id if order.installation_id else None
    onsite = may_change and order.status in ("arrived", "fixed", "spare", "signed_off")
    context = {
        "order": order,
        "actions": actions,
        "onsite": onsite,
        "parts": list(order.parts.select_related("price_item")),
        "photos": list(order.photos.all()),
        "part_form": part_form or PartForm(product_id=product_id),
        "work_form": work_form or WorkForm(initial={"work_done": order.work_done}),
        "photo_form": photo_form or PhotoForm(),
        "may_upload": may_change and order.status != RepairStatus.CLOSED,
        "timeline": timeline(order),
    }
    return render(request, "aftersales/repair_detail.html", context, status=status)


@login_required
@permission_required(VIEW_REPAIR, raise_exception=True)
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """维修单详情: number, status, the three clocks, allowed stage forms, on-site record, timeline."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(CHANGE_REPAIR, raise_exception=True)
def repair_stage(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One stage from its form on the detail page."""
    order = _visible(request, pk)
    if action not in STAGE_FORMS:
        raise Http404
    form = STAGE_FORMS[action](request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if "technician_id" in data:
            data["technician_id"] = data["technician_id"].pk
        data["at"] = _aware(data.get("at"))
        try:
            perform_stage(request.user, order, action, data)
        except DomainError as exc:
            raise_if_refused(exc)
            mapped = {
                (
                    "at"
                    if k in ("arrived_at", "fixed_at", "spare_at", "resolved_at", "reported_at")
                    else k
                ): v
                for k, v in exc.fields.items()
            }
            exc.fields = mapped
            apply_to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("aftersales:repair_detail", pk=order.pk)
    return _detail(request, order, bound=form, bound_action=action, status=422)


@login_required
@require_POST
@permission_required(CHANGE_REPAIR, raise_exception=True)
def repair_onsite(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """现场记录: work done, a part line (add / remove), a photo (add / remove)."""
    order = _visible(request, pk)
    product_id = order.installation.product_id if order.installation_id else None
    kwargs: dict[str, Any] = {}
    try:
        if what == "work":
            form = WorkForm(request.POST)
            kwargs["work_form"] = form
            if form.is_valid():
                services.repair_record_work(
                    actor=request.user, order=order, work_done=form.cleaned_data["work_done"]
                )
                return redirect("aftersales:repair_detail", pk=order.pk)
        elif what == "part":
            form = PartForm(request.POST, product_id=product_id)
            kwargs["part_form"] = form
            if form.is_valid():
                services.repair_add_part(
                    actor=request.user,
                    order=order,
                    price_item=form.cleaned_data["price_item"],
                    quantity=form.cleaned_data["quantity"],
                )
                return redirect("aftersales:repair_detail", pk=order.pk)
        elif what == "remove_part":
            part_id = query_id(request.POST.get("part"))
            if part_id is None:
                raise Http404
            services.repair_remove_part(actor=request.user, order=order, part_id=part_id)
            return redirect("aftersales:repair_detail", pk=order.pk)
        elif what == "remove_photo":
            photo_id = query_id(request.POST.get("photo"))
            if photo_id is None:
                raise Http404
            services.repair_remove_photo(actor=request.user, order=order, photo_id=photo_id)
            messages.success(request, "已删除照片")
            return redirect("aftersales:repair_detail", pk=order.pk)
        elif what == "photo":
            form = PhotoForm(request.POST, request.FILES)
            kwargs["photo_form"] = form
            if form.is_valid():
                upload = form.cleaned_data["file"]
                services.repair_attach_photo(
                    actor=request.user, order=order, name=upload.name, content=upload.read()
                )
                return redirect("aftersales:repair_detail", pk=order.pk)
        else:
            raise Http404
    except DomainError as exc:
        raise_if_refused(exc)
        target = next(iter(kwargs.values()), None)
        if target is None:
            messages.error(request, exc.message)
            return redirect("aftersales:repair_detail", pk=order.pk)
        apply_to_form(target, exc)
    return _detail(request, order, status=422, **kwargs)


@login_required
@permission_required(VIEW_REPAIR, raise_exception=True)
def photo_download(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo, only to those who may see its repair order."""
    order = _visible(request, pk)
    photo = order.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    response = FileResponse(
        photo.file.open("rb"), content_type=photo.content_type, filename=photo.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required(EXPORT_REPAIR, raise_exception=True)
def breach_report(request: HttpRequest) -> HttpResponse:
    """维修超时报表: orders reported in a month, with each clock's breach, by month (page/Excel)."""
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        first = timezone.localdate().replace(day=1)
        month = first.strftime("%Y-%m")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    qs = selectors.repairs_for_user(
        request.user, date_from=first, date_to=nxt - dt.timedelta(days=1)
    )
    rows, totals = breach_rows(qs)
    if request.GET.get("export") == "xlsx":
        from .excel import export_breaches

        return xlsx_download(export_breaches(rows, month), f"维修超时报表-{month}.xlsx")
    return render(
        request, "aftersales/breach_report.html", {"rows": rows, "totals": totals, "month": month}
    )
