"""请假 pages: the lists (我的请假 / 班组请假), the request form, a request's page with 审批 (and the
coverage warning), 撤销 and 销假, and the balances page (年假, 调休)."""

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

from kefu.core.errors import (
    DomainError,
    PermissionDeniedError,
    call_service_for_form,
)
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.policy import workforce_policy
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.approval_flow import approval_can_decide, approval_steps
from kefu.org.selectors import employee_of
from kefu.swaps.forms import DecideForm

from . import selectors, services
from .choices import LeaveStatus
from .forms import LeaveForm, ReportBackForm
from .models import LeaveRequest
from .policy import leave_policy
from .selectors import ADD, TABS, VIEW, VIEW_TEAM

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
BALANCE_PEOPLE_LIMIT = 500
STATUS_TAGS = {
    LeaveStatus.PENDING: "tag-blue",
    LeaveStatus.APPROVED: "tag-green",
    LeaveStatus.REJECTED: "tag-red",
    LeaveStatus.WITHDRAWN: "tag-grey",
    LeaveStatus.RETURNED: "tag-grey",
}
EVENT_LABELS = {
    "leave.create": "提交请假申请",
    "approval.start": "提交审批",
    "approval.approve": "审批同意",
    "approval.reject": "审批驳回",
    "approval.cancel": "撤销审批",
    "leave.approve": "请假生效，排班表已调整",
    "leave.reject": "请假被驳回",
    "leave.withdraw": "申请人撤销",
    "leave.report_back": "销假",
}


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    tab = g.get("tab") or "mine"
    if tab not in dict(TABS) or (tab == "team" and not request.user.has_perm(VIEW_TEAM)):
        tab = "mine"
    return {"tab": tab, **{k: g.get(k, "")[:40] for k in ("q", "status", "type", "month")}}


def _rows(request: HttpRequest, params: dict[str, str]) -> Any:
    qs = selectors.leave_for_user(request.user)
    return selectors.list_rows(selectors.filter_leave(qs, request.user, params))


@login_required
@permission_required(VIEW, raise_exception=True)
def leave_list(request: HttpRequest) -> HttpResponse:
    """请假: tabs 我的请假 / 班组请假, filters in the URL, htmx table."""
    params = _params(request)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(_rows(request, params), size).get_page(request.GET.get("page"))
    for leave in page.object_list:
        leave.status_tag = STATUS_TAGS.get(leave.status, "")
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params[k] for k in ("q", "status", "type", "month")),
    }
    if request.htmx and request.htmx.target == "leave-table":  # type: ignore[attr-defined]
        return render(request, "leave/_leave_table.html", context)
    context.update(
        tabs=[t for t in TABS if t[0] != "team" or request.user.has_perm(VIEW_TEAM)],
        statuses=LeaveStatus.choices,
        types=[(t.code, t.name) for t in leave_policy(timezone.localdate()).types],
        can_add=request.user.has_perm(ADD),
    )
    return render(request, "leave/leave_list.html", context)


EXPORT_COLUMNS = (
    Column("number", "请假单号", 12),
    Column("applicant", "申请人", 12),
    Column("team", "班组", 14),
    Column("type", "假别", 8),
    Column("start", "开始日期", 12, "date"),
    Column("end", "结束日期", 12, "date"),
    Column("days", "天数", 8, "number"),
    Column("urgent", "紧急", 6),
    Column("status", "状态", 10),
    Column("returned", "返岗日期", 12, "date"),
    Column("reason", "请假事由", 30),
)


@login_required
@permission_required(VIEW, raise_exception=True)
def leave_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered list as Excel (请假登记表)."""
    today = timezone.localdate()
    rows = [
        [
            r.number,
            r.applicant.name,
            r.team.name if r.team else "",
            r.type_name,
            r.start_day,
            r.end_day,
            float(r.days),
            "是" if r.urgent else "",
            r.get_status_display(),
            r.returned_on,
            r.reason,
        ]
        for r in _rows(request, _params(request))[:EXPORT_LIMIT]
    ]
    content, _ = write_workbook(
        sheet_title="请假",
        title=f"请假登记表（{today:%Y-%m-%d}导出）",
        columns=EXPORT_COLUMNS,
        rows=rows,
        text_columns=("number",),
    )
    return xlsx_download(content, f"请假登记表{today:%Y%m%d}.xlsx")


def _balances(request: HttpRequest) -> list[selectors.Balance]:
    me = employee_of(request.user)
    if me is None:
        return []
    today = timezone.localdate()
    return selectors.balances(
        me, today, leave_policy(today), workforce_policy(today).adjustable_rest_days_per_month
    )


@login_required
@permission_required(ADD, raise_exception=True)
def leave_new(request: HttpRequest) -> HttpResponse:
    """请假申请: the form, with my balances beside it."""
    if employee_of(request.user) is None:
        raise PermissionDenied("只有员工可以请假")
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        leave = call_service_for_form(
            form,
            services.leave_create,
            actor=request.user,
            leave_type=d["leave_type"],
            start_day=d["start_day"],
            end_day=d["end_day"],
            hours=d["hours"],
            part=d.get("part") or "start",
            urgent=d["urgent"],
            reason=d["reason"],
        )
        if leave is not None:
            messages.success(request, "请假申请已提交审批")
            return redirect("leave:leave_detail", pk=leave.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "balances": _balances(request)}
    return render(request, "leave/leave_form.html", context, status=status)


def _visible(request: HttpRequest, pk: int) -> LeaveRequest:
    try:
        return selectors.leave_get_for_user(request.user, pk)
    except LeaveRequest.DoesNotExist as exc:
        raise Http404 from exc


def _timeline(leave: LeaveRequest) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(
            object_type="leave.leaverequest", object_id=str(leave.pk)
        ).order_by("seq")
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.details = []  # type: ignore[attr-defined]
    return events


def _detail(
    request: HttpRequest, leave: LeaveRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    me = employee_of(request.user)
    mine = me is not None and me.pk == leave.applicant_id
    today = timezone.localdate()
    can_decide = leave.status == LeaveStatus.PENDING and approval_can_decide(request.user, leave)
    leave.status_tag = STATUS_TAGS.get(leave.status, "")  # type: ignore[attr-defined]
    context = {
        "leave": leave,
        "steps": approval_steps(leave),
        "can_decide": can_decide,
        "gaps": selectors.coverage_gaps(leave) if leave.status == LeaveStatus.PENDING else [],
        "can_withdraw": mine
        and (
            leave.status == LeaveStatus.PENDING
            or (leave.status == LeaveStatus.APPROVED and leave.start_day > today)
        ),
        "can_report": mine and leave.status == LeaveStatus.APPROVED and leave.start_day <= today,
        "decide_form": forms.get("decide_form") or DecideForm(initial={"decision": "approve"}),
        "report_form": forms.get("report_form") or ReportBackForm(initial={"returned_on": today}),
        "timeline": _timeline(leave),
    }
    return render(request, "leave/leave_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def leave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """请假申请: facts, approval steps, coverage warning for the approver, my actions."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """审批: the current approver's 同意 / 驳回; on final approval the roster changes."""
    leave = _visible(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            services.leave_decide,
            actor=request.user,
            leave=leave,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
        if done is not None:
            text = {
                LeaveStatus.APPROVED: "已批准，排班表已调整",
                LeaveStatus.REJECTED: "已驳回",
            }.get(done.status, "已同意，转下一级审批")
            messages.success(request, text)
            return redirect("leave:leave_detail", pk=pk)
    return _detail(request, leave, status=422, decide_form=form)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def leave_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    leave = _visible(request, pk)
    try:
        services.leave_withdraw(
            actor=request.user, leave=leave, reason=request.POST.get("reason", "")
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "请假申请已撤销")
    return redirect("leave:leave_detail", pk=pk)


@login_required
@require_POST
@permission_required(VIEW, raise_exception=True)
def leave_report(request: HttpRequest, pk: int) -> HttpResponse:
    """销假: the day back at work; an early return gives the remaining days back."""
    leave = _visible(request, pk)
    form = ReportBackForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            services.leave_report_back,
            actor=request.user,
            leave=leave,
            returned_on=form.cleaned_data["returned_on"],
        )
        if done is not None:
            messages.success(request, "已销假")
            return redirect("leave:leave_detail", pk=pk)
    return _detail(request, leave, status=422, report_form=form)


@login_required
@permission_required(VIEW, raise_exception=True)
def balances(request: HttpRequest) -> HttpResponse:
    """假期余额: mine, and with 查看班组请假 everyone in my scope (年假 of the year, 调休 of the month)."""
    today = timezone.localdate()
    policy = leave_policy(today)
    rest_days = workforce_policy(today).adjustable_rest_days_per_month
    team: list[selectors.PersonBalances] = []
    if request.user.has_perm(VIEW_TEAM):
        people = list(selectors.people_for_balances(request.user)[:BALANCE_PEOPLE_LIMIT])
        team = selectors.team_balances(people, today, policy, rest_days)
    return render(
        request,
        "leave/balances.html",
        {
            "mine": _balances(request),
            "team": team,
            "today": today,
            "types": policy.types,
            "annual_steps": policy.annual_leave,
            "rest_days": rest_days,
            "offsets": policy.rules.rest_offsets_per_month,
        },
    )
