"""退换货 pages — list (open cases with ages), 登记退换货, detail with the allowed steps, ledger.

Reads go through ``selectors`` (a case the viewer may not see is a 404), writes through
``services``; a DomainError is shown under its field with what the user typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_choice, query_id
from kefu.core.xlsx_web import xlsx_download
from kefu.customers.services import customer_find_or_create_by_phone
from kefu.tickets.selectors import tickets_for_user

from . import excel, rules, selectors, services
from .choices import CaseType, LedgerKind, Stage, TransferStatus
from .forms import CONFIRMATIONS, STEP_FORMS, CaseForm, LedgerForm, TransferPaidForm
from .models import ReturnCase
from .policy import returns_policy
from .roles import ADD, CHANGE, EXPORT, VIEW
from .services.clock import clock_of
from .services.common import facts_for
from .workflow import ACTION_LABELS, Action, available_actions, needs_early_approval

PAGE_SIZES = (20, 50, 100)
STAGE_TAGS = {
    Stage.REGISTERED: "tag-orange",
    Stage.INSPECTED_FAIL: "tag-red",
    Stage.REFUNDED: "tag-grey",
    Stage.COMPLETED: "tag-grey",
    Stage.CANCELLED: "tag-grey",
}
EVENT_LABELS = {
    "returns.create": "登记退换货单",
    **{f"returns.{a.value}": ACTION_LABELS[a] for a in Action},
    "returns.ledger_add": "登记台账",
    "returns.transfer_paid": "已转账",
    "returns.transfer_register": "转账登记",
}
SERVICES = {
    Action.AWAIT_RETURN: services.returncase_await_return,
    Action.INTERCEPT: services.returncase_intercept,
    Action.RECEIVE: services.returncase_receive,
    Action.PARCEL_BACK: services.returncase_parcel_back,
    Action.INSPECT: services.returncase_inspect,
    Action.CONTACT: services.returncase_record_contact,
    Action.CLAIM: services.returncase_claim,
    Action.FORWARD: services.returncase_forward,
    Action.FORWARD_FAILED: services.returncase_forward_failed,
    Action.REFUND: services.returncase_refund,
    Action.RESHIP: services.returncase_reship,
    Action.CONFIRM_ARRIVAL: services.returncase_confirm_arrival,
    Action.CANCEL: services.returncase_cancel,
    Action.APPROVE_EARLY_RESHIP: services.returncase_approve_early_reship,
}


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _visible(request: HttpRequest, pk: int) -> ReturnCase:
    try:
        return selectors.returncase_get_for_user(request.user, pk)
    except ReturnCase.DoesNotExist as exc:
        raise Http404 from exc


def _filters(g: Any) -> dict[str, Any]:
    return {
        "q": (g.get("q") or "").strip()[:50],
        "case_type": query_choice(g, "case_type", CaseType.values),
        "stage": query_choice(g, "stage", Stage.values),
        "age": query_choice(g, "age", selectors.AGE_LEVELS),
        "open_only": g.get("open") == "1",
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    """退换货列表 (AS-9): filters in the URL; the table swaps by htmx; ages coloured by policy."""
    g = request.GET
    policy = returns_policy()
    today = _today()
    filters = _filters(g)
    qs = selectors.returncases_for_user(request.user, policy=policy, today=today, **filters)
    size = query_id(g.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(g.get("page"))
    rows = selectors.with_age(list(page.object_list), policy, today)
    for case in rows:
        case.stage_tag = STAGE_TAGS.get(case.stage, "tag-blue")  # type: ignore[attr-defined]
    page.object_list = rows
    context: dict[str, Any] = {
        "page": page,
        "filters": g,
        "filtered": any(g.get(k) for k in ("q", "case_type", "stage", "age", "open")),
    }
    if request.htmx and request.htmx.target == "case-table":  # type: ignore[attr-defined]
        return render(request, "returns/_case_table.html", context)
    context.update(
        case_types=CaseType.choices,
        stages=Stage.choices,
        board=selectors.open_board(request.user, policy, today),
        policy=policy,
        can_add=request.user.has_perm(ADD),
        can_export=request.user.has_perm(EXPORT),
    )
    return render(request, "returns/case_list.html", context)


@login_required
@permission_required(EXPORT, raise_exception=True)
def case_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered list as Excel (audited)."""
    policy = returns_policy()
    today = _today()
    filters = _filters(request.GET)
    qs = selectors.returncases_for_user(request.user, policy=policy, today=today, **filters)
    export = excel.cases_export(qs, policy, today)
    services.returncase_export_record(
        actor=request.user, count=export.count, filters={k: v for k, v in filters.items() if v}
    )
    return xlsx_download(export.content, export.filename)


@login_required
@permission_required(ADD, raise_exception=True)
def case_create(request: HttpRequest) -> HttpResponse:
    """登记退换货 — from a service request (``?ticket=``) or directly (by the customer's phone)."""
    ticket = None
    ticket_id = query_id(request.GET.get("ticket") or request.POST.get("ticket"))
    if ticket_id is not None:
        ticket = (
            tickets_for_user(request.user).select_related("customer").filter(pk=ticket_id).first()
        )
        if ticket is None:
            raise Http404
    initial = {"case_type": query_choice(request.GET, "case_type", CaseType.values)}
    if ticket is not None:
        initial.update(
            order_no=ticket.order_no,
            original_tracking_no=ticket.tracking_no,
            card_contact=ticket.contact_phone,
            card_reason=ticket.title[:200],
        )
    form = CaseForm(request.POST or None, initial=initial, with_ticket=ticket is not None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        phone = data.pop("customer_phone", "")
        data.pop("quality_fault")
        try:
            customer = None
            if ticket is None:
                if not phone:
                    raise DomainError(
                        "return_invalid", "请填写客户电话", fields={"customer_phone": "必填"}
                    )
                try:
                    customer, _ = customer_find_or_create_by_phone(actor=request.user, phone=phone)
                except DomainError as exc:
                    raise DomainError(
                        exc.code, exc.message, fields={"customer_phone": exc.message}
                    ) from exc
            case = services.returncase_create(
                actor=request.user,
                ticket=ticket,
                customer=customer,
                quality_fault=form.quality(),
                **data,
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, f"已登记退换货单 {case.number}")
            return redirect("returns:case_detail", pk=case.pk)
    return render(request, "returns/case_form.html", {"form": form, "ticket": ticket})


def _timeline(case: ReturnCase) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(
            object_type="returns.returncase", object_id=str(case.pk)
        ).order_by("seq")[:200]
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.details = []  # type: ignore[attr-defined]
    return events


def _detail_context(
    request: HttpRequest, case: ReturnCase, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    facts = facts_for(request.user, case)
    bound = bound or {}
    actions = []
    for code in available_actions(facts):
        form = bound.get(code) or STEP_FORMS[code]()
        if code == Action.REFUND and not bound.get(code):
            form = STEP_FORMS[code](
                initial={"freight_refund": services.freight_refund_suggestion(case)}
            )
        actions.append(
            {
                "action": code,
                "label": ACTION_LABELS[code],
                "form": form,
                "open": code in bound,
                "danger": code == Action.CANCEL,
                "confirm": CONFIRMATIONS.get(code, ""),
            }
        )
    policy = returns_policy(case.created_on)
    entries = list(case.ledger.all())
    totals = rules.ledger_totals((e.kind, e.amount) for e in entries)
    selectors.with_age([case], returns_policy(), _today())
    # AS-8's deadlines are the platform's service time limits, in force on the day the
    # reshipment became possible.
    clock = clock_of(case, now=timezone.now())
    return {
        "case": case,
        "stage_tag": STAGE_TAGS.get(case.stage, "tag-blue"),
        "reason_label": policy.reason_label(case.reason),
        "actions": actions,
        "blocked_reship": needs_early_approval(case.case_type, case.stage)
        and case.early_reship_approved_at is None
        and case.case_type in (CaseType.EXCHANGE, CaseType.DAMAGED),
        "entries": entries,
        "totals": totals,
        "ledger_kinds": LedgerKind,
        "ledger_form": bound.get("ledger") or LedgerForm(),
        "can_change": request.user.has_perm(CHANGE),
        "transfers": list(selectors.transfers_for_user(request.user).filter(case=case)),
        "clock": clock,
        "policy": policy,
        "timeline": _timeline(case),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible(request, pk)
    return render(request, "returns/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on a case; refused (403) when the workflow does not allow it for this actor."""
    case = _visible(request, pk)
    if action not in STEP_FORMS or action not in available_actions(facts_for(request.user, case)):
        raise PermissionDenied
    form = STEP_FORMS[action](request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            SERVICES[action](actor=request.user, case=case, **data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, f"{ACTION_LABELS[action]}：已完成")
            return redirect("returns:case_detail", pk=case.pk)
    case = _visible(request, pk)
    return render(
        request,
        "returns/case_detail.html",
        _detail_context(request, case, {action: form}),
        status=422,
    )


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def ledger_add(request: HttpRequest, pk: int) -> HttpResponse:
    """登记运费/差价 (AS-9)."""
    case = _visible(request, pk)
    form = LedgerForm(request.POST)
    if form.is_valid():
        try:
            services.ledger_entry_add(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "已登记台账")
            return redirect("returns:case_detail", pk=case.pk)
    return render(
        request,
        "returns/case_detail.html",
        _detail_context(request, case, {"ledger": form}),
        status=422,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def transfer_list(request: HttpRequest) -> HttpResponse:
    """转账登记 (AS-8): bank-transfer refunds, pending first, with days waiting."""
    status = query_choice(request.GET, "status", TransferStatus.values)
    policy = returns_policy()
    rows = list(selectors.transfers_for_user(request.user, status=status)[:500])
    today = _today()
    for t in rows:
        t.days = rules.days_open(timezone.localtime(t.created_at).date(), today)  # type: ignore[attr-defined]
        t.overdue = t.status == TransferStatus.PENDING and t.days >= policy.transfer_overdue_days  # type: ignore[attr-defined]
    return render(
        request,
        "returns/transfer_list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": TransferStatus.choices,
            "can_change": request.user.has_perm(CHANGE),
            "form": TransferPaidForm(),
        },
    )


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def transfer_paid(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfers_for_user(request.user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    form = TransferPaidForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_mark_paid(actor=request.user, transfer=transfer, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记转账")
    else:
        messages.error(request, "转账日期格式不正确")
    return redirect("returns:transfer_list")
