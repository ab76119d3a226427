"""例会 pages: the meeting schedule (occurrences), standing meeting settings, one meeting with its
attendance sheet, minutes, leave and reports."""

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

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form, raise_if_refused
from kefu.core.params import query_id
from kefu.core.xlsx import Column, write_workbook
from kefu.core.xlsx_web import xlsx_download
from kefu.org.selectors import employee_of

from . import selectors, services
from .choices import AttendanceStatus, MeetingKind, OccurrenceStatus
from .forms import CancelForm, LeaveForm, MeetingForm, MinutesForm, ReportForm
from .models import Meeting, MeetingOccurrence
from .services.common import (
    ADD_MEETING,
    ASK_LEAVE,
    CHANGE_MEETING,
    VIEW_MEETING,
    can_run,
    participants,
)

PAGE_SIZES = (20, 50, 100)
TABS = (("upcoming", "待召开"), ("past", "往期会议"), ("all", "全部"))
FILTER_KEYS = ("meeting", "kind", "status", "from", "to")
STATUS_TAGS = {
    OccurrenceStatus.PLANNED: "tag-blue",
    OccurrenceStatus.HELD: "tag-green",
    OccurrenceStatus.CANCELLED: "tag-grey",
}


def _params(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    params = {k: g.get(k, "")[:40] for k in FILTER_KEYS}
    params["view"] = g.get("view") if g.get("view") in dict(TABS) else "upcoming"
    return params


def _rows(request: HttpRequest, params: dict[str, str]) -> Any:
    qs = selectors.filter_occurrences(selectors.occurrences_for_user(request.user), params)
    return selectors.occurrence_rows(qs)


@login_required
@permission_required(VIEW_MEETING, raise_exception=True)
def meeting_list(request: HttpRequest) -> HttpResponse:
    """例会: the schedule of occurrences (待召开 / 往期), filters in the URL, htmx table."""
    params = _params(request)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(_rows(request, params), size).get_page(request.GET.get("page"))
    for o in page.object_list:
        o.status_tag = STATUS_TAGS.get(o.status, "")
    context: dict[str, Any] = {
        "page": page,
        "filters": params,
        "filtered": any(params[k] for k in FILTER_KEYS),
        "today": timezone.localdate(),
    }
    if request.htmx and request.htmx.target == "meeting-table":  # type: ignore[attr-defined]
        return render(request, "meetings/_occurrence_table.html", context)
    context.update(
        tabs=TABS,
        kinds=MeetingKind.choices,
        statuses=OccurrenceStatus.choices,
        series=selectors.meetings_for_user(request.user).order_by("name"),
        can_add=request.user.has_perm(ADD_MEETING),
    )
    return render(request, "meetings/meeting_list.html", context)


@login_required
@permission_required(VIEW_MEETING, raise_exception=True)
def meeting_export(request: HttpRequest) -> HttpResponse:
    """导出 the filtered schedule with attendance counts."""
    params = _params(request)
    columns = (
        Column("date", "日期", kind="date", width=12),
        Column("time", "时间", width=12),
        Column("meeting", "会议", width=20),
        Column("host", "主持人", width=10),
        Column("status", "状态", width=8),
        Column("present", "出席", width=6),
        Column("late", "迟到", width=6),
        Column("absent", "缺席", width=6),
        Column("leave", "请假", width=6),
        Column("reports", "汇报", width=6),
        Column("minutes", "会议纪要", width=50),
    )
    rows = (
        [
            o.date,
            f"{timezone.localtime(o.starts_at):%H:%M}-{timezone.localtime(o.ends_at):%H:%M}",
            o.meeting.name,
            o.meeting.host.name,
            o.get_status_display(),
            o.present,
            o.late,
            o.absent,
            o.on_leave,
            o.report_count,
            o.minutes,
        ]
        for o in _rows(request, params)[:20_000]
    )
    content, _ = write_workbook(
        sheet_title="例会", title="例会出勤与纪要", columns=columns, rows=rows
    )
    return xlsx_download(content, f"例会_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@permission_required(VIEW_MEETING, raise_exception=True)
def series_list(request: HttpRequest) -> HttpResponse:
    """例会设置: the standing meetings the viewer attends or runs."""
    series = list(
        selectors.meetings_for_user(request.user)
        .select_related("department", "team", "host")
        .order_by("-active", "name")
    )
    for m in series:
        m.can_edit = request.user.has_perm(CHANGE_MEETING) and can_run(request.user, m)
    return render(
        request,
        "meetings/series_list.html",
        {"series": series, "can_add": request.user.has_perm(ADD_MEETING)},
    )


def _form_values(form: MeetingForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
@permission_required(ADD_MEETING, raise_exception=True)
def series_new(request: HttpRequest) -> HttpResponse:
    me = employee_of(request.user)
    if me is None:
        raise PermissionDenied
    initial = {
        "department": me.department_id,
        "team": me.team_id,
        "host": me.pk,
        "starts_on": timezone.localdate(),
        "skip_holidays": True,
        "active": True,
    }
    form = MeetingForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **_form_values(form))
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from exc
            apply_to_form(form, exc)
        else:
            messages.success(request, f"例会“{meeting.name}”已设置，会议场次已生成")
            return redirect("meetings:series_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "meetings/series_form.html", {"form": form}, status=status)


@login_required
@permission_required(CHANGE_MEETING, raise_exception=True)
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meetings_for_user(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if not can_run(request.user, meeting):
        raise PermissionDenied
    initial = {
        f: getattr(meeting, f"{f}_id" if f in ("department", "team", "host") else f)
        for f in MeetingForm.base_fields
    }
    form = MeetingForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **_form_values(form))
        except DomainError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from exc
            apply_to_form(form, exc)
        else:
            messages.success(request, "例会设置已保存")
            return redirect("meetings:series_list")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "meetings/series_form.html", {"form": form, "meeting": meeting}, status=status
    )


def _visible(request: HttpRequest, pk: int) -> MeetingOccurrence:
    try:
        return selectors.occurrence_get_for_user(request.user, pk)
    except MeetingOccurrence.DoesNotExist as exc:
        raise Http404 from exc


def _detail(
    request: HttpRequest,
    occurrence: MeetingOccurrence,
    *,
    sheet_errors: dict[str, str] | None = None,
    posted: Any = None,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    me = employee_of(user)
    meeting: Meeting = occurrence.meeting
    now = timezone.now()
    runner = can_run(user, meeting)
    participant = me is not None and participants(meeting).filter(pk=me.pk).exists()
    started = now >= occurrence.starts_at
    open_ = occurrence.status != OccurrenceStatus.CANCELLED
    sheet = selectors.attendance_sheet(occurrence) if runner else []
    errors = sheet_errors or {}
    for row in sheet:
        pk = row.employee.pk
        if posted is not None:
            row.suggested = posted.get(f"status_{pk}", row.suggested)
            row.reason = posted.get(f"reason_{pk}", row.reason)
            row.late = posted.get(f"late_{pk}", "")
        else:
            row.late = row.record.late_minutes if row.record and row.record.late_minutes else ""
        row.error = (
            errors.get(f"status_{pk}") or errors.get(f"reason_{pk}") or errors.get(f"late_{pk}", "")
        )
    mine = occurrence.attendance.filter(employee=me).first() if me is not None else None
    my_report = occurrence.reports.filter(employee=me).first() if me is not None else None
    forms = forms or {}
    deadline = services.notice_deadline(occurrence)
    report_form = forms.get("report") or (
        ReportForm(
            initial={
                "work_done": my_report.work_done,
                "problems": my_report.problems,
                "improvements": my_report.improvements,
            }
        )
        if my_report
        else ReportForm()
    )
    context = {
        "occurrence": occurrence,
        "meeting": meeting,
        "status_tag": STATUS_TAGS.get(occurrence.status, ""),
        "can_run": runner and open_,
        "started": started,
        "sheet": sheet,
        "sheet_error": errors.get("rows", ""),
        "statuses": AttendanceStatus.choices,
        "attendance": list(
            occurrence.attendance.select_related("employee").order_by("employee__employee_no")
        ),
        "reports": list(
            occurrence.reports.select_related("employee").order_by("employee__employee_no")
        )
        if runner or user.has_perm(CHANGE_MEETING)
        else ([my_report] if my_report else []),
        "mine": mine,
        "deadline": deadline,
        "can_leave": participant
        and user.has_perm(ASK_LEAVE)
        and occurrence.status == OccurrenceStatus.PLANNED
        and now <= deadline
        and (mine is None or mine.status != AttendanceStatus.LEAVE),
        "can_report": participant and user.has_perm(ASK_LEAVE) and open_ and not occurrence.minutes,
        "minutes_form": forms.get("minutes")
        or MinutesForm(initial={"minutes": occurrence.minutes}),
        "leave_form": forms.get("leave") or LeaveForm(),
        "report_form": report_form,
        "cancel_form": forms.get("cancel") or CancelForm(),
        "can_cancel": runner
        and occurrence.status == OccurrenceStatus.PLANNED
        and not occurrence.attendance.filter(source="host").exists(),
    }
    return render(request, "meetings/occurrence_detail.html", context, status=status)


@login_required
@permission_required(VIEW_MEETING, raise_exception=True)
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: attendance sheet and minutes (host), leave and report (participants)."""
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@permission_required("meetings.take_attendance", raise_exception=True)
def occurrence_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    if not can_run(request.user, occurrence.meeting):
        raise PermissionDenied
    rows = []
    for row in selectors.attendance_sheet(occurrence):
        pid = row.employee.pk
        status = request.POST.get(f"status_{pid}")
        if status is None:
            continue
        late = query_id(request.POST.get(f"late_{pid}")) or 0
        rows.append(
            services.AttendanceRow(
                employee_id=pid,
                status=status,
                late_minutes=min(late, 32_000),
                reason=(request.POST.get(f"reason_{pid}") or "")[:300],
            )
        )
    try:
        services.attendance_record(actor=request.user, occurrence=occurrence, rows=rows)
    except DomainError as exc:
        raise_if_refused(exc)
        messages.error(request, exc.message)
        return _detail(
            request, occurrence, sheet_errors=exc.fields, posted=request.POST, status=422
        )
    messages.success(request, "出勤已登记")
    return redirect("meetings:occurrence_detail", pk=occurrence.pk)


@login_required
@require_POST
@permission_required("meetings.take_attendance", raise_exception=True)
def occurrence_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_minutes_record(
                actor=request.user, occurrence=occurrence, minutes=form.cleaned_data["minutes"]
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "会议纪要已保存")
            return redirect("meetings:occurrence_detail", pk=occurrence.pk)
    return _detail(request, occurrence, forms={"minutes": form}, status=422)


@login_required
@require_POST
@permission_required("meetings.take_attendance", raise_exception=True)
def occurrence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.occurrence_cancel(
                actor=request.user, occurrence=occurrence, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "本次会议已取消")
            return redirect("meetings:occurrence_detail", pk=occurrence.pk)
    return _detail(request, occurrence, forms={"cancel": form}, status=422)


@login_required
@require_POST
@permission_required(ASK_LEAVE, raise_exception=True)
def occurrence_leave(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_leave_ask(
                actor=request.user, occurrence=occurrence, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "已请假")
            return redirect("meetings:occurrence_detail", pk=occurrence.pk)
    return _detail(request, occurrence, forms={"leave": form}, status=422)


@login_required
@require_POST
@permission_required(ASK_LEAVE, raise_exception=True)
def occurrence_report(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _visible(request, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_report_submit(
                actor=request.user, occurrence=occurrence, **form.cleaned_data
            )
        except DomainError as exc:
            raise_if_refused(exc)
            apply_to_form(form, exc)
        else:
            messages.success(request, "汇报已提交")
            return redirect("meetings:occurrence_detail", pk=occurrence.pk)
    return _detail(request, occurrence, forms={"report": form}, status=422)
