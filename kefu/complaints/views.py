"""Complaint pages — 投诉管理: list (and 超期投诉), 登记投诉, detail with the step forms, timeline.

Every read goes through ``selectors`` (scoped to the viewer: a complaint out of scope is a 404, as
if it did not exist) and every write through ``services``; the rule engine decides which step
forms a person sees (``services.actions_for``) and judges what they send. A DomainError is shown
under the field it names, with what the user typed kept. People of an investigating department
may hold no complaint permission at all and still open the complaints their department
investigates (the selectors decide), so the list, detail and step views ask for a login only.
Print views and PDFs are in ``views_print``, statistics and findings in ``views_reports``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.customers.services import customer_find_or_create_by_phone
from kefu.org.models import Employee
from kefu.org.selectors import department_descendant_ids
from kefu.tickets.choices import Kind
from kefu.tickets.choices import Status as TicketStatus
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user
from kefu.tickets.views import EVENT_LABELS as TICKET_EVENT_LABELS
from kefu.tickets.views import _event_details as ticket_event_details

from . import selectors, services
from .choices import ApprovalStep, Ground, ProcedureStatus, Route
from .forms import (
    CONFIRMATIONS,
    STEP_FORMS,
    ComplaintForm,
    InvestigationForm,
    RouteForm,
    StepForm,
    list_filters,
)
from .models import Complaint
from .policy import complaints_policy
from .printing import step_rows
from .procedure import APPROVAL_STEP_AT, ProcedureAction
from .services.common import ADD
from .services.steps import received_on

PAGE_SIZES = (20, 50, 100)
TIMELINE_LIMIT = 100
PENDING_TICKETS = 10

# The timeline speaks the regulations' words, not the audit trail's action codes.
EVENT_LABELS: dict[str, str] = {
    "complaint.open": "登记客户投诉记录卡",
    "complaint.accept": "受理",
    "complaint.reject": "不受理",
    "complaint.route": "分派",
    "complaint.submit_investigation": "提交投诉调查报告",
    "complaint.approve": "审核同意",
    "complaint.return": "退回",
    "complaint.leadership_decide": "领导裁定",
    "complaint.record_handling_opinion": "形成处理意见",
    "complaint.reply": "答复客户、结案",
}
SUCCESS: dict[str, str] = {
    ProcedureAction.ACCEPT: "已受理",
    ProcedureAction.REJECT: "已记录不受理，请答复客户",
    ProcedureAction.ROUTE: "已分派",
    ProcedureAction.SUBMIT_INVESTIGATION: "已提交投诉调查报告",
    ProcedureAction.APPROVE: "已审核同意",
    ProcedureAction.RETURN: "已退回",
    ProcedureAction.LEADERSHIP_DECIDE: "已提交裁定意见",
    ProcedureAction.RECORD_HANDLING_OPINION: "已提交处理意见",
    ProcedureAction.REPLY: "已答复客户，投诉已结案",
}
STATUS_TAGS: dict[str, str] = {
    ProcedureStatus.RECORDED: "tag-orange",
    ProcedureStatus.REPLY: "tag-blue",
    ProcedureStatus.CLOSED: "tag-grey",
}


# --- the 7-day clock (CMP-6) -------------------------------------------------------------------
def complaint_clock(complaint: Complaint, *, now: dt.datetime) -> dict[str, Any]:
    """The 7-day clock of a complaint: its deadline (the ticket's, CMP-6) and where it stands.

    ``stage``: on_time / warning (the ticket's SLA scan has warned) / overdue / paused (待客户) /
    done (closed; ``on_time`` says whether by the deadline).
    """
    ticket = complaint.ticket
    due = ticket.resolution_due
    if complaint.status == ProcedureStatus.CLOSED:
        on_time = due is None or (complaint.closed_at is not None and complaint.closed_at <= due)
        return {"stage": "done", "seconds": None, "due": due, "on_time": on_time}
    if ticket.paused_since is not None:
        return {"stage": "paused", "label": "暂停计时", "seconds": None, "due": due}
    if due is None:
        return {"stage": "none", "seconds": None, "due": None}
    seconds = int((due - now).total_seconds())
    stage = "overdue" if seconds < 0 else ("warning" if ticket.sla_level > 0 else "on_time")
    return {"stage": stage, "seconds": seconds, "due": due}


def with_clock(complaints: Any) -> list[Complaint]:
    now = timezone.now()
    rows = list(complaints)
    for c in rows:
        c.clock = complaint_clock(c, now=now)  # type: ignore[attr-defined]
        c.status_tag = STATUS_TAGS.get(c.status, "tag-blue")  # type: ignore[attr-defined]
    return rows


def _visible(request: HttpRequest, pk: int) -> Complaint:
    try:
        return selectors.complaint_get_for_user(request.user, pk)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc


# --- list ---------------------------------------------------------------------------------------
def _list(request: HttpRequest, *, overdue_view: bool) -> HttpResponse:
    g = request.GET
    filters = list_filters(g)
    overdue = overdue_view or g.get("overdue") == "1"
    qs = selectors.complaints_for_user(request.user, **filters)
    if overdue:
        late = selectors.overdue_complaints_for_user(request.user).values("pk")
        qs = qs.filter(pk__in=late).order_by("ticket__resolution_due", "id")
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    page.object_list = with_clock(page.object_list)
    filtered = any(
        g.get(k) for k in ("q", "status", "ground", "route", "month", "accepted", "open")
    ) or (overdue and not overdue_view)
    context: dict[str, Any] = {
        "page": page,
        "filters": g,
        "filtered": filtered,
        "overdue_view": overdue_view,
    }
    if request.htmx and request.htmx.target == "complaint-table":  # type: ignore[attr-defined]
        return render(request, "complaints/_complaint_table.html", context)
    context.update(
        statuses=ProcedureStatus.choices,
        grounds=Ground.choices,
        routes=Route.choices,
        more_open=any(g.get(k) for k in ("route", "accepted", "open")),
        can_add=request.user.has_perm(ADD),
    )
    return render(request, "complaints/complaint_list.html", context)


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """投诉列表: filters in the URL; filtering and paging swap only the table (htmx)."""
    return _list(request, overdue_view=False)


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    """超期投诉: open complaints past their 7-day deadline (CMP-6), the most overdue first."""
    return _list(request, overdue_view=True)


# --- 登记投诉 -----------------------------------------------------------------------------------
def _attachable_ticket(request: HttpRequest) -> Ticket | None:
    """转为投诉: the 投诉 ticket named by ``?ticket=`` (visible, open, no card yet), or None."""
    pk = query_id(request.GET.get("ticket"))
    if pk is None:
        return None
    ticket = (
        tickets_for_user(request.user)
        .filter(pk=pk, kind=Kind.COMPLAINT)
        .exclude(status=TicketStatus.CLOSED)
        .select_related("customer")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _pending_tickets(user: Any) -> list[Ticket]:
    """投诉类工单 still without a 记录卡 — offered as 转为投诉 on the 登记投诉 page."""
    if not user.has_perm("tickets.view_ticket"):
        return []
    return list(
        tickets_for_user(user)
        .filter(kind=Kind.COMPLAINT, complaint__isnull=True)
        .exclude(status=TicketStatus.CLOSED)
        .select_related("customer")
        .order_by("-received_at")[:PENDING_TICKETS]
    )


@login_required
@permission_required(ADD, raise_exception=True)
def complaint_create(request: HttpRequest) -> HttpResponse:
    """登记投诉: records the 客户投诉记录卡 on a new 投诉 ticket (customer found or recorded by the
    caller's number) or, with ``?ticket=``, on an existing 投诉 ticket (转为投诉)."""
    ticket = _attachable_ticket(request)
    if ticket is not None and hasattr(ticket, "complaint"):
        return redirect("complaints:complaint_detail", pk=ticket.complaint.pk)
    initial: dict[str, Any] = {"amount_involved": "0"}
    for key in ("customer", "phone"):
        if request.GET.get(key):
            initial["customer"] = request.GET[key][:40]
    form = ComplaintForm(request.POST or None, user=request.user, ticket=ticket, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = _open_from_form(request, form, ticket)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            if "phone" in exc.fields:  # the caller's number, which the form calls 客户
                exc.fields["customer"] = exc.fields.pop("phone")
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已登记投诉：{complaint.ticket.number}")
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    context = {
        "form": form,
        "ticket": ticket,
        "pending": _pending_tickets(request.user) if ticket is None else [],
    }
    return render(request, "complaints/complaint_form.html", context)


def _open_from_form(request: HttpRequest, form: ComplaintForm, ticket: Ticket | None) -> Complaint:
    kwargs = form.service_kwargs()
    # One transaction: a customer recorded from a typed number is not left behind when the
    # complaint itself is refused (the user corrects the form and submits again).
    with transaction.atomic():
        if ticket is not None:
            return services.complaint_open(actor=request.user, ticket=ticket, **kwargs)
        customer = form.cleaned_data["customer"]
        contact_phone = ""
        if isinstance(customer, str):
            contact_phone = customer
            customer, _created = customer_find_or_create_by_phone(
                actor=request.user, phone=customer, name=kwargs["complainant_name"]
            )
        return services.complaint_open(
            actor=request.user, customer=customer, contact_phone=contact_phone, **kwargs
        )


# --- detail -------------------------------------------------------------------------------------
def _complaint_event_details(event: AuditEvent) -> list[str]:
    after = event.after or {}
    details: list[str] = []
    if after.get("number"):
        details.append(f"受理编号 {after['number']}")
    if after.get("route") in Route.values:
        details.append(Route(after["route"]).label)
    if after.get("approval_step") in ApprovalStep.values:
        details.append(ApprovalStep(after["approval_step"]).label)
    if isinstance(after.get("report"), dict) and after["report"].get("version"):
        details.append(f"第{after['report']['version']}稿")
    if after.get("status") in ProcedureStatus.values:
        details.append(f"→ {ProcedureStatus(after['status']).label}")
    for key in ("leadership_decision", "handling_opinion", "reply"):
        if after.get(key):
            details.append(str(after[key])[:80])
    return details


def complaint_timeline(complaint: Complaint) -> list[AuditEvent]:
    """Everything that happened to the complaint and its ticket (newest first), from the audit
    trail."""
    events = list(
        AuditEvent.objects.filter(
            Q(object_type="complaints.complaint", object_id=str(complaint.pk))
            | Q(object_type="tickets.ticket", object_id=str(complaint.ticket_id))
        ).order_by("-seq")[:TIMELINE_LIMIT]
    )
    for event in events:
        if event.object_type == "complaints.complaint":
            event.label = EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
            event.details = _complaint_event_details(event)  # type: ignore[attr-defined]
        else:
            label = TICKET_EVENT_LABELS.get(event.action, event.action)
            event.label = f"工单：{label}"  # type: ignore[attr-defined]
            event.details = ticket_event_details(event)  # type: ignore[attr-defined]
    return events


def _suggested_route(complaint: Complaint) -> str:
    return complaints_policy(received_on(complaint)).routing.route_for(complaint.ground)


def _report_initial(complaint: Complaint) -> dict[str, Any] | None:
    """A returned report is rewritten from the last one (退回 后修改重报)."""
    report = getattr(complaint, "report", None)
    if report is None:
        return None
    initial: dict[str, Any] = {
        name: getattr(report, name)
        for name in ("aim", "cause", "course", "conclusion", "countermeasures", "prevention")
    }
    for name in ("scope_true", "reasons_sound", "demand_legitimate"):
        initial[name] = "yes" if getattr(report, name) else "no"
    initial["loss_amount"] = f"{report.loss_amount:f}"
    initial["shares"] = [
        {
            "department": s.department_id,
            "team": s.team_id or "",
            "employee": s.employee.employee_no if s.employee_id else "",
            "percent": f"{s.percent.normalize():f}",
            "sanction_trigger": s.sanction_trigger,
            "sanction": s.sanction,
        }
        for s in complaint.report.shares.all()
    ]
    return initial


def step_form(
    action: str, complaint: Complaint, data: Any = None, *, suggested: str = ""
) -> StepForm:
    """The small form of one procedure step, bound to ``data`` when given."""
    form_class = STEP_FORMS[action]
    kwargs: dict[str, Any] = {"complaint": complaint}
    if form_class is RouteForm:
        kwargs["suggested"] = suggested or _suggested_route(complaint)
    if form_class is InvestigationForm and data is None:
        kwargs["initial"] = _report_initial(complaint)
    return form_class(data, **kwargs)


def _step_label(action: ProcedureAction, status: str) -> str:
    if action == ProcedureAction.APPROVE and status == ProcedureStatus.SUPERVISOR_REVIEW:
        return "审核同意处理意见"
    return action.label


def _action_forms(
    complaint: Complaint, actions: list[ProcedureAction], bound: StepForm | None
) -> list[dict[str, Any]]:
    suggested = _suggested_route(complaint) if ProcedureAction.ROUTE in actions else ""
    forms_ = []
    for action in actions:
        is_bound = bound is not None and bound.action == action.value
        form = bound if is_bound else step_form(action.value, complaint, suggested=suggested)
        forms_.append(
            {
                "action": action.value,
                "label": _step_label(action, complaint.status),
                "form": form,
                "confirm": CONFIRMATIONS.get(action, ""),
                "open": is_bound or action == ProcedureAction.SUBMIT_INVESTIGATION,
                "wide": action == ProcedureAction.SUBMIT_INVESTIGATION,
                "danger": action in (ProcedureAction.REJECT, ProcedureAction.RETURN),
            }
        )
    return forms_


def _share_people(complaint: Complaint) -> list[Employee]:
    """责任人 suggestions: the active people of the investigating department (and below)."""
    if not complaint.investigating_department_id:
        return []
    tree = department_descendant_ids(complaint.investigating_department_id)
    return list(
        Employee.objects.filter(department_id__in=tree, status="active")
        .select_related("department")
        .order_by("employee_no")[:200]
    )


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    bound: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = services.actions_for(request.user, complaint)
    steps = list(complaint.steps.all())
    report = getattr(complaint, "report", None)
    approval_step = APPROVAL_STEP_AT.get(complaint.status, "")
    context = {
        "complaint": complaint,
        "ticket": complaint.ticket,
        "clock": complaint_clock(complaint, now=timezone.now()),
        "status_tag": STATUS_TAGS.get(complaint.status, "tag-blue"),
        "waiting_for": complaint.waiting_for,
        "approval_step": ApprovalStep(approval_step).label if approval_step else "",
        "actions": _action_forms(complaint, actions, bound),
        "report": report,
        "shares": list(report.shares.all()) if report else [],
        "steps": steps,
        "step_rows": step_rows(steps),
        "findings": list(complaint.findings.all()),
        "timeline": complaint_timeline(complaint),
        "share_people": _share_people(complaint)
        if ProcedureAction.SUBMIT_INVESTIGATION in actions
        else [],
        "can_view_ticket": request.user.has_perm("tickets.view_ticket"),
        "action_error": "；".join(e for errs in bound.errors.values() for e in errs)
        if bound is not None and bound.action not in actions
        else "",
    }
    return render(request, "complaints/complaint_detail.html", context, status=status)


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉详情: the 记录卡, the 7-day clock, who acts now, only the step forms the user may take
    now, the report, the step history, the findings once closed, and the timeline."""
    return _detail(request, _visible(request, pk))


def _perform(user: Any, complaint: Complaint, action: str, form: StepForm) -> Complaint:
    kwargs = form.service_kwargs()
    if action == ProcedureAction.ACCEPT:
        return services.complaint_decide_acceptance(
            actor=user, complaint=complaint, accept=True, reason=kwargs.get("reason") or ""
        )
    if action == ProcedureAction.REJECT:
        return services.complaint_decide_acceptance(
            actor=user, complaint=complaint, accept=False, reason=kwargs.get("reason") or ""
        )
    service = {
        ProcedureAction.ROUTE: services.complaint_route,
        ProcedureAction.SUBMIT_INVESTIGATION: services.complaint_submit_investigation,
        ProcedureAction.APPROVE: services.complaint_approve,
        ProcedureAction.RETURN: services.complaint_return,
        ProcedureAction.LEADERSHIP_DECIDE: services.complaint_leadership_decide,
        ProcedureAction.RECORD_HANDLING_OPINION: services.complaint_record_handling_opinion,
        ProcedureAction.REPLY: services.complaint_reply,
    }[ProcedureAction(action)]
    return service(actor=user, complaint=complaint, **kwargs)


@login_required
@require_POST
def complaint_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One procedure step (受理, 分派, 调查报告, 审核, 退回 …) from its form on the detail page."""
    complaint = _visible(request, pk)
    if action not in STEP_FORMS:
        raise Http404
    form = step_form(action, complaint, request.POST)
    if form.is_valid():
        try:
            _perform(request.user, complaint, action, form)
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError) and exc.code != "complaint_action_forbidden":
                raise PermissionDenied(exc.message) from exc
            if exc.status == 404:
                raise Http404 from exc
            form.show_error(exc)
        else:
            messages.success(request, SUCCESS.get(action, "已保存"))
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    return _detail(request, complaint, bound=form, status=422)
