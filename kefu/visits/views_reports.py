"""Report and care pages: 日结周报 (page + Excel), 保修期回访率, 重点客户关怀 (CRM-2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.params import query_id
from kefu.core.xlsx_web import xlsx_download

from . import selectors, services
from .choices import CareStatus
from .excel import weekly_title, weekly_workbook
from .forms import CareRecordForm
from .models import CareTask
from .policy import visits_policy
from .services.common import ADD_CARE, CHANGE_CARE, REPORTS, VIEW_CARE, today

PAGE_SIZES = (20, 50, 100)


def _year(value: str | None) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


@login_required
@permission_required(REPORTS, raise_exception=True)
def weekly(request: HttpRequest) -> HttpResponse:
    """日结周报: the week's visits per department (CRM-4)."""
    start = selectors.parse_week(request.GET.get("week"))
    iso = start.isocalendar()
    return render(
        request,
        "visits/weekly.html",
        {
            "start": start,
            "end": start + dt.timedelta(days=6),
            "week_value": f"{iso.year}-W{iso.week:02d}",
            "prev_week": (start - dt.timedelta(days=7)).isoformat(),
            "next_week": (start + dt.timedelta(days=7)).isoformat(),
            "rows": selectors.weekly_summary(start),
            "title": weekly_title(start),
        },
    )


@login_required
@permission_required(REPORTS, raise_exception=True)
def weekly_export(request: HttpRequest) -> HttpResponse:
    start = selectors.parse_week(request.GET.get("week"))
    export = weekly_workbook(start, selectors.weekly_summary(start))
    return xlsx_download(export.content, export.filename)


@login_required
@permission_required(REPORTS, raise_exception=True)
def rate(request: HttpRequest) -> HttpResponse:
    """保修期客户回访率 per month against the policy's target (AS-4: 100%)."""
    year = _year(request.GET.get("year"))
    target = visits_policy().target_rate_percent
    rows = selectors.monthly_rate(year, target)
    return render(
        request,
        "visits/rate.html",
        {
            "year": year,
            "rows": rows,
            "target": target,
            "prev_year": year - 1,
            "next_year": year + 1,
        },
    )


@login_required
@permission_required(VIEW_CARE, raise_exception=True)
def care_list(request: HttpRequest) -> HttpResponse:
    """重点客户关怀: the year's December campaign tasks (新年礼品, 次年需求)."""
    year = _year(request.GET.get("year"))
    status = request.GET.get("status") or ""
    qs = selectors.care_tasks_for_user(request.user).filter(plan__year=year)
    if status in CareStatus.values:
        qs = qs.filter(status=status)
    q = (request.GET.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(plan__customer__name__icontains=q)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs.order_by("status", "plan__customer__name", "id"), size).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "year": year,
        "filters": {"status": status, "q": q, "year": year},
        "statuses": CareStatus.choices,
        "filtered": bool(status or q),
        "campaign": visits_policy().campaign,
    }
    if request.htmx and request.htmx.target == "care-table":  # type: ignore[attr-defined]
        return render(request, "visits/_care_table.html", context)
    context["can_generate"] = request.user.has_perm(ADD_CARE)
    return render(request, "visits/care_list.html", context)


@login_required
@require_POST
@permission_required(ADD_CARE, raise_exception=True)
def care_generate(request: HttpRequest) -> HttpResponse:
    year = _year(request.POST.get("year"))
    try:
        result = services.care_campaign_generate(actor=request.user, year=year)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已生成关怀计划 {result['plans']} 个、关怀任务 {result['tasks']} 个"
        )
    return redirect(reverse("visits:care_list") + f"?year={year}")


@login_required
@permission_required(VIEW_CARE, raise_exception=True)
def care_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign task: customer, plan, gift; the form to record gift sent and next-year demand."""
    try:
        task = selectors.care_tasks_for_user(request.user).get(pk=pk)
    except CareTask.DoesNotExist as exc:
        raise Http404 from exc
    can_record = task.status == CareStatus.PLANNED and request.user.has_perm(CHANGE_CARE)
    form = CareRecordForm(request.POST or None) if can_record else None
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        assert form is not None
        if form.is_valid():
            try:
                services.care_task_record(
                    actor=request.user,
                    task=task,
                    gift_sent_on=form.cleaned_data["gift_sent_on"],
                    demand=form.cleaned_data["demand"],
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, "新年关怀已登记")
                return redirect("visits:care_detail", pk=task.pk)
        status = 422
    return render(request, "visits/care_detail.html", {"task": task, "form": form}, status=status)
