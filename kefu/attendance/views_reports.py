"""考勤月报 (WFM-6) with its Excel and the 已报送行政人事部 action; 导入打卡记录 (time-clock CSV);
重新计算考勤."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.params import query_id
from kefu.core.xlsx_web import submit_upload_as_job, xlsx_download

from . import csvimport, selectors, services
from .excel import monthly_workbook
from .forms import CsvUploadForm, RecomputeForm, SubmitReportForm
from .services.common import CLASSIFY, IMPORT, SUBMIT_REPORT, VIEW_REPORT


def _report_args(request: HttpRequest) -> tuple[Any, Any, list[Any]]:
    departments = list(selectors.report_departments(request.user))
    wanted = query_id(request.GET.get("department"))
    department = next((d for d in departments if d.pk == wanted), None)
    if department is None and departments:
        department = departments[0]
    default = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = selectors.parse_month(request.GET.get("month"), default=default)
    return department, month, departments


@login_required
@permission_required(VIEW_REPORT, raise_exception=True)
def monthly(request: HttpRequest) -> HttpResponse:
    """考勤月报: a department's month (last month by default), the due day, who reported it."""
    department, month, departments = _report_args(request)
    context: dict[str, Any] = {
        "departments": departments,
        "department": department,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "can_submit": request.user.has_perm(SUBMIT_REPORT),
    }
    if department is not None:
        report = selectors.monthly_report(request.user, department, month)
        due = selectors.report_due(month)
        _, last = selectors.month_bounds(month)
        today = timezone.localdate()
        context.update(
            report=report,
            due=due,
            month_over=today > last,
            overdue=today > due,
            submissions=selectors.report_submissions(department, month),
        )
    return render(request, "attendance/monthly.html", context)


@login_required
@permission_required(VIEW_REPORT, raise_exception=True)
def monthly_export(request: HttpRequest) -> HttpResponse:
    """考勤月报 Excel: 考勤汇总 + 考勤明细, as sent to 行政人事部."""
    department, month, _ = _report_args(request)
    if department is None:
        raise PermissionDenied("没有可查看的部门")
    report = selectors.monthly_report(request.user, department, month)
    submissions = selectors.report_submissions(department, month)
    submitted = ""
    if submissions:
        last = submissions[0]
        submitted = (
            f"已报送：{last.submitted_by.name} "
            f"{timezone.localtime(last.submitted_at):%Y-%m-%d %H:%M}"
        )
    export = monthly_workbook(
        report, department=department.name, due=selectors.report_due(month), submitted=submitted
    )
    return xlsx_download(export.content, export.filename)


@login_required
@require_POST
@permission_required(SUBMIT_REPORT, raise_exception=True)
def monthly_submit(request: HttpRequest) -> HttpResponse:
    """已报送行政人事部: records who and when, with the figures as sent."""
    form = SubmitReportForm(request.POST)
    target = redirect("attendance:monthly")
    if not form.is_valid():
        messages.error(request, "请选择部门和月份")
        return target
    d = form.cleaned_data
    month = selectors.parse_month(d["month"])
    try:
        services.report_submit(
            actor=request.user, department=d["department"], month=month, note=d["note"]
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录报送行政人事部")
    target["Location"] += f"?department={d['department']}&month={month:%Y-%m}"
    return target


@login_required
@permission_required(IMPORT, raise_exception=True)
def clock_import(request: HttpRequest) -> HttpResponse:
    """导入打卡记录: a time-clock CSV. A file that cannot be read is refused under the field; a
    readable one is imported in the background and the browser goes to the job's page."""
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    submitted = submit_upload_as_job(request, form, services.clock_import_submit)
    if submitted is not None:
        return submitted
    return render(
        request,
        "attendance/clock_import.html",
        {
            "form": form,
            "max_rows": csvimport.MAX_ROWS,
            "max_mb": csvimport.MAX_FILE_BYTES // (1024 * 1024),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@permission_required(CLASSIFY, raise_exception=True)
def recompute(request: HttpRequest) -> HttpResponse:
    """重新计算考勤 for a date range (after a roster or policy correction)."""
    form = RecomputeForm(request.POST)
    if form.is_valid():
        try:
            result = services.attendance_recompute(
                actor=request.user,
                start=form.cleaned_data["date_from"],
                end=form.cleaned_data["date_to"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"已重新计算 {result.days} 个人天：新增 {result.created}，"
                f"更新 {result.updated}，删除 {result.deleted}",
            )
    else:
        messages.error(request, "请填写正确的开始和结束日期")
    return redirect(reverse("attendance:day_list") + "?view=team")
