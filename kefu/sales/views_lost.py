"""询单未成交原因 pages (RPT-6): the records with the entry form, and the month's report per agent
(询单数, 订单数, 转化率, count per reason) with its Excel export."""

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
from openpyxl import Workbook

from kefu.core.errors import DomainError, call_service_for_form, raise_if_refused
from kefu.core.params import query_id
from kefu.core.xlsx import Column, workbook_bytes, write_sheet
from kefu.core.xlsx_web import xlsx_download
from kefu.performance.periods import next_month, previous_month

from . import services_lost
from .forms import LostForm
from .policy import sales_policy
from .selectors_lost import VIEW_LOST, filter_lost, lost_for_user, lost_report_for_user
from .services_lost import ADD_LOST
from .views import _agents, _month, _page_size, _teams

FILTER_KEYS = ("from", "to", "agent", "team", "reason", "q")


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in FILTER_KEYS}


def _reasons(day: dt.date) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in sales_policy(day).lost_sale_reasons]


@login_required
@permission_required(VIEW_LOST, raise_exception=True)
def lost_list(request: HttpRequest) -> HttpResponse:
    """未成交原因: the records (filters in the URL, htmx table) and, for those allowed, the form."""
    params = _params(request)
    can_add = request.user.has_perm(ADD_LOST)
    today = timezone.localdate()
    form = None
    if can_add:
        from kefu.org.selectors import employee_of

        me = employee_of(request.user)
        agents = _agents(request, VIEW_LOST)
        data = request.POST if request.method == "POST" else None
        form = LostForm(
            data,
            agents=agents,
            reasons=_reasons(today),
            initial={"day": today, "agent": me.pk if me else None},
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            saved = call_service_for_form(
                form,
                services_lost.lost_inquiry_record,
                actor=request.user,
                agent=d["agent"],
                day=d["day"],
                reason=d["reason"],
                customer_name=d["customer_name"],
                item=d["item"],
                note=d["note"],
            )
            if saved is not None:
                messages.success(request, f"已登记未成交原因：{saved.reason_name}")
                return redirect("sales:lost_list")
    elif request.method == "POST":
        raise PermissionDenied
    qs = filter_lost(lost_for_user(request.user), params)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params.values()),
        "can_add": can_add,
    }
    if request.htmx and request.htmx.target == "lost-table":  # type: ignore[attr-defined]
        return render(request, "sales/_lost_table.html", context)
    context.update(form=form, teams=_teams(request), reasons=_reasons(today))
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/lost_list.html", context, status=status)


@login_required
@require_POST
@permission_required(ADD_LOST, raise_exception=True)
def lost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """删除 a record entered by mistake (with a reason)."""
    record = lost_for_user(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    try:
        services_lost.lost_inquiry_delete(
            actor=request.user, record=record, reason=request.POST.get("reason", "")[:200]
        )
    except DomainError as exc:
        raise_if_refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除该未成交原因记录")
    return redirect("sales:lost_list")


def _report(request: HttpRequest) -> Any:
    month = _month(request)
    team = query_id(request.GET.get("team", ""))
    q = request.GET.get("q", "")[:40].strip()
    return lost_report_for_user(request.user, month, team=team, q=q)


@login_required
@permission_required(VIEW_LOST, raise_exception=True)
def lost_report(request: HttpRequest) -> HttpResponse:
    """询单转化与未成交原因 (RPT-6): per agent of a month."""
    report = _report(request)
    month = report.month
    context: dict[str, Any] = {
        "report": report,
        "month_value": f"{month:%Y-%m}",
        "prev_month": f"{previous_month(month):%Y-%m}",
        "next_month": f"{next_month(month):%Y-%m}",
        "filters": {"team": request.GET.get("team", "")[:40], "q": request.GET.get("q", "")[:40]},
    }
    if request.htmx and request.htmx.target == "lost-report":  # type: ignore[attr-defined]
        return render(request, "sales/_lost_report_table.html", context)
    context.update(teams=_teams(request))
    return render(request, "sales/lost_report.html", context)


@login_required
@permission_required(VIEW_LOST, raise_exception=True)
def lost_export(request: HttpRequest) -> HttpResponse:
    """导出 the report (sheet 汇总) and the month's records (sheet 明细) as Excel."""
    report = _report(request)
    month = report.month
    wb = Workbook()
    columns = (
        Column("employee_no", "工号", width=10),
        Column("name", "姓名", width=10),
        Column("team", "班组", width=12),
        Column("inquiries", "询单数", width=9),
        Column("orders", "订单数", width=9),
        Column("conversion", "转化率", width=9),
        Column("lost", "未成交登记", width=11),
        *(Column(f"r_{code}", name, width=max(10, len(name) * 2)) for code, name in report.reasons),
    )
    write_sheet(
        wb.active,
        sheet_title="汇总",
        title=f"{month:%Y年%m月}询单转化与未成交原因",
        columns=columns,
        rows=(
            [
                r.employee.employee_no,
                r.employee.name,
                r.employee.team.name if r.employee.team else "",
                r.figures.inquiries if r.figures else 0,
                r.figures.orders if r.figures else 0,
                float(r.figures.conversion) if r.figures else None,
                r.lost,
                *(r.counts.get(code, 0) for code, _ in report.reasons),
            ]
            for r in report.rows
        ),
        number_formats={"conversion": "0.00%"},
        text_columns=("employee_no",),
    )
    people = [r.employee.pk for r in report.rows]
    records = (
        lost_for_user(request.user)
        .filter(agent_id__in=people, day__gte=month, day__lt=next_month(month))
        .order_by("day", "agent__employee_no", "pk")
    )
    write_sheet(
        wb.create_sheet(),
        sheet_title="明细",
        title=f"{month:%Y年%m月}未成交原因明细",
        columns=(
            Column("day", "日期", kind="date", width=12),
            Column("employee_no", "工号", width=10),
            Column("name", "姓名", width=10),
            Column("reason", "未成交原因", width=22),
            Column("customer", "买家", width=14),
            Column("item", "咨询商品", width=24),
            Column("note", "备注", width=30),
        ),
        rows=(
            [
                x.day,
                x.agent.employee_no,
                x.agent.name,
                x.reason_name,
                x.customer_name,
                x.item,
                x.note,
            ]
            for x in records
        ),
        text_columns=("employee_no",),
    )
    return xlsx_download(workbook_bytes(wb), f"询单未成交原因_{month:%Y%m}.xlsx")
