"""换班 pages: the lists (我的换班 / 待我确认 / 班组换班 / 待还班), the request form with a live
preview of both rosters, a swap's page with 确认/拒绝, 审批 and 撤销, and 安排还班."""

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

from kefu.core.errors import (
    DomainError,
    PermissionDeniedError,
    call_service_for_form,
)
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.approval_flow import approval_can_decide, approval_steps
from kefu.org.models import Employee
from kefu.org.selectors import employee_of
from kefu.workforce.shifts import shift_names

from . import selectors, services
from .choices import PaybackStatus, SwapKind, SwapStatus
from .forms import DecideForm, DeclineForm, PaybackForm, SwapForm
from .models import ShiftSwap
from .selectors import ADD, TABS, VIEW, VIEW_TEAM
from .strip import roster_strip

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
STATUS_TAGS = {
    SwapStatus.AWAITING_COLLEAGUE: "tag-orange",
    SwapStatus.PENDING: "tag-blue",
    SwapStatus.APPROVED: "tag-green",
    SwapStatus.DECLINED: "tag-grey",
    SwapStatus.REJECTED: "tag-red",
    SwapStatus.WITHDRAWN: "tag-grey",
}
PAYBACK_TAGS = {"due": "tag-orange", "done": "tag-green", "overdue": "tag-red"}
EVENT_LABELS = {
    "swaps.create": "提交换班申请",
    "swaps.payback_create": "提交还班申请",
    "swaps.accept": "同事同意换班",
    "swaps.decline": "同事拒绝换班",
    "approval.start": "提交审批",
    "approval.approve": "审批同意",
    "approval.reject": "审批驳回",
    "approval.cancel": "撤销审批",
    "swaps.approve": "换班生效，排班表已调整",
    "swaps.reject": "换班被驳回",
    "swaps.withdraw": "申请人撤销",
}


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    tab = g.get("tab") or "mine"
    if tab not in dict(TABS) or (tab == "team" and not request.user.has_perm(VIEW_TEAM)):
        tab = "mine"
    return {"tab": tab, **{k: g.get(k, "")[:40] for k in ("q", "status", "month")}}


def _decorate(rows: Any, today: dt.date, names: dict[str, str]) -> None:
    for s in rows:
        s.status_tag = STATUS_TAGS.get(s.status, "")
        s.payback = s.payback_state(today)
        s.payback_label = PaybackStatus(s.payback).label if s.payback else ""
        s.payback_tag = PAYBACK_TAGS.get(s.payback, "")
        s.applicant_code_name = names.get(s.applicant_code, s.applicant_code)
        s.colleague_code_name = names.get(s.colleague_code, s.colleague_code)


def _rows(request: HttpRequest, params: dict[str, str]) -> Any:
    qs = selectors.swaps_for_user(request.user)
    return selectors.list_rows(selectors.filter_swaps(qs, request.user, params))


@login_required
@permission_required(VIEW, raise_exception=True)
def swap_list(request: HttpRequest) -> HttpResponse:
    """换班: tabs 我的换班 / 待我确认 / 班组换班 / 待还班, filters in the URL, htmx table."""
    params = _params(request)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(_rows(request, params), size).get_page(request.GET.get("page"))
    today = timezone.localdate()
    _decorate(page.object_list, today, shift_names(today))
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params[k] for k in ("q", "status", "month")),
        "today": today,
    }
    if request.htmx and request.htmx.target == "swap-table":  # type: ignore[attr-defined]
        return render(request, "swaps/_swap_table.html", context)
    context.update(
        tabs=[t for t in TABS if t[0] != "team" or request.user.has_perm(VIEW_TEAM)],
        statuses=SwapStatus.choices,
        can_add=request.user.has_perm(ADD),
        to_confirm=selectors.awaiting_my_confirmation(request.user),
    )
    return render(request, "swaps/swap_list.html", context)


EXPORT_COLUMNS = (
    Column("number", "换班单号", 12),
    Column("kind", "类型", 8),
    Column("applicant", "申请人", 12),
    Column("colleague", "换班同事", 12),
    Column("day", "换班日期", 12, "date"),
    Column("given", "申请人原班次", 12),
    Column("taken", "同事原班次", 12),
    Column("payback_day", "还班日期", 12, "date"),
    Column("payback_due", "还班期限", 12, "date"),
    Column("status", "状态", 10),
    Column("payback", "还班状态", 10),
    Column("reason", "换班原因", 30),
)


@login_required
@permission_required(VIEW, raise_exception=True)
def swap_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered list as Excel."""
    params = _params(request)
    today = timezone.localdate()
    names = shift_names(today)
    rows = list(_rows(request, params)[:EXPORT_LIMIT])
    _decorate(rows, today, names)
    data = [
        [
            s.number,
            s.get_kind_display(),
            s.applicant.name,
            s.colleague.name,
            s.day,
            s.applicant_code_name,
            s.colleague_code_name,
            s.payback_day,
            s.payback_due,
            s.get_status_display(),
            s.payback_label,
            s.reason,
        ]
        for s in rows
    ]
    content, _ = write_workbook(
        sheet_title="换班",
        title=f"换班登记表（{today:%Y-%m-%d}导出）",
        columns=EXPORT_COLUMNS,
        rows=data,
        text_columns=("number",),
    )
    return xlsx_download(content, f"换班登记表{today:%Y%m%d}.xlsx")


def _me(request: HttpRequest) -> Employee:
    me = employee_of(request.user)
    if me is None:
        raise PermissionDenied("只有员工可以换班")
    return me


@login_required
@permission_required(ADD, raise_exception=True)
def swap_new(request: HttpRequest) -> HttpResponse:
    """换班申请: pick my shift day and a colleague; the preview shows both rosters around it."""
    me = _me(request)
    form = SwapForm(request.POST or None, employee=me, initial={"day": request.GET.get("day", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        swap = call_service_for_form(
            form,
            services.swap_create,
            actor=request.user,
            colleague=d["colleague"],
            day=d["day"],
            payback_day=d["payback_day"],
            payback_due=d["payback_due"],
            reason=d["reason"],
        )
        if swap is not None:
            messages.success(request, "换班申请已提交，等待同事确认")
            return redirect("swaps:swap_detail", pk=swap.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "swaps/swap_form.html", {"form": form, "me": me}, status=status)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@permission_required(ADD, raise_exception=True)
def swap_preview(request: HttpRequest) -> HttpResponse:
    """换班预览 (htmx): both rosters around the days, before and after, and the rule check."""
    me = _me(request)
    day = _date(request.GET.get("day"))
    colleague_id = query_id(request.GET.get("colleague"))
    colleague = selectors.colleagues_for_swap(me).filter(pk=colleague_id).first()
    context: dict[str, Any] = {"ready": False}
    if day is not None and colleague is not None:
        payback_day = _date(request.GET.get("payback_day"))
        payback_due = payback_day or _date(request.GET.get("payback_due"))
        check = services.swap_check(
            applicant=me,
            colleague=colleague,
            day=day,
            payback_day=payback_day,
            payback_due=payback_due,
        )
        exchange = [day] + ([payback_day] if payback_day and payback_day > day else [])
        context = {
            "ready": True,
            "errors": check.errors,
            "strip": roster_strip(me, colleague, exchange, schedule=check.context.schedule),
        }
    return render(request, "swaps/_preview.html", context)


def _visible(request: HttpRequest, pk: int) -> ShiftSwap:
    try:
        return selectors.swap_get_for_user(request.user, pk)
    except ShiftSwap.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(swap: ShiftSwap) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(object_type="swaps.shiftswap", object_id=str(swap.pk)).order_by(
            "seq"
        )
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.details = []  # type: ignore[attr-defined]
    return events


def _detail(request: HttpRequest, swap: ShiftSwap, status: int = 200, **forms: Any) -> HttpResponse:
    me = employee_of(request.user)
    mine = me is not None and me.pk == swap.applicant_id
    today = timezone.localdate()
    names = shift_names(swap.day)
    _decorate([swap], today, names)
    exchange = [swap.day] + ([swap.payback_day] if swap.payback_day else [])
    open_payback = selectors.open_payback_request(swap) if swap.kind == SwapKind.SWAP else None
    can_decide = swap.status == SwapStatus.PENDING and approval_can_decide(request.user, swap)
    context = {
        "swap": swap,
        "names": names,
        "steps": approval_steps(swap),
        "strip": roster_strip(
            swap.applicant,
            swap.colleague,
            exchange,
            show_after=swap.status in (SwapStatus.AWAITING_COLLEAGUE, SwapStatus.PENDING),
        ),
        "can_confirm": swap.status == SwapStatus.AWAITING_COLLEAGUE
        and me is not None
        and me.pk == swap.colleague_id,
        "can_withdraw": mine and swap.status in (SwapStatus.AWAITING_COLLEAGUE, SwapStatus.PENDING),
        "can_decide": can_decide,
        "can_payback": mine
        and swap.kind == SwapKind.SWAP
        and swap.status == SwapStatus.APPROVED
        and swap.paid_back_on is None
        and open_payback is None,
        "open_payback": open_payback,
        "paybacks": list(swap.paybacks.order_by("-pk")) if swap.kind == SwapKind.SWAP else [],
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "decide_form": forms.get("decide_form") or DecideForm(initial={"decision": "approve"}),
        "timeline": _timeline(swap),
    }
    return render(request, "swaps/swap_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def swap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """换班申请: header, both rosters around the days, approval steps, the actions I may take."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def swap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _visible(request, pk)
    try:
        services.swap_accept(actor=request.user, swap=swap)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已同意换班，申请已提交审批")
    return redirect("swaps:swap_detail", pk=pk)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def swap_decline(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _visible(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            services.swap_decline,
            actor=request.user,
            swap=swap,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, "已拒绝换班")
            return redirect("swaps:swap_detail", pk=pk)
    return _detail(request, swap, status=422, decline_form=form)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def swap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """审批: the current approver's 同意 / 驳回; on final approval the roster changes."""
    swap = _visible(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            services.swap_decide,
            actor=request.user,
            swap=swap,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
        if done is not None:
            messages.success(
                request,
                "已批准，排班表已调整"
                if done.status == SwapStatus.APPROVED
                else ("已驳回" if done.status == SwapStatus.REJECTED else "已同意，转下一级审批"),
            )
            return redirect("swaps:swap_detail", pk=pk)
    return _detail(request, swap, status=422, decide_form=form)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def swap_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _visible(request, pk)
    try:
        services.swap_withdraw(actor=request.user, swap=swap, reason=request.POST.get("reason", ""))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "换班申请已撤销")
    return redirect("swaps:swap_detail", pk=pk)


@login_required
@permission_required(ADD, raise_exception=True)
def swap_payback(request: HttpRequest, pk: int) -> HttpResponse:
    """安排还班: choose my rest day on which I take the colleague's shift."""
    swap = _visible(request, pk)
    me = _me(request)
    if me.pk != swap.applicant_id:
        raise PermissionDenied("只有换班申请人可以安排还班")
    form = PaybackForm(request.POST or None, employee=me)
    if request.method == "POST" and form.is_valid():
        payback = call_service_for_form(
            form,
            services.swap_payback_create,
            actor=request.user,
            swap=swap,
            day=form.cleaned_data["day"],
            reason=form.cleaned_data["reason"],
        )
        if payback is not None:
            messages.success(request, "还班申请已提交，等待同事确认")
            return redirect("swaps:swap_detail", pk=payback.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "swaps/payback_form.html", {"form": form, "swap": swap}, status=status)
