"""考勤 pages: 我的考勤 (month calendar + the clock button), 班组/部门考勤 (list with filters and
export), one day's detail, the clock button itself and its dashboard widget."""

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

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.params import query_id
from kefu.core.policy import workforce_policy
from kefu.core.xlsx_web import xlsx_download
from kefu.org.selectors import employee_of, teams_for_user
from kefu.workforce.shifts import shift_names

from . import selectors, services
from .choices import CORRECTION_TAGS, STATUS_TAGS, ClockSource, DayStatus
from .excel import days_workbook
from .frames import clocks_in
from .models import AttendanceDay, ClockCorrection
from .services.common import CLASSIFY, CLOCK, IMPORT, VIEW_DAYS

PAGE_SIZES = (20, 50, 100)
EXPORT_LIMIT = 50_000
FILTER_KEYS = ("month", "from", "to", "department", "team", "q", "status")
STATUS_FILTERS = [("incident", "有考勤事件"), *DayStatus.choices]


def _clock_context(request: HttpRequest) -> dict[str, Any]:
    employee = employee_of(request.user)
    if employee is None or not employee.is_active or not request.user.has_perm(CLOCK):
        return {"clock": None}
    state = selectors.clock_state(employee)
    return {"clock": state, "clock_tag": STATUS_TAGS.get(state.row.status, "") if state.row else ""}


def _fix_from() -> dt.date:
    """The earliest day a 补卡 may still be asked for."""
    today = timezone.localdate()
    return today - dt.timedelta(days=workforce_policy(today).clock_fix_within_days)


def _with_shift_names(rows: Any) -> None:
    """Shift names on a page of rows, from the policy of its first and last day (two reads)."""
    rows = list(rows)
    if not rows:
        return
    days = sorted({r.day for r in rows})
    names = {**shift_names(days[0]), **shift_names(days[-1])}
    for row in rows:
        row.shift_name = names.get(row.code, row.code)


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: (request.GET.get(k) or "")[:60] for k in FILTER_KEYS}


@login_required
@permission_required(VIEW_DAYS, raise_exception=True)
def day_list(request: HttpRequest) -> HttpResponse:
    """考勤: 我的考勤 (month calendar) for everyone; 班组/部门考勤 (list) for 组长 and up."""
    user = request.user
    others = selectors.sees_others(user)
    view = request.GET.get("view") or ("mine" if employee_of(user) or not others else "team")
    if view not in ("mine", "team") or (view == "team" and not others):
        view = "mine"
    if view == "team":
        return _team_list(request)
    employee = employee_of(user)
    month = selectors.parse_month(request.GET.get("month"))
    context: dict[str, Any] = {
        "view": view,
        "sees_others": others,
        "month": month,
        "prev_month": (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
        "next_month": (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1),
        "can_import": user.has_perm(IMPORT),
        "can_recompute": user.has_perm(CLASSIFY),
    }
    if employee is not None:
        weeks = selectors.month_calendar(employee, month)
        rows = [c.row for week in weeks for c in week if c.row is not None and c.in_month]
        for row in rows:
            row.status_tag = STATUS_TAGS.get(row.status, "")
        context.update(
            weeks=weeks,
            fix_from=_fix_from(),
            summary=selectors.month_summary(rows),
            incidents=[r for r in rows if r.incident_count],
            employee=employee,
        )
        context.update(_clock_context(request))
    return render(request, "attendance/day_list.html", context)


def _team_list(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    if not (params["month"] or params["from"] or params["to"]):
        params["month"] = timezone.localdate().strftime("%Y-%m")
    qs = selectors.list_rows(selectors.filter_days(selectors.days_for_user(request.user), params))
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.status_tag = STATUS_TAGS.get(row.status, "")
    _with_shift_names(page.object_list)
    context: dict[str, Any] = {
        "view": "team",
        "sees_others": True,
        "page": page,
        "page_size": size,
        "sizes": PAGE_SIZES,
        "filters": params,
        "filtered": any(params[k] for k in ("department", "team", "q", "status")),
    }
    if request.htmx and request.htmx.target == "attendance-table":  # type: ignore[attr-defined]
        return render(request, "attendance/_day_table.html", context)
    context.update(
        departments=selectors.report_departments(request.user),
        teams=teams_for_user(request.user),
        statuses=STATUS_FILTERS,
        more_open=any(params[k] for k in ("from", "to", "team", "status")),
        can_import=request.user.has_perm(IMPORT),
        can_recompute=request.user.has_perm(CLASSIFY),
    )
    return render(request, "attendance/day_list.html", context)


@login_required
@permission_required(VIEW_DAYS, raise_exception=True)
def day_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered team list as Excel (at most 50,000 rows)."""
    params = _params(request)
    if not (params["month"] or params["from"] or params["to"]):
        params["month"] = timezone.localdate().strftime("%Y-%m")
    qs = selectors.list_rows(selectors.filter_days(selectors.days_for_user(request.user), params))
    export = days_workbook(qs[:EXPORT_LIMIT])
    return xlsx_download(export.content, export.filename)


@login_required
@permission_required(VIEW_DAYS, raise_exception=True)
def day_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person-day: the shift, the clocks, the result and its deductions, the 补卡 asked."""
    try:
        row = (
            selectors.days_for_user(request.user)
            .select_related("employee", "employee__team", "department")
            .get(pk=pk)
        )
    except AttendanceDay.DoesNotExist as exc:
        raise Http404 from exc
    frame = services.day_frame(row.employee_id, row.day)
    events = clocks_in(row.employee_id, frame.window)
    corrections = list(ClockCorrection.objects.filter(employee=row.employee, day=row.day))
    for c in corrections:
        c.status_tag = CORRECTION_TAGS.get(c.status, "")
    me = employee_of(request.user)
    can_fix = (
        me is not None
        and me.pk == row.employee_id
        and (row.missing_in or row.missing_out)
        and row.day >= _fix_from()
        and request.user.has_perm("attendance.add_clockcorrection")
    )
    return render(
        request,
        "attendance/day_detail.html",
        {
            "row": row,
            "frame": frame,
            "events": events,
            "corrections": corrections,
            "status_tag": STATUS_TAGS.get(row.status, ""),
            "can_fix": can_fix,
            "sources": dict(ClockSource.choices),
        },
    )


# --- the clock button ---------------------------------------------------------------------------
@login_required
@permission_required(CLOCK, raise_exception=True)
def clock_widget(request: HttpRequest) -> HttpResponse:
    """The clock panel alone (the dashboard widget loads it with htmx)."""
    return render(request, "attendance/_clock_panel.html", _clock_context(request))


@login_required
@require_POST
@permission_required(CLOCK, raise_exception=True)
def clock(request: HttpRequest) -> HttpResponse:
    """打卡: the server's time; a repeated press within the policy's seconds changes nothing."""
    try:
        result = services.clock_punch(
            actor=request.user, note=request.POST.get("note", ""), device="网页"
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            context = {**_clock_context(request), "clock_error": exc.message}
            return render(request, "attendance/_clock_panel.html", context, status=422)
        messages.error(request, exc.message)
        return redirect("attendance:day_list")
    at = timezone.localtime(result.event.at).strftime("%H:%M:%S")
    label = result.event.get_direction_display()
    text = f"已于 {at} 打过{label}卡，请勿重复打卡" if result.repeated else f"{label}打卡成功：{at}"
    if request.htmx:  # type: ignore[attr-defined]
        context = {**_clock_context(request), "clock_message": text}
        return render(request, "attendance/_clock_panel.html", context)
    messages.success(request, text)
    return redirect("attendance:day_list")
