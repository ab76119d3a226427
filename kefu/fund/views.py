"""部门基金 pages (PERF-7): the ledger of one department (balance, month totals, lines with the
running balance, filters in the URL, Excel export), 申请支出 / 登记收入, and a spending's page with
its approval steps and the current approver's 同意 / 驳回."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, call_service_for_form, raise_if_refused
from kefu.core.models import AuditEvent
from kefu.core.params import query_choice, query_id
from kefu.core.policy import org_policy
from kefu.org.approval_flow import approval_can_decide, approval_steps
from kefu.org.choices import Level
from kefu.org.models import Department
from kefu.org.selectors import employee_of

from . import selectors, services
from .choices import FundEntryKind, FundEntryStatus
from .exports import export_response, user_name
from .forms import DecideForm, FundEntryForm
from .models import FundEntry
from .selectors import EXPORT, RECORD_INCOME, REQUEST_SPENDING, VIEW

PAGE_SIZES = (20, 50, 100)
STATUS_TAGS = {
    FundEntryStatus.PENDING: "tag-blue",
    FundEntryStatus.EFFECTIVE: "tag-green",
    FundEntryStatus.REJECTED: "tag-red",
    FundEntryStatus.CANCELLED: "tag-grey",
}
KIND_TAGS = {
    FundEntryKind.FINE: "tag-orange",
    FundEntryKind.FINE_REVERSAL: "tag-grey",
    FundEntryKind.INCOME: "tag-green",
    FundEntryKind.SPENDING: "tag-blue",
}
EVENT_LABELS = {
    "fund.spending_request": "申请部门基金支出",
    "approval.start": "提交审批",
    "approval.approve": "审批同意",
    "approval.reject": "审批驳回",
    "approval.cancel": "撤销审批",
    "fund.spending_approve": "审批通过，支出已入账",
    "fund.spending_reject": "支出申请被驳回",
    "fund.spending_cancel": "申请人撤回",
    "fund.income_record": "登记其他收入",
    "fund.fine_credited": "罚款计入部门基金",
    "fund.fine_reversed": "罚款冲销",
}


@dataclass
class Ledger:
    """What the ledger page shows for the chosen department and filters."""

    departments: list[Department]
    department: Department | None
    month: dt.date | None
    totals_month: dt.date
    params: dict[str, str]


def _ledger(request: HttpRequest) -> Ledger:
    g = request.GET
    departments = list(selectors.fund_departments_for_user(request.user))
    wanted = query_id(g.get("department"))
    department = next((d for d in departments if d.pk == wanted), None)
    if department is None and departments:
        me = employee_of(request.user)
        me_dept = me.department_id if me else None
        department = next((d for d in departments if d.pk == me_dept), departments[0])
    today = timezone.localdate()
    month = selectors.parse_month(g.get("month")) if "month" in g else today.replace(day=1)
    params = {
        "department": str(department.pk) if department else "",
        "month": f"{month:%Y-%m}" if month else "",
        "kind": query_choice(g, "kind", FundEntryKind.values),
        "status": query_choice(g, "status", FundEntryStatus.values),
    }
    return Ledger(departments, department, month, month or today.replace(day=1), params)


def _rows(ledger: Ledger) -> Any:
    if ledger.department is None:
        return FundEntry.objects.none()
    return selectors.ledger_entries(
        ledger.department.pk,
        month=ledger.month,
        kind=ledger.params["kind"],
        status=ledger.params["status"],
    )


def _incident_url(incident_id: int | None) -> str:
    """The incident's page in the performance ledger, when that page exists."""
    if not incident_id:
        return ""
    try:
        return reverse("performance:incident_detail", args=[incident_id])
    except NoReverseMatch:
        return ""


def signed_yuan(amount: Decimal) -> str:
    """+¥1,234.00 for money into the fund, -¥450.00 for money out."""
    return f"{'-' if amount < 0 else '+'}¥{abs(amount):,.2f}"


def _decorate(request: HttpRequest, entries: Any) -> None:
    show_incident = request.user.has_perm("performance.view_incident")
    for e in entries:
        e.status_tag = STATUS_TAGS.get(e.status, "")
        e.kind_tag = KIND_TAGS.get(e.kind, "")
        e.signed = signed_yuan(e.amount)
        e.incident_url = _incident_url(e.incident_id) if show_incident else ""


@login_required
@permission_required(VIEW, raise_exception=True)
def ledger(request: HttpRequest) -> HttpResponse:
    """部门基金: department picker, balance, month totals, the ledger (filters in the URL)."""
    data = _ledger(request)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(_rows(data), size).get_page(request.GET.get("page"))
    _decorate(request, page.object_list)
    department = data.department
    context: dict[str, Any] = {
        "page": page,
        "filters": data.params,
        "department": department,
        "filtered": bool(data.params["kind"] or data.params["status"]),
        "balance": selectors.fund_balance(department.pk) if department else None,
        "totals": selectors.fund_month_totals(department.pk, data.totals_month)
        if department
        else None,
        "totals_month": data.totals_month,
        "can_spend": request.user.has_perm(REQUEST_SPENDING),
        "can_income": request.user.has_perm(RECORD_INCOME),
        "can_export": request.user.has_perm(EXPORT),
    }
    if request.htmx and request.htmx.target == "fund-table":  # type: ignore[attr-defined]
        return render(request, "fund/_ledger_table.html", context)
    context.update(
        departments=data.departments,
        kinds=FundEntryKind.choices,
        statuses=FundEntryStatus.choices,
    )
    return render(request, "fund/ledger.html", context)


@login_required
@permission_required(EXPORT, raise_exception=True)
def export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered ledger as Excel (部门基金台账): amounts and balances as numbers."""
    data = _ledger(request)
    if data.department is None:
        raise Http404("没有可查看的部门基金")
    return export_response(
        data.department, data.month, kind=data.params["kind"], status=data.params["status"]
    )


def _chain_hint() -> str:
    """The approval tiers of fund_spending in the org policy in force, as one sentence."""
    rules = org_policy(timezone.localdate()).approval.get(services.APPROVAL_KIND, [])
    parts: list[str] = []
    previous = None
    for rule in rules:
        level = Level(rule.final_level).label
        if rule.max_amount is not None:
            parts.append(f"{rule.max_amount:g}元以内（含）逐级报{level}批准")
            previous = rule.max_amount
        elif previous is not None:
            parts.append(f"超过{previous:g}元逐级报{level}批准")
        else:
            parts.append(f"逐级报{level}批准")
    return "；".join(parts)


def _new_entry(
    request: HttpRequest,
    *,
    perm: str,
    service: Any,
    label: str,
    title: str,
    done: str,
) -> HttpResponse:
    departments = selectors.fund_departments_for_user(request.user)
    initial = {}
    wanted = query_id(request.GET.get("department"))
    if wanted:
        initial["department"] = wanted
    form = FundEntryForm(
        request.POST or None, departments=departments, description_label=label, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entry = call_service_for_form(
            form,
            service,
            actor=request.user,
            department=d["department"],
            day=d["day"],
            amount=d["amount"],
            description=d["description"],
        )
        if entry is not None:
            messages.success(request, done)
            if entry.kind == FundEntryKind.SPENDING:
                return redirect("fund:entry_detail", pk=entry.pk)
            return redirect(f"{reverse('fund:ledger')}?department={entry.department_id}")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": title, "perm": perm, "chain": _chain_hint()}
    return render(request, "fund/entry_form.html", context, status=status)


@login_required
@permission_required(REQUEST_SPENDING, raise_exception=True)
def spending_new(request: HttpRequest) -> HttpResponse:
    """申请支出: the department's team activity, amount and reason → the approval chain."""
    return _new_entry(
        request,
        perm=REQUEST_SPENDING,
        service=services.fund_spending_request,
        label="支出事由",
        title="申请支出",
        done="支出申请已提交审批",
    )


@login_required
@permission_required(RECORD_INCOME, raise_exception=True)
def income_new(request: HttpRequest) -> HttpResponse:
    """登记收入: other income of the fund, effective at once."""
    return _new_entry(
        request,
        perm=RECORD_INCOME,
        service=services.fund_income_record,
        label="收入说明",
        title="登记收入",
        done="收入已登记",
    )


def _visible(request: HttpRequest, pk: int) -> FundEntry:
    try:
        return selectors.fund_entry_get_for_user(request.user, pk)
    except FundEntry.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(entry: FundEntry) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(object_type="fund.fundentry", object_id=str(entry.pk)).order_by(
            "seq"
        )
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.details = []  # type: ignore[attr-defined]
    return events


def _detail(
    request: HttpRequest, entry: FundEntry, status: int = 200, form: DecideForm | None = None
) -> HttpResponse:
    pending = entry.status == FundEntryStatus.PENDING
    entry.status_tag = STATUS_TAGS.get(entry.status, "")  # type: ignore[attr-defined]
    entry.kind_tag = KIND_TAGS.get(entry.kind, "")  # type: ignore[attr-defined]
    entry.signed = signed_yuan(entry.amount)  # type: ignore[attr-defined]
    show_incident = request.user.has_perm("performance.view_incident")
    entry.incident_url = _incident_url(entry.incident_id) if show_incident else ""  # type: ignore[attr-defined]
    readable = selectors.fund_can_read(request.user, entry.department_id)
    context = {
        "entry": entry,
        "steps": approval_steps(entry) if entry.kind == FundEntryKind.SPENDING else [],
        "can_decide": pending and approval_can_decide(request.user, entry),
        "can_cancel": pending and entry.created_by_id == request.user.pk,
        "decide_form": form or DecideForm(initial={"decision": "approve"}),
        "balance": selectors.fund_balance(entry.department_id),
        "readable": readable,
        "requester": user_name(entry.created_by),
        "timeline": _timeline(entry),
    }
    return render(request, "fund/entry_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """部门基金流水: facts, approval steps, the current approver's decision, 撤回."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def entry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """审批 a spending: 同意 passes it on (the last level makes it effective), 驳回 ends it."""
    entry = _visible(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            services.fund_spending_decide,
            actor=request.user,
            entry=entry,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["comment"],
        )
        if done is not None:
            text = {
                FundEntryStatus.EFFECTIVE: "已批准，支出已入账",
                FundEntryStatus.REJECTED: "已驳回",
            }.get(done.status, "已同意，转下一级审批")
            messages.success(request, text)
            return redirect("fund:entry_detail", pk=pk)
    entry = _visible(request, pk)
    return _detail(request, entry, status=422, form=form)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回 a spending still in approval (the requester only)."""
    entry = _visible(request, pk)
    try:
        services.fund_spending_cancel(
            actor=request.user, entry=entry, reason=request.POST.get("reason", "")[:200]
        )
    except DomainError as exc:
        raise_if_refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "支出申请已撤回")
    return redirect("fund:entry_detail", pk=pk)
