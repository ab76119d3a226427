"""销售明细更正/删除 and 询单数文件导入 pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kefu.core.errors import call_service_for_form
from kefu.core.xlsx_web import submit_upload_as_job

from . import inquiryfile, orderfile, selectors, services_lines
from .forms import InquiryUploadForm, LineCorrectForm, ReasonForm
from .models import SalesLine
from .selectors import ADD_INQUIRY, ADD_LINE
from .views import _agents


def _line(request: HttpRequest, pk: int) -> SalesLine:
    line = selectors.lines_for_user(request.user).filter(pk=pk).first()
    if line is None:
        raise Http404
    return line


def _back(line: SalesLine) -> str:
    return f"{reverse('sales:report_list')}?from={line.day}&to={line.day}"


@login_required
@permission_required(ADD_LINE, raise_exception=True)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """更正销售明细 (and, below, 删除) — with a reason; refused once the month is closed."""
    line = _line(request, pk)
    data = request.POST if request.method == "POST" else None
    form = LineCorrectForm(
        data,
        agents=_agents(request),
        initial={
            "agent": line.agent_id,
            "day": line.day,
            "item": line.item,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "customer_name": line.customer_name,
            "remarks": line.remarks,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = call_service_for_form(
            form,
            services_lines.sales_line_correct,
            actor=request.user,
            line=line,
            reason=d["reason"],
            agent=d["agent"],
            day=d["day"],
            item=d["item"],
            quantity=d["quantity"],
            unit_price=d["unit_price"],
            customer_name=d["customer_name"],
            remarks=d["remarks"],
        )
        if saved is not None:
            messages.success(request, f"已更正订单 {saved.order_no} 的“{saved.item}”")
            return redirect(_back(saved))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "sales/report_edit.html",
        {"form": form, "line": line, "delete_form": ReasonForm()},
        status=status,
    )


@login_required
@require_POST
@permission_required(ADD_LINE, raise_exception=True)
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """删除销售明细 — with a reason; refused once the month is closed."""
    line = _line(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        done = call_service_for_form(
            form,
            lambda **kw: services_lines.sales_line_delete(**kw) or True,
            actor=request.user,
            line=line,
            reason=form.cleaned_data["reason"],
        )
        if done:
            messages.success(request, f"已删除订单 {line.order_no} 的“{line.item}”")
            return redirect(_back(line))
    blank = LineCorrectForm(
        None,
        agents=_agents(request),
        initial={
            "agent": line.agent_id,
            "day": line.day,
            "item": line.item,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "customer_name": line.customer_name,
            "remarks": line.remarks,
        },
    )
    return render(
        request,
        "sales/report_edit.html",
        {"form": blank, "line": line, "delete_form": form},
        status=422,
    )


@login_required
@permission_required(ADD_INQUIRY, raise_exception=True)
def inquiry_import(request: HttpRequest) -> HttpResponse:
    """导入询单数: the chat tool's export (日期, 工号, 咨询量), in the background, all rows or none."""
    form = InquiryUploadForm(request.POST or None, request.FILES or None)
    submitted = submit_upload_as_job(request, form, services_lines.inquiry_import_submit)
    if submitted is not None:
        return submitted
    return render(
        request,
        "sales/inquiry_import.html",
        {
            "form": form,
            "max_rows": orderfile.MAX_ROWS,
            "max_mb": inquiryfile.MAX_FILE_BYTES // (1024 * 1024),
        },
        status=422 if request.method == "POST" else 200,
    )
