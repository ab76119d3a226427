"""Ticket pages — 工单管理: list, new, detail with actions, notes, attachments and timeline.

Every read goes through ``selectors`` (scoped to the viewer: a ticket out of scope is a 404, as
if it did not exist) and every write through ``services``; a DomainError is shown under the field
it names or at the top of the form, with what the user typed kept. The agent console
(工作台) is in ``views_console``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from kefu.core import access_cache
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form, raise_if_refused
from kefu.core.models import AuditEvent
from kefu.core.one_pass import OnePassPaginator
from kefu.core.params import query_id
from kefu.org.models import Employee

from . import selectors, services
from .choices import Channel, FaultReportField, Kind, Priority, ServiceMode, Status
from .forms import (
    ACTION_FIELDS,
    CONFIRMATIONS,
    ActionForm,
    AttachmentForm,
    NoteForm,
    ServiceModeForm,
    TicketEditForm,
    TicketForm,
    customer_suggestions,
    list_filters,
    subkind_choices,
)
from .links import ticket_links
from .models import FaultReport, Ticket
from .statemachine import Action

PAGE_SIZES = (20, 50, 100)
TIMELINE_LIMIT = 100
OPTION_LIMIT = 20
VIEW = selectors.VIEW_PERMISSION

# The timeline speaks the regulations' words, not the audit trail's action codes.
EVENT_LABELS: dict[str, str] = {
    "ticket.create": "新建工单",
    "ticket.update": "修改工单信息",
    "ticket.note": "内部备注",
    "ticket.attach": "上传附件",
    "ticket.sla_escalate": "时限预警/升级",
    "ticket.service_mode": "升级服务方式",
    **{f"ticket.{a.value}": a.label for a in Action},
}
FIELD_LABELS = {f.name: str(f.verbose_name) for f in Ticket._meta.concrete_fields}


def with_sla(tickets: Any) -> list[Ticket]:
    """The tickets with ``.sla`` (stage, label, seconds, due) computed at one instant."""
    now = timezone.now()
    rows = list(tickets)
    for ticket in rows:
        ticket.sla = services.sla_summary(ticket, now=now)  # type: ignore[attr-defined]
    return rows


def _visible(request: HttpRequest, pk: int) -> Ticket:
    try:
        return selectors.ticket_get_for_user(request.user, pk)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:ticket_detail", args=[ticket.pk])


# --- list ---------------------------------------------------------------------------------------
@login_required
@permission_required(VIEW, raise_exception=True)
def ticket_list(request: HttpRequest) -> HttpResponse:
    """工单列表: filters in the URL; filtering and paging swap only the table (htmx)."""
    g = request.GET
    filters = list_filters(g, request.user)
    qs = selectors.tickets_for_user(request.user, **filters)
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    # A keyword search checks every candidate's text whatever the page: counted and paged in
    # one pass (kefu/core/one_pass.py) instead of reading the matches twice.
    paginator = OnePassPaginator if filters.get("q") else Paginator
    page = paginator(qs, size).get_page(g.get("page"))
    page.object_list = with_sla(page.object_list)
    filtered = any(
        g.get(k)
        for k in ("q", "status", "kind", "channel", "priority", "owner", "from", "to", "customer")
    ) or any(filters.get(k) for k in ("open_only", "overdue", "major_fault", "red_flag"))
    filtered = filtered or bool(filters.get("service_mode"))
    context: dict[str, Any] = {"page": page, "filters": g, "filtered": filtered}
    if request.htmx and request.htmx.target == "ticket-table":  # type: ignore[attr-defined]
        return render(request, "tickets/_ticket_table.html", context)
    context.update(
        statuses=Status.choices,
        kinds=Kind.choices,
        channels=Channel.choices,
        priorities=Priority.choices,
        service_modes=ServiceMode.choices,
        more_open=any(
            g.get(k)
            for k in (
                "owner",
                "overdue",
                "major_fault",
                "from",
                "to",
                "open",
                "service_mode",
                "red_flag",
            )
        ),
    )
    return render(request, "tickets/ticket_list.html", context)


# --- new ----------------------------------------------------------------------------------------
def _create_from_form(request: HttpRequest, form: TicketForm) -> Ticket:
    data = form.cleaned_data
    customer = data["customer"]
    # A typed phone: the customer is found or recorded in the request's transaction (a refused
    # request leaves no new customer behind; the user corrects the form and submits again).
    if isinstance(customer, str):
        create: Any = partial(services.ticket_create_for_caller, phone=customer)
    else:
        create = partial(services.ticket_create, customer=customer)
    return create(
        actor=request.user,
        channel=data["channel"],
        kind=data["kind"],
        subkind=data.get("subkind") or "",
        title=data["title"],
        description=data.get("description") or "",
        demand=data.get("demand") or "",
        priority=data["priority"],
        contact_name=data.get("contact_name") or "",
        contact_phone=data.get("contact_phone") or "",
        order_no=data.get("order_no") or "",
        purchase_date=data.get("purchase_date"),
        tracking_no=data.get("tracking_no") or "",
        tags=data.get("tags") or [],
        red_flag=bool(data.get("red_flag")),
        red_flag_note=data.get("red_flag_note") or "",
    )


@login_required
@permission_required("tickets.add_ticket", raise_exception=True)
def ticket_create(request: HttpRequest) -> HttpResponse:
    """新增工单: the full form; errors under the fields, input kept."""
    initial: dict[str, Any] = {}
    for key in ("customer", "phone"):
        if request.GET.get(key):
            initial["customer"] = request.GET[key][:40]
    form = TicketForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = _create_from_form(request, form)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            if "phone" in exc.fields:  # the customer's number, as the customer service names it
                exc.fields["customer"] = exc.fields.pop("phone")
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已新增工单 {ticket.number}")
            return redirect("tickets:ticket_detail", pk=ticket.pk)
    return render(request, "tickets/ticket_form.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def subkind_options(request: HttpRequest) -> HttpResponse:
    """子类 <option>s for the chosen 工单类型 (htmx, dependent select)."""
    kind = request.GET.get("kind") or request.GET.get("quick-kind") or ""
    return render(request, "tickets/_subkind_options.html", {"choices": subkind_choices(kind)})


@login_required
@permission_required(VIEW, raise_exception=True)
def customer_options(request: HttpRequest) -> HttpResponse:
    """客户候选 (htmx datalist): by name, 客户编号, phone or 尾号, within the user's scope."""
    q = request.GET.get("customer") or request.GET.get("q") or ""
    customers = customer_suggestions(request.user, q)
    return render(request, "tickets/_customer_options.html", {"customers": customers})


@login_required
@permission_required("tickets.change_ticket", raise_exception=True)
def employee_options(request: HttpRequest) -> HttpResponse:
    """转交/改派对象候选 (htmx datalist): active employees by 工号 or name.

    A transfer crosses teams and departments (TKT-3: to whoever is responsible), so the list is
    not limited to the user's own data scope; it shows only 工号, name and department.
    """
    field = request.GET.get("field") or ""
    q = (request.GET.get(field) if field.endswith("-target") else "") or request.GET.get("q") or ""
    q = q.strip()[:20]
    employees: list[Employee] = []
    if q:
        employees = list(
            Employee.objects.filter(status="active")
            .filter(employee_no__istartswith=q)
            .select_related("department")
            .order_by("employee_no")[:OPTION_LIMIT]
        ) or list(
            Employee.objects.filter(status="active", name__icontains=q)
            .select_related("department")
            .order_by("employee_no")[:OPTION_LIMIT]
        )
    return render(request, "tickets/_employee_options.html", {"employees": employees})


@login_required
@permission_required("tickets.change_ticket", raise_exception=True)
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """完善工单信息: the details that may change after receipt (one audit event per save)."""
    ticket = _visible(request, pk)
    initial = {
        name: getattr(ticket, name)
        for name in (
            "title",
            "description",
            "demand",
            "priority",
            "contact_name",
            "contact_phone",
            "order_no",
            "purchase_date",
            "tracking_no",
            "contact_form_no",
            "red_flag",
            "red_flag_note",
        )
    }
    initial["tags"] = " ".join(ticket.tags.values_list("name", flat=True))
    form = TicketEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_update_details(actor=request.user, ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            raise_if_refused(exc)
            if exc.code == "ticket_closed":
                form.add_error(None, exc.message)
            else:
                apply_to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("tickets:ticket_detail", pk=ticket.pk)
    return render(request, "tickets/ticket_form.html", {"form": form, "ticket": ticket})


# --- detail -------------------------------------------------------------------------------------
def _event_details(event: AuditEvent) -> list[str]:
    after = event.after or {}
    details = []
    if event.action == "ticket.create":
        return []
    if event.action == "ticket.update":
        return [FIELD_LABELS.get(k, k) for k in after if k != "tags"] + (
            ["标签"] if "tags" in after else []
        )
    if event.action == "ticket.attach" and after.get("attachment"):
        return [str(after["attachment"])]
    if event.action == "ticket.service_mode":
        before = event.before or {}
        return [
            " → ".join(
                ServiceMode(m).label if m in ServiceMode.values else str(m)
                for m in (before.get("service_mode"), after.get("service_mode"))
            )
        ]
    for key in ("target", "target_department"):
        if after.get(key):
            details.append(f"→ {after[key]}")
    if "status" in after:
        details.append(
            f"状态：{Status(after['status']).label}" if after["status"] in Status.values else ""
        )
    if "satisfied" in after and event.action == "ticket.follow_up":
        details.append("客户满意" if after["satisfied"] else "客户不满意")
    if after.get("note") and event.action != "ticket.note":
        details.append(str(after["note"])[:80])
    return [d for d in details if d]


def ticket_timeline(ticket: Ticket) -> list[AuditEvent]:
    """Everything that happened to the ticket (newest first), from the audit trail."""
    events = list(
        AuditEvent.objects.for_object("tickets.ticket", ticket.pk).order_by("-seq")[:TIMELINE_LIMIT]
    )
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        event.details = _event_details(event)  # type: ignore[attr-defined]
    return events


def _unbound_fields_html(action: Action) -> str:
    """The fields of an action's empty form as HTML, kept per process for a few seconds.

    Every detail page offers up to six action forms; rendering their ~13 widgets through Django's
    widget templates was the largest part of the page's CPU at a million requests
    (docs/performance.md). An empty form renders the same on every ticket (no ticket value in it;
    the department choices change through the admin, seen within ``ACCESS_CACHE_SECONDS``)."""

    def render_fields() -> str:
        form = ActionForm(action=action, ticket_pk=0)
        return render_to_string("tickets/_action_fields.html", {"form": form, "action": action})

    return access_cache.cached_value(
        ("ticket_action_fields", action.value, get_language()), render_fields
    )


def _unbound_note_field_html() -> str:
    """The 内部备注 field of an empty note form, kept per process like the action fields: its
    widget went through Django's widget templates on every view (a tenth of the page's CPU)."""
    return access_cache.cached_value(
        ("ticket_note_field", get_language()),
        lambda: render_to_string("tickets/_note_field.html", {"note_form": NoteForm()}),
    )


def _action_forms(
    ticket: Ticket, actions: list[Action], bound: ActionForm | None, report: FaultReport | None
) -> list[dict[str, Any]]:
    forms_ = []
    for action in actions:
        form: ActionForm | None = None
        fields_html = ""
        if bound is not None and bound.action == action:
            form = bound
        elif action == Action.SUBMIT_FAULT_REPORT and report is not None:
            initial = {f.value: getattr(report, f.value) for f in FaultReportField}
            form = ActionForm(action=action, ticket_pk=ticket.pk, initial=initial)
        elif ACTION_FIELDS[action]:
            fields_html = _unbound_fields_html(action)
        forms_.append(
            {
                "action": action.value,
                "label": action.label,
                "form": form,
                "fields_html": fields_html,
                "has_fields": bool(ACTION_FIELDS[action]),
                "confirm": CONFIRMATIONS.get(action, ""),
                "open": bound is not None and bound.action == action,
                "primary": action in (Action.ACCEPT, Action.REPLY, Action.RESOLVE),
            }
        )
    return forms_


def _received_by(ticket: Ticket) -> str | None:
    """登记人 as the page shows them: the employee's name, else the login; None without one.

    From the detail query's annotations when it made them (``ticket_page_for_user``)."""
    if ticket.received_by_id is None:
        return None
    if hasattr(ticket, "received_by_username"):
        return ticket.received_by_name or ticket.received_by_username  # type: ignore[attr-defined]
    user = ticket.received_by
    try:
        name = user.employee.name  # type: ignore[union-attr]
    except ObjectDoesNotExist:
        name = ""
    return name or user.get_username()  # type: ignore[union-attr]


def _detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    action_form: ActionForm | None = None,
    note_form: NoteForm | None = None,
    attachment_form: AttachmentForm | None = None,
    service_mode_form: ServiceModeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = services.actions_for(request.user, ticket)
    modes = services.service_mode_options(request.user, ticket)
    report = FaultReport.objects.filter(ticket=ticket).first() if ticket.major_fault else None
    can_change = request.user.has_perm("tickets.change_ticket")
    context = {
        "ticket": ticket,
        "sla": services.sla_summary(ticket, now=timezone.now()),
        "actions": _action_forms(ticket, actions, action_form, report),
        "ticket_messages": list(ticket.messages.select_related("author__employee")),
        # Not read when the detail query already said there are none (``ticket_page_for_user``).
        "attachments": list(ticket.attachments.select_related("uploaded_by__employee"))
        if getattr(ticket, "has_attachments", True)
        else [],
        "tags": list(ticket.tags.values_list("name", flat=True))
        if getattr(ticket, "has_tags", True)
        else [],
        "fault_report": report,
        "fault_rows": [(label, getattr(report, name)) for name, label in FaultReportField.choices]
        if report
        else [],
        "timeline": ticket_timeline(ticket),
        "received_by": _received_by(ticket),
        "can_change": can_change,
        "note_form": note_form or NoteForm(),
        # A refused note is shown with what was typed and why; an empty one is the same everywhere.
        "note_field_html": _unbound_note_field_html() if note_form is None and can_change else "",
        "attachment_form": attachment_form or AttachmentForm(),
        "can_view_customer": request.user.has_perm("customers.view_customer"),
        "links": ticket_links(ticket, request.user),
        # TKT-8: the 升级服务方式 box, only to those who may climb the ladder now.
        "service_mode_form": service_mode_form or (ServiceModeForm(modes=modes) if modes else None),
        "service_mode_open": service_mode_form is not None,
        # An action the page did not offer (the state moved on, or a stale tab): say why on top.
        "action_error": "；".join(e for errs in action_form.errors.values() for e in errs)
        if action_form is not None and action_form.action not in actions
        else "",
    }
    return render(request, "tickets/ticket_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """工单详情: header with SLA, the actions the user may take now, messages, files, timeline."""
    try:
        ticket = selectors.ticket_page_for_user(request.user, pk)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc
    return _detail(request, ticket)


@login_required
@require_POST
@permission_required("tickets.change_ticket", raise_exception=True)
def ticket_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action (受理, 回复, 转交, 解决, 结案 …) from its small form on the detail page."""
    ticket = _visible(request, pk)
    if action not in Action.values:
        raise Http404
    form = ActionForm(request.POST, action=action, ticket_pk=ticket.pk)
    if form.is_valid():
        try:
            services.ticket_act(
                actor=request.user, ticket=ticket, action=action, **form.service_kwargs()
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError) and exc.code != "ticket_action_forbidden":
                raise PermissionDenied(exc.message) from exc
            if exc.status == 404:
                raise Http404 from exc
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已{Action(action).label}：{ticket.number}")
            if request.POST.get("next") == "workbench":
                return redirect("workbench:console")
            return redirect("tickets:ticket_detail", pk=ticket.pk)
    if request.POST.get("next") == "workbench":
        # A one-click claim from the console that was refused: say why there.
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("workbench:console")
    return _detail(request, ticket, action_form=form, status=422)


@login_required
@require_POST
@permission_required("tickets.change_ticket", raise_exception=True)
def ticket_service_mode(request: HttpRequest, pk: int) -> HttpResponse:
    """升级服务方式 (TKT-8): 热线服务 → 远程服务 → 上门服务, with the reason."""
    ticket = _visible(request, pk)
    form = ServiceModeForm(request.POST, modes=[])
    if form.is_valid():
        try:
            services.ticket_escalate_service_mode(
                actor=request.user,
                ticket=ticket,
                mode=form.cleaned_data["mode"],
                reason=form.cleaned_data.get("reason") or "",
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from exc
            if exc.status == 404:
                raise Http404 from exc
            apply_to_form(form, exc)
        else:
            label = ServiceMode(form.cleaned_data["mode"]).label
            messages.success(request, f"已升级服务方式为{label}：{ticket.number}")
            return redirect("tickets:ticket_detail", pk=ticket.pk)
    return _detail(request, ticket, service_mode_form=form, status=422)


@login_required
@require_POST
@permission_required("tickets.change_ticket", raise_exception=True)
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    """内部备注 (colleagues only)."""
    ticket = _visible(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_add_note(
                actor=request.user, ticket=ticket, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "已添加内部备注")
            return redirect(f"{ticket_url(ticket)}#messages")
    return _detail(request, ticket, note_form=form, status=422)


@login_required
@require_POST
@permission_required("tickets.change_ticket", raise_exception=True)
def ticket_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """上传附件: images or PDF, checked by content."""
    ticket = _visible(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.ticket_attach(
                actor=request.user, ticket=ticket, name=upload.name, content=upload.read()
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已上传附件 {upload.name}")
            return redirect(f"{ticket_url(ticket)}#attachments")
    return _detail(request, ticket, attachment_form=form, status=422)


@login_required
@permission_required(VIEW, raise_exception=True)
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """An attachment, to those who may see its ticket only (never the public media URL)."""
    ticket = _visible(request, pk)
    attachment = ticket.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    inline = attachment.content_type.startswith("image/") or attachment.content_type.endswith("pdf")
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
