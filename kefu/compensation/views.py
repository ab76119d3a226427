"""投诉赔偿 pages: the list (filters, pager, Excel, 导入责任认定) and a compensation's detail with
its finding, allocation basis and instalment schedule (CMP-9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import call_service_for_form
from kefu.core.params import query_id
from kefu.core.policy import fine_policy
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download

from . import selectors, services
from .choices import Basis, CompensationStatus
from .models import Compensation
from .rules import monthly_cap
from .services import IMPORT, VIEW, VIEW_TEAM

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 20_000
FILTER_KEYS = ("month", "status", "employee")


class ImportForm(forms.Form):
    """导入责任认定: the closing month whose findings are read."""

    month = forms.CharField(
        label="认定月份",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"required": "请选择月份"},
    )

    def clean_month(self) -> dt.date:
        month = selectors.parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("请按“年-月”填写月份，例如 2026-10")
        return month


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in FILTER_KEYS}


def _page_size(request: HttpRequest) -> int:
    size = query_id(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _list_context(request: HttpRequest) -> dict[str, Any]:
    params = _params(request)
    qs = selectors.filter_compensations(selectors.compensations_for_user(request.user), params)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.unpaid = row.amount - row.paid
    return {"page": page, "filters": params, "filtered": any(params.values())}


@login_required
@permission_required(VIEW, raise_exception=True)
def compensation_list(request: HttpRequest) -> HttpResponse:
    """赔偿扣款: own for everyone, the role's scope with 查看本范围赔偿."""
    return _render_list(request)


def _render_list(
    request: HttpRequest, *, import_form: ImportForm | None = None, status: int = 200
) -> HttpResponse:
    context = _list_context(request)
    if request.htmx and request.htmx.target == "compensation-table":  # type: ignore[attr-defined]
        return render(request, "compensation/_compensation_table.html", context)
    can_import = request.user.has_perm(IMPORT)
    context.update(
        statuses=CompensationStatus.choices,
        can_import=can_import,
        show_people=request.user.has_perm(VIEW_TEAM),
        import_form=import_form
        or (ImportForm(initial={"month": f"{timezone.localdate():%Y-%m}"}) if can_import else None),
    )
    return render(request, "compensation/compensation_list.html", context, status=status)


@login_required
@require_POST
@permission_required(IMPORT, raise_exception=True)
def compensation_import(request: HttpRequest) -> HttpResponse:
    """导入责任认定 of a month (idempotent): 赔偿, 服务投诉罚款 and 处分."""
    form = ImportForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        summary = call_service_for_form(
            form, services.compensation_import_month, month=month, actor=request.user
        )
        if summary is not None:
            messages.success(request, summary)
            return redirect(f"{reverse('compensation:compensation_list')}?month={month:%Y-%m}")
    return _render_list(request, import_form=form, status=422)


@login_required
@permission_required(VIEW, raise_exception=True)
def compensation_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered list as Excel."""
    qs = selectors.filter_compensations(
        selectors.compensations_for_user(request.user), _params(request)
    )[:EXPORT_LIMIT]
    columns = (
        Column("employee_no", "工号", width=10),
        Column("name", "责任人", width=10),
        Column("department", "部门", width=14),
        Column("complaint", "投诉编号", width=14),
        Column("month", "认定月份", width=10),
        Column("basis", "分摊依据", width=12),
        Column("unit", "责任单位", width=14),
        Column("amount", "赔偿金额", kind="number", width=12),
        Column("paid", "已扣", kind="number", width=12),
        Column("unpaid", "未扣", kind="number", width=12),
        Column("status", "状态", width=8),
    )

    def rows() -> Iterator[list[Any]]:
        for c in qs:
            yield [
                c.employee.employee_no,
                c.employee.name,
                c.employee.department.name,
                c.complaint.number or c.complaint.ticket.number,
                f"{c.month:%Y-%m}",
                c.get_basis_display(),
                c.unit_name,
                c.amount,
                c.paid,
                c.amount - c.paid,
                c.get_status_display(),
            ]

    content, _ = write_workbook(
        sheet_title="赔偿扣款", title="赔偿扣款", columns=columns, rows=rows()
    )
    return xlsx_download(content, f"赔偿扣款_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@permission_required(VIEW, raise_exception=True)
def compensation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """赔偿详情: the finding and complaint, the allocation basis, the instalment schedule."""
    comp: Compensation | None = (
        selectors.compensations_for_user(request.user)
        .select_related("finding", "finding__department", "finding__team")
        .filter(pk=pk)
        .first()
    )
    if comp is None:
        raise Http404
    schedule = selectors.compensation_schedule(comp)
    ratio = fine_policy(timezone.localdate()).penalty_cap_ratio
    context = {
        "c": comp,
        "finding": comp.finding,
        "schedule": schedule,
        "unpaid": comp.amount - comp.paid,
        "cap": monthly_cap(monthly_bonus=comp.employee.monthly_bonus, cap_ratio=ratio),
        "cap_percent": ratio * 100,
        "by_points": comp.basis == Basis.BASE_POINTS,
        "can_open_complaint": request.user.has_perm("complaints.view_complaint"),
    }
    return render(request, "compensation/compensation_detail.html", context)
