"""排班表 pages (WFM-2): the roster list with publishing deadlines, the grid of one version
(people × days), the team/month picker, versions and the difference between two versions.

Editing (cells, 自动排班, 发布, Excel) is in ``views_edit``; coverage, staffing and skills in
``views_coverage``; rest requests in ``views_rest``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kefu.core.params import query_choice, query_id
from kefu.org.selectors import employee_of

from . import selectors
from .choices import RosterStatus
from .grid import build_grid
from .models import Roster
from .services.reminders import roster_due_date, roster_due_items, rostered_team_ids
from .shifts import shift_names

PAGE_SIZES = (20, 50, 100)
STATUS_TAGS = {
    RosterStatus.DRAFT: "tag-blue",
    RosterStatus.PUBLISHED: "tag-green",
    RosterStatus.WITHDRAWN: "tag-grey",
}


def picked_team_month(request: HttpRequest, teams: list[Any]) -> tuple[Any, dt.date]:
    """The team (one the user may see; their own or the first by default) and month (next month
    by default) from ``?team=&month=``."""
    team_id = query_id(request.GET.get("team"))
    team = next((t for t in teams if t.pk == team_id), None)
    if team is None:
        own = getattr(employee_of(request.user), "team_id", None)
        team = next((t for t in teams if t.pk == own), teams[0] if teams else None)
    month = selectors.parse_month(request.GET.get("month")) or selectors.add_months(
        timezone.localdate(), 1
    )
    return team, month


def visible_teams(request: HttpRequest) -> list[Any]:
    return list(selectors.teams_for_roster_user(request.user).order_by("name"))


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_list(request: HttpRequest) -> HttpResponse:
    """排班表: versions the user may see (filters team/month/status, paging) and, for team
    leads and above, each team's publishing deadline (逾期 / 还剩N天)."""
    user = request.user
    teams = visible_teams(request)
    team_id = query_id(request.GET.get("team"))
    month = selectors.parse_month(request.GET.get("month"))
    status = query_choice(request.GET, "status", RosterStatus.values)
    qs = selectors.rosters_for_user(user).select_related("created_by", "published_by")
    if team_id:
        qs = qs.filter(team_id=team_id)
    if month:
        qs = qs.filter(month=month)
    if status:
        qs = qs.filter(status=status)
    size = query_id(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(qs.order_by("-month", "team__name", "-version"), size).get_page(
        request.GET.get("page")
    )
    for r in page.object_list:
        r.status_tag = STATUS_TAGS.get(r.status, "")
        # The solver's figure is only current for a draft (hand edits change it afterwards).
        r.shortfall = (
            (r.solver_result or {}).get("shortfall_total")
            if r.status == RosterStatus.DRAFT
            else None
        )
    context: dict[str, Any] = {
        "page": page,
        "filters": {
            "team": team_id or "",
            "month": month.strftime("%Y-%m") if month else "",
            "status": status,
        },
        "filtered": bool(team_id or month or status),
    }
    if request.htmx and request.htmx.target == "roster-table":  # type: ignore[attr-defined]
        return render(request, "workforce/_roster_table.html", context)
    deadlines = []
    if user.has_perm(selectors.VIEW_TEAM_ROSTER) or user.has_perm(selectors.EDIT_ROSTER):
        rostering = set(rostered_team_ids(timezone.localdate()))
        wanted = [t.pk for t in teams if t.pk in rostering]
        deadlines = roster_due_items(team_ids=wanted) if wanted else []
    context.update(
        teams=teams,
        statuses=RosterStatus.choices,
        deadlines=deadlines,
        can_edit=user.has_perm(selectors.EDIT_ROSTER),
        next_month=selectors.add_months(timezone.localdate(), 1),
    )
    return render(request, "workforce/roster_list.html", context)


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_grid(request: HttpRequest) -> HttpResponse:
    """查看排班表 by team and month: the version the user works with (a team lead's draft, else
    the published one), or what to do when the month has none yet."""
    teams = visible_teams(request)
    team, month = picked_team_month(request, teams)
    if team is None:
        raise Http404
    can_edit = selectors.can_edit_team(request.user, team.pk)
    visible = selectors.rosters_for_user(request.user).filter(team=team, month=month)
    want = request.GET.get("version")
    if want == "published":
        roster = visible.filter(status=RosterStatus.PUBLISHED).first()
    else:
        roster = (can_edit and visible.filter(status=RosterStatus.DRAFT).first()) or visible.filter(
            status=RosterStatus.PUBLISHED
        ).first()
    if roster is not None:
        return redirect("workforce:roster_detail", pk=roster.pk)
    due, holiday = roster_due_date(month)
    return render(
        request,
        "workforce/roster_empty.html",
        {
            "teams": teams,
            "team": team,
            "month": month,
            "can_edit": can_edit,
            "due": due,
            "holiday": holiday,
            "past": selectors.month_end(month) < timezone.localdate(),
        },
    )


def _visible(request: HttpRequest, pk: int) -> Roster:
    try:
        return selectors.roster_get_for_user(request.user, pk)
    except Roster.DoesNotExist as exc:
        raise Http404 from exc


def detail_context(request: HttpRequest, roster: Roster) -> dict[str, Any]:
    """Everything the grid page (and its htmx refresh) shows."""
    user = request.user
    grid = build_grid(roster)
    can_edit = roster.status != RosterStatus.WITHDRAWN and selectors.can_edit_team(
        user, roster.team_id
    )
    can_publish = roster.status == RosterStatus.DRAFT and selectors.can_publish_team(
        user, roster.team_id
    )
    siblings = {
        r.status: r
        for r in selectors.rosters_for_user(user)
        .filter(team_id=roster.team_id, month=roster.month)
        .exclude(status=RosterStatus.WITHDRAWN)
        .only("id", "status", "version", "team_id", "month")
    }
    today = timezone.localdate()
    future = selectors.month_end(roster.month) >= today
    due, holiday = roster_due_date(roster.month)
    result = roster.solver_result or {}
    stats = result.get("stats") or {}
    return {
        "roster": roster,
        "grid": grid,
        "status_tag": STATUS_TAGS.get(roster.status, ""),
        "can_edit": can_edit,
        "can_publish": can_publish,
        "editable_cells": can_edit
        and (
            roster.status == RosterStatus.DRAFT
            or (roster.status == RosterStatus.PUBLISHED and future)
        ),
        "frozen_edit": can_edit and roster.status == RosterStatus.PUBLISHED and future,
        "draft": siblings.get(RosterStatus.DRAFT),
        "published": siblings.get(RosterStatus.PUBLISHED),
        "teams": visible_teams(request),
        "month_value": roster.month.strftime("%Y-%m"),
        "today": today,
        "due": due,
        "holiday": holiday,
        "overdue": roster.status == RosterStatus.DRAFT and due < today,
        "result": result,
        "stats": stats,
        "future": future,
    }


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """排班表 grid: people × days with colours per shift, weekend/holiday shading, totals per
    person and per day against the demand, shortfalls; the actions the user may take."""
    roster = _visible(request, pk)
    context = detail_context(request, roster)
    if request.GET.get("print"):
        return render(request, "workforce/roster_print.html", context)
    return render(request, "workforce/roster_detail.html", context)


@login_required
@permission_required(selectors.VIEW_ROSTER, raise_exception=True)
def roster_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """版本记录: every version of the team's month the user may see, and the cells that differ
    between two of them (``?a=&b=``; by default this version against the one it replaced)."""
    roster = _visible(request, pk)
    versions = list(
        selectors.rosters_for_user(request.user)
        .filter(team_id=roster.team_id, month=roster.month)
        .select_related("created_by", "published_by")
        .order_by("-version")
    )
    for v in versions:
        v.status_tag = STATUS_TAGS.get(v.status, "")
    by_id = {v.pk: v for v in versions}
    b = by_id.get(query_id(request.GET.get("b")) or roster.pk, roster)
    default_a = b.based_on_id if b.based_on_id in by_id else None
    if default_a is None:
        older = [v for v in versions if v.version < b.version]
        default_a = older[0].pk if older else None
    a = by_id.get(query_id(request.GET.get("a")) or default_a or 0)
    diff: list[dict[str, Any]] = []
    if a is not None and a.pk != b.pk:
        diff = selectors.roster_diff(a.pk, b.pk)
        names = shift_names(roster.month)
        for row in diff:
            row["old_name"] = names.get(row["old"], row["old"]) if row["old"] else "—"
            row["new_name"] = names.get(row["new"], row["new"]) if row["new"] else "—"
    return render(
        request,
        "workforce/roster_versions.html",
        {
            "roster": roster,
            "versions": versions,
            "a": a,
            "b": b,
            "diff": diff,
            "back": reverse("workforce:roster_detail", args=[roster.pk]),
        },
    )
