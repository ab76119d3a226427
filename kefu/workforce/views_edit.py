"""排班表编制 pages (WFM-2): change a cell (htmx), 自动排班 (background job), 新建草稿, 发布,
Excel export and import. Every write goes through ``services``; the services check the rights
again (a team lead only for their own team)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.params import query_id
from kefu.core.xlsx_web import XlsxUploadForm, xlsx_download

from . import selectors
from .choices import RosterStatus
from .excel import MAX_FILE_BYTES, roster_filename, roster_workbook
from .grid import build_grid, short_labels
from .models import Roster
from .rostering.problem import LEAVE, REST
from .services import imports, publish, rosters
from .services.problem import layout_specs
from .shifts import shift_names
from .views import _visible, detail_context, picked_team_month, visible_teams

WEEKDAYS = "一二三四五六日"


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _cell_options(roster: Roster, code_now: str, fixed_leave: bool) -> list[dict[str, str]]:
    names = shift_names(roster.month)
    layout = [s.code for s in layout_specs(roster.team_id, roster.month)]
    labels = short_labels(names, layout)
    codes = [*layout, REST] + ([LEAVE] if fixed_leave or code_now == LEAVE else [])
    return [
        {"code": c, "name": names.get(c, c), "label": labels.get(c, c), "css": f"c-{c}"}
        for c in codes
    ]


def _editor(
    request: HttpRequest,
    roster: Roster,
    employee_id: int,
    day: dt.date,
    *,
    error: str = "",
    done: str = "",
    coverage: list[str] | None = None,
    refresh: bool = False,
) -> HttpResponse:
    cells = selectors.roster_cells(roster.pk)
    code_now = cells.get((employee_id, day), "")
    member = next(
        (e for e in selectors.team_members(roster.team_id, roster.month) if e.pk == employee_id),
        None,
    )
    if member is None:
        raise Http404
    fixed = selectors.fixed_days([employee_id], day, day).get((employee_id, day))
    context: dict[str, Any] = {
        "roster": roster,
        "employee": member,
        "day": day,
        "weekday": WEEKDAYS[day.weekday()],
        "code_now": code_now,
        "name_now": shift_names(roster.month).get(code_now, code_now) or "未排",
        "options": _cell_options(roster, code_now, fixed == LEAVE),
        "published": roster.status == RosterStatus.PUBLISHED,
        "error": error,
        "done": done,
        "coverage": coverage or [],
        "refresh": refresh,
        "reason": request.POST.get("reason", "") if request.method == "POST" else "",
    }
    if refresh:
        context.update(detail_context(request, roster))
    return render(request, "workforce/_cell_editor.html", context)


@login_required
@permission_required(selectors.EDIT_ROSTER, raise_exception=True)
def roster_cell(request: HttpRequest, pk: int) -> HttpResponse:
    """调整排班: GET the small editor beside a cell; POST the new code. On a draft the cell
    changes when no hard rule is newly broken (otherwise the checker's message beside the
    cell); on a published roster the change re-issues it with a reason."""
    roster = _visible(request, pk)
    if not selectors.can_edit_team(request.user, roster.team_id):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    employee_id = query_id(data.get("employee"))
    day = _day(data.get("day"))
    if employee_id is None or day is None or selectors.month_start(day) != roster.month:
        raise Http404
    if request.method != "POST":
        return _editor(request, roster, employee_id, day)
    try:
        result = rosters.roster_cell_set(
            actor=request.user,
            roster_id=roster.pk,
            employee_id=employee_id,
            day=day,
            code=data.get("code", ""),
            reason=data.get("reason", ""),
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            messages.error(request, exc.message)
            return redirect("workforce:roster_detail", pk=roster.pk)
        return _editor(request, roster, employee_id, day, error=exc.message)
    if result.reissued:
        messages.success(
            request, f"排班已调整，已重新发布为第{result.roster.version}版并通知相关人员"
        )
        url = reverse("workforce:roster_detail", args=[result.roster.pk])
        if request.htmx:  # type: ignore[attr-defined]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, "排班已调整")
        return redirect("workforce:roster_detail", pk=roster.pk)
    names = shift_names(roster.month)
    return _editor(
        request,
        roster,
        employee_id,
        day,
        done=f"已改为{names.get(result.code, result.code)}",
        coverage=result.coverage,
        refresh=True,
    )


def _team_month_from_post(request: HttpRequest) -> tuple[int, dt.date]:
    team_id = query_id(request.POST.get("team"))
    month = selectors.parse_month(request.POST.get("month"))
    if team_id is None or month is None:
        raise Http404
    if not selectors.teams_for_roster_user(request.user).filter(pk=team_id).exists():
        raise Http404
    return team_id, month


def _grid_url(team_id: int, month: dt.date) -> str:
    return reverse("workforce:roster_grid") + f"?team={team_id}&month={month:%Y-%m}"


@login_required
@require_POST
@permission_required(selectors.EDIT_ROSTER, raise_exception=True)
def roster_solve(request: HttpRequest) -> HttpResponse:
    """自动排班: queue the solver for the team's month and open the job page (progress)."""
    team_id, month = _team_month_from_post(request)
    try:
        job = rosters.roster_solve_submit(actor=request.user, team_id=team_id, month=month)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_grid_url(team_id, month))
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
@permission_required(selectors.EDIT_ROSTER, raise_exception=True)
def roster_draft_new(request: HttpRequest) -> HttpResponse:
    """新建草稿: a draft of the month (a copy of the published version, else a first roster)."""
    team_id, month = _team_month_from_post(request)
    try:
        draft = rosters.roster_draft_create(actor=request.user, team_id=team_id, month=month)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_grid_url(team_id, month))
    return redirect("workforce:roster_detail", pk=draft.pk)


@login_required
@require_POST
@permission_required(selectors.PUBLISH_ROSTER, raise_exception=True)
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """发布排班表 (confirmed on the page); a re-issue when a published version exists."""
    roster = _visible(request, pk)
    try:
        published = publish.roster_publish(
            actor=request.user, roster_id=roster.pk, reason=request.POST.get("reason", "")
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workforce:roster_detail", pk=roster.pk)
    messages.success(request, f"排班表第{published.version}版已发布，相关人员已收到通知")
    return redirect("workforce:roster_detail", pk=published.pk)


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """导出 the grid as Excel, in the page's layout."""
    roster = _visible(request, pk)
    grid = build_grid(roster)
    return xlsx_download(roster_workbook(grid), roster_filename(grid))


@login_required
@permission_required(selectors.EDIT_ROSTER, raise_exception=True)
def roster_import(request: HttpRequest) -> HttpResponse:
    """导入排班表 into the team's draft: every cell and row checked, nothing imported on any
    error, each error with its row."""
    teams = [t for t in visible_teams(request) if selectors.can_edit_team(request.user, t.pk)]
    if request.method == "POST":
        team_id = query_id(request.POST.get("team"))
        team = next((t for t in teams if t.pk == team_id), None)
        month = selectors.parse_month(request.POST.get("month"))
    else:
        team, month = picked_team_month(request, teams)
    if team is None:
        raise PermissionDenied("您没有可以编制排班表的班组")
    form = XlsxUploadForm(request.POST or None, request.FILES or None, max_bytes=MAX_FILE_BYTES)
    result = None
    if request.method == "POST" and month is not None and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.roster_import(
                actor=request.user, team_id=team.pk, month=month, data=upload.read()
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error("file", exc.message)
        if result is not None and result.ok:
            messages.success(request, f"排班表已导入草稿：{result.summary}")
            return redirect(_grid_url(team.pk, month))
    elif request.method == "POST" and month is None:
        form.add_error(None, "请选择月份")
    return render(
        request,
        "workforce/roster_import.html",
        {
            "form": form,
            "teams": teams,
            "team": team,
            "month": month,
            "result": result,
        },
        status=422 if result is not None and not result.ok else 200,
    )
