"""销售与提成 pages: 提成 (month, conversion per agent, rankings), 销售日报 (list, entry, import),
询单数 (list and entry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kefu.core.errors import call_service_for_form
from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import submit_upload_as_job, xlsx_download
from kefu.org.models import Team
from kefu.org.selectors import employee_of
from kefu.performance.periods import next_month, previous_month

from . import orderfile, selectors, services
from .choices import InquirySource, LineSource
from .forms import InquiryForm, ItemFormSet, OrderUploadForm, ReportForm
from .selectors import (
    ADD_INQUIRY,
    ADD_LINE,
    IMPORT_LINE,
    VIEW_COMMISSION,
    VIEW_INQUIRY,
    VIEW_LINE,
    VIEW_TEAM,
)

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
FILTER_KEYS = ("from", "to", "agent", "team", "q")


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in FILTER_KEYS}


def _page_size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _month(request: HttpRequest) -> dt.date:
    value = request.GET.get("month", "")
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return selectors.current_month()
    return month if 2000 <= month.year <= 2100 else selectors.current_month()


def _teams(request: HttpRequest) -> Any:
    if not request.user.has_perm(VIEW_TEAM):
        return Team.objects.none()
    return (
        Team.objects.filter(members__in=selectors.visible_employees(request.user))
        .distinct()
        .order_by("name")
    )


def _agents(request: HttpRequest, perm: str = VIEW_LINE) -> Any:
    return (
        selectors.visible_employees(request.user, perm)
        .filter(status="active")
        .order_by("employee_no")
    )


# --- 提成 --------------------------------------------------------------------------------------
@login_required
@permission_required(VIEW_COMMISSION, raise_exception=True)
def commission_list(request: HttpRequest) -> HttpResponse:
    """提成: per agent the month's inquiries, orders, conversion, sales, rate and commission
    (PERF-2, RPT-6); the top seller and 回访部 rankings with their awards (PERF-3)."""
    month = _month(request)
    params = _params(request)
    rows = selectors.commission_rows_for_user(
        request.user, month, team=query_id(params["team"]), q=params["q"].strip()
    )
    context: dict[str, Any] = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "prev_month": f"{previous_month(month):%Y-%m}",
        "next_month": f"{next_month(month):%Y-%m}",
        "rows": rows,
        "filters": params,
        "total_sales": sum((r.figures.sales for r in rows), start=0),
        "total_commission": sum((r.figures.commission for r in rows), start=0),
    }
    if request.htmx and request.htmx.target == "sales-table":  # type: ignore[attr-defined]
        return render(request, "sales/_commission_table.html", context)
    context.update(
        awards=selectors.awards_for_user(request.user, month),
        teams=_teams(request),
        can_report=request.user.has_perm(VIEW_LINE),
    )
    return render(request, "sales/commission_list.html", context)


@login_required
@permission_required(VIEW_COMMISSION, raise_exception=True)
def commission_export(request: HttpRequest) -> HttpResponse:
    """导出 the month's commissions as Excel."""
    month = _month(request)
    params = _params(request)
    rows = selectors.commission_rows_for_user(
        request.user, month, team=query_id(params["team"]), q=params["q"].strip()
    )
    columns = (
        Column("employee_no", "工号", width=10),
        Column("name", "姓名", width=10),
        Column("team", "班组", width=12),
        Column("inquiries", "询单数", width=9),
        Column("orders", "订单数", width=9),
        Column("conversion", "转化率", width=9),
        Column("sales", "销售额", width=14),
        Column("rate", "提成比例", width=9),
        Column("commission", "提成", width=12),
        Column("rank", "销售排名", width=9),
    )
    content, _ = write_workbook(
        sheet_title="提成",
        title=f"{month:%Y年%m月}销售提成",
        columns=columns,
        rows=(
            [
                r.employee.employee_no,
                r.employee.name,
                r.employee.team.name if r.employee.team else "",
                r.figures.inquiries,
                r.figures.orders,
                float(r.figures.conversion),
                float(r.figures.sales),
                float(r.figures.rate),
                float(r.figures.commission),
                r.rank,
            ]
            for r in rows
        ),
        number_formats={
            "conversion": "0.00%",
            "rate": "0.0%",
            "sales": "#,##0.00",
            "commission": "#,##0.00",
        },
        text_columns=("employee_no",),
    )
    return xlsx_download(content, f"销售提成_{month:%Y%m}.xlsx")


# --- 销售日报 ------------------------------------------------------------------------------------
@login_required
@permission_required(VIEW_LINE, raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    """销售日报: the lines (filters 日期 range, 客服, 班组, keyword in the URL), htmx table."""
    params = _params(request)
    qs = selectors.filter_lines(selectors.lines_for_user(request.user), params)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params.values()),
        "sources": dict(LineSource.choices),
    }
    if request.htmx and request.htmx.target == "sales-table":  # type: ignore[attr-defined]
        return render(request, "sales/_report_table.html", context)
    context.update(
        teams=_teams(request),
        agents=_agents(request) if request.user.has_perm(VIEW_TEAM) else [],
        can_add=request.user.has_perm(ADD_LINE),
        can_import=request.user.has_perm(IMPORT_LINE),
        can_inquiries=request.user.has_perm(VIEW_INQUIRY),
    )
    return render(request, "sales/report_list.html", context)


@login_required
@permission_required(VIEW_LINE, raise_exception=True)
def report_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered lines as Excel."""
    qs = selectors.filter_lines(selectors.lines_for_user(request.user), _params(request))
    columns = (
        Column("day", "日期", kind="date", width=12),
        Column("employee_no", "工号", width=10),
        Column("agent", "客服", width=10),
        Column("team", "班组", width=12),
        Column("order_no", "订单号", width=20),
        Column("item", "商品", width=30),
        Column("quantity", "数量", width=8),
        Column("unit_price", "单价", width=12),
        Column("amount", "金额", width=12),
        Column("customer", "买家", width=14),
        Column("remarks", "备注", width=24),
        Column("source", "来源", width=8),
    )
    content, _ = write_workbook(
        sheet_title="销售日报",
        title="销售日报明细",
        columns=columns,
        rows=(
            [
                x.day,
                x.agent.employee_no,
                x.agent.name,
                x.agent.team.name if x.agent.team else "",
                x.order_no,
                x.item,
                x.quantity,
                float(x.unit_price),
                float(x.amount),
                x.customer_name,
                x.remarks,
                x.get_source_display(),
            ]
            for x in qs[:EXPORT_LIMIT]
        ),
        number_formats={"unit_price": "#,##0.00", "amount": "#,##0.00"},
        text_columns=("employee_no", "order_no"),
    )
    return xlsx_download(content, f"销售日报_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@permission_required(ADD_LINE, raise_exception=True)
def report_new(request: HttpRequest) -> HttpResponse:
    """填写销售日报: one order of an agent's day (商品, 数量, 单价, 买家)."""
    agents = _agents(request)
    me = employee_of(request.user)
    data = request.POST if request.method == "POST" else None
    form = ReportForm(
        data,
        agents=agents,
        initial={"day": timezone.localdate(), "agent": me.pk if me else None},
    )
    items = ItemFormSet(data, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        entered = [
            services.ItemIn(f["item"].strip(), f["quantity"], f["unit_price"])
            for f in items.cleaned_data
            if f and (f.get("item") or "").strip()
        ]
        d = form.cleaned_data
        lines = call_service_for_form(
            form,
            services.sales_report_enter,
            actor=request.user,
            agent=d["agent"],
            day=d["day"],
            order_no=d["order_no"],
            customer_name=d["customer_name"],
            remarks=d["remarks"],
            items=entered,
        )
        if lines is not None:
            messages.success(request, f"已登记订单 {d['order_no']}，共 {len(lines)} 项商品")
            return redirect(f"{_report_url()}?from={d['day']}&to={d['day']}")
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/report_form.html", {"form": form, "items": items}, status=status)


def _report_url() -> str:
    from django.urls import reverse

    return reverse("sales:report_list")


@login_required
@permission_required(IMPORT_LINE, raise_exception=True)
def report_import(request: HttpRequest) -> HttpResponse:
    """导入订单: the shop's order export, imported in the background (every row or none)."""
    form = OrderUploadForm(request.POST or None, request.FILES or None)
    submitted = submit_upload_as_job(request, form, services.sales_import_submit)
    if submitted is not None:
        return submitted
    return render(
        request,
        "sales/report_import.html",
        {
            "form": form,
            "max_rows": orderfile.MAX_ROWS,
            "max_mb": orderfile.MAX_FILE_BYTES // (1024 * 1024),
        },
        status=422 if request.method == "POST" else 200,
    )


# --- 询单数 --------------------------------------------------------------------------------------
@login_required
@permission_required(VIEW_INQUIRY, raise_exception=True)
def inquiry_list(request: HttpRequest) -> HttpResponse:
    """询单数: the stored counts (chat tool / tickets archive) and, for those allowed, the entry
    form. Where no chat-tool count exists for a day, the 咨询 tickets of the day are counted."""
    params = _params(request)
    can_add = request.user.has_perm(ADD_INQUIRY)
    form = None
    if can_add:
        agents = _agents(request, VIEW_INQUIRY)
        data = request.POST if request.method == "POST" else None
        form = InquiryForm(data, agents=agents, initial={"day": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            saved = call_service_for_form(
                form,
                services.inquiry_record,
                actor=request.user,
                agent=d["agent"],
                day=d["day"],
                count=d["count"],
            )
            if saved is not None:
                messages.success(
                    request, f"已登记 {d['agent'].name} {d['day']} 的询单数 {d['count']}"
                )
                return redirect("sales:inquiry_list")
    elif request.method == "POST":
        raise PermissionDenied
    qs = selectors.filter_lines(selectors.inquiries_for_user(request.user), params)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params.values()),
        "sources": dict(InquirySource.choices),
    }
    if request.htmx and request.htmx.target == "sales-table":  # type: ignore[attr-defined]
        return render(request, "sales/_inquiry_table.html", context)
    context.update(form=form, teams=_teams(request))
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/inquiry_list.html", context, status=status)
