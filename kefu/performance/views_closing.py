"""月结 pages (CMP-7, PERF-8): the months with status and due day, one month's summary with the
actions allowed now (经理审核 / 批准结账 / 退回 / 重新结账), the close job's progress and the outputs
(奖罚通知单 and 人事公布单 as A4 print page and PDF, 工资核算表 as Excel)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import call_service_for_form
from kefu.core.models import AuditEvent
from kefu.core.params import query_id
from kefu.core.pdf_web import pdf_response
from kefu.core.xlsx_web import xlsx_download

from . import closing_outputs, pdf
from .choices import MonthCloseStatus
from .models import MonthClose
from .periods import month_end
from .selectors_closing import month_rows, month_summary, parse_month
from .services import closing
from .services.closing import APPROVE_PERM, EXPORT_PERM, REVIEW_PERM, VIEW_PERM

PAGE_SIZES = (20, 50, 100)
EVENT_LABELS = {
    "performance.month_reviewed": "经理审核",
    "performance.month_rejected": "总经理退回",
    "performance.month_returned": "审核后有新待办，退回重新审核",
    "performance.month_approved": "总经理批准结账",
    "performance.month_close_restarted": "重新结账",
    "performance.month_closed": "结账完成",
}


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见", required=False, max_length=2000, widget=forms.Textarea)


class RejectForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=2000, widget=forms.Textarea)


def _bound_form() -> ReviewForm:
    """An empty, validated form for the actions without fields, so a refusal can be put on it."""
    form = ReviewForm(data={})
    form.is_valid()
    return form


def _month(value: str) -> dt.date:
    month = parse_month(value)
    if month is None or month > timezone.localdate():
        raise Http404("月份不正确")
    return month


def _page_size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def close_list(request: HttpRequest) -> HttpResponse:
    """月结: every month with its status, due day, overdue warning and pending counts."""
    today = timezone.localdate()
    rows = month_rows(today=today)
    page = Paginator(rows, _page_size(request)).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"page": page, "today": today}
    if request.htmx and request.htmx.target == "close-table":  # type: ignore[attr-defined]
        return render(request, "performance/_close_table.html", context)
    return render(request, "performance/close_list.html", context)


def _timeline(close: MonthClose | None) -> list[AuditEvent]:
    if close is None:
        return []
    events = list(
        AuditEvent.objects.filter(
            object_type="performance.monthclose", object_id=str(close.pk)
        ).order_by("seq")
    )
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        details = []
        note = (e.after or {}).get("note") if isinstance(e.after, dict) else None
        if note:
            details.append(note)
        e.details = details  # type: ignore[attr-defined]
    return events


def _detail_context(request: HttpRequest, month: dt.date) -> dict[str, Any]:
    close = (
        MonthClose.objects.filter(month=month)
        .select_related("reviewed_by__employee", "approved_by__employee", "job")
        .first()
    )
    status = close.status if close else MonthCloseStatus.OPEN
    user = request.user
    job = close.job if close else None
    over = timezone.localdate() > month_end(month)
    due = closing.close_due(month)
    summary = month_summary(month)
    return {
        "month": month,
        "key": f"{month:%Y-%m}",
        "label": closing.month_label(month),
        "close": close,
        "status": status,
        "status_label": MonthCloseStatus(status).label,
        "due": due,
        "overdue": status != MonthCloseStatus.CLOSED and timezone.localdate() > due,
        "over": over,
        "summary": summary,
        "job": job,
        "can_review": user.has_perm(REVIEW_PERM) and status == MonthCloseStatus.OPEN and over,
        "can_approve": user.has_perm(APPROVE_PERM) and status == MonthCloseStatus.REVIEWED,
        # Lines that became pending after the review: approving sends the month back.
        "pending_after_review": status == MonthCloseStatus.REVIEWED
        and (summary.proposals or summary.appeals),
        "can_restart": user.has_perm(APPROVE_PERM)
        and status == MonthCloseStatus.CLOSING
        and (job is None or job.status == "failed"),
        "can_export": user.has_perm(EXPORT_PERM),
        "closed": status == MonthCloseStatus.CLOSED,
        "review_form": ReviewForm(),
        "reject_form": RejectForm(),
        "timeline": _timeline(close),
    }


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def close_detail(request: HttpRequest, month: str) -> HttpResponse:
    """月结 of one month: summary, actions allowed now, job progress, outputs, timeline."""
    context = _detail_context(request, _month(month))
    if request.GET.get("part") == "job":
        return render(request, "performance/_close_job.html", context)
    return render(request, "performance/close_detail.html", context)


def _after(request: HttpRequest, month: dt.date, form: Any, result: Any, ok: str) -> HttpResponse:
    if result is not None:
        messages.success(request, ok)
        return redirect("performance:close_detail", month=f"{month:%Y-%m}")
    context = _detail_context(request, month)
    context["review_form" if isinstance(form, ReviewForm) else "reject_form"] = form
    context["form_error"] = " ".join(str(e) for e in form.non_field_errors())
    return render(request, "performance/close_detail.html", context, status=422)


@login_required
@require_POST
@permission_required(REVIEW_PERM, raise_exception=True)
def close_review(request: HttpRequest, month: str) -> HttpResponse:
    """经理审核 (POST)."""
    m = _month(month)
    form = ReviewForm(request.POST)
    result = None
    if form.is_valid():
        result = call_service_for_form(
            form, closing.month_review, actor=request.user, month=m, note=form.cleaned_data["note"]
        )
    return _after(request, m, form, result, "已审核并提交总经理批准")


@login_required
@require_POST
@permission_required(APPROVE_PERM, raise_exception=True)
def close_approve(request: HttpRequest, month: str) -> HttpResponse:
    """批准结账 (POST): the month is locked and the close job starts."""
    m = _month(month)
    form = _bound_form()
    result = call_service_for_form(form, closing.month_approve, actor=request.user, month=m)
    return _after(request, m, form, result, "已批准结账，正在生成工资核算数据")


@login_required
@require_POST
@permission_required(APPROVE_PERM, raise_exception=True)
def close_reject(request: HttpRequest, month: str) -> HttpResponse:
    """退回 (POST) with a reason."""
    m = _month(month)
    form = RejectForm(request.POST)
    result = None
    if form.is_valid():
        result = call_service_for_form(
            form,
            closing.month_reject,
            actor=request.user,
            month=m,
            reason=form.cleaned_data["reason"],
        )
    return _after(request, m, form, result, "已退回客服部经理")


@login_required
@require_POST
@permission_required(APPROVE_PERM, raise_exception=True)
def close_restart(request: HttpRequest, month: str) -> HttpResponse:
    """重新结账 (POST) after a failed close job."""
    m = _month(month)
    form = _bound_form()
    result = call_service_for_form(form, closing.month_close_restart, actor=request.user, month=m)
    return _after(request, m, form, result, "已重新提交结账任务")


# --- outputs ------------------------------------------------------------------------------------
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def notice_print(request: HttpRequest, month: str) -> HttpResponse:
    """奖罚通知单, A4 print page."""
    notice = closing_outputs.notice_for(_month(month), request.user)
    return render(request, "performance/notice_print.html", {"notice": notice, "key": month})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def notice_pdf(request: HttpRequest, month: str) -> HttpResponse:
    """奖罚通知单, PDF."""
    notice = closing_outputs.notice_for(_month(month), request.user)
    return pdf_response(pdf.notice_pdf(notice), f"奖罚通知单-{month}.pdf")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def publication_print(request: HttpRequest, month: str) -> HttpResponse:
    """人事公布单, A4 print page."""
    pub = closing_outputs.publication_for(_month(month), request.user)
    return render(request, "performance/publication_print.html", {"pub": pub, "key": month})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def publication_pdf(request: HttpRequest, month: str) -> HttpResponse:
    """人事公布单, PDF."""
    pub = closing_outputs.publication_for(_month(month), request.user)
    return pdf_response(pdf.publication_pdf(pub), f"人事公布单-{month}.pdf")


@login_required
@permission_required(EXPORT_PERM, raise_exception=True)
def payroll_export(request: HttpRequest, month: str) -> HttpResponse:
    """工资核算表 (Excel): the frozen rows of a closed month; ``?preview=1`` computes an unclosed
    month's figures now (预览)."""
    m = _month(month)
    closed = MonthClose.objects.filter(month=m, status=MonthCloseStatus.CLOSED).exists()
    if not closed and request.GET.get("preview") != "1":
        messages.error(request, "该月尚未结账，只能导出预览")
        return redirect("performance:close_detail", month=month)
    export = closing_outputs.payroll_workbook(m, request.user, preview=not closed)
    return xlsx_download(export.content, export.filename)
