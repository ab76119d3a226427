"""人员配置需求, 话务量测算 and 员工技能 pages (WFM-1).

* 人员配置需求: a team's month as a grid of shift × day (minimum people and, of them, people
  with each skill), saved by hand, filled from a weekday template, or from the staffing
  calculator; the team's 班次组合.
* 话务量测算: Erlang C per interval (traffic, agents, P(wait), SL, ASA, occupancy, scheduled
  agents), people per shift, and "apply to coverage of team X month Y".
* 员工技能: who has which skill; the team lead ticks and saves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kefu.core.errors import DomainError, PermissionDeniedError, apply_to_form
from kefu.core.params import query_id

from . import selectors
from .choices import CoverageSource
from .forms import StaffingForm
from .grid import calendar_days
from .policy import roster_policy
from .services import coverage as coverage_services
from .services.coverage import HOLIDAY_KEY, WEEKDAYS, Need
from .services.problem import layout_specs
from .services.staffing import coverage_apply_staffing, staffing_table
from .shifts import shift_names
from .staffing_input import (
    Forecast,
    StaffingParams,
    default_profile,
    intervals_from_xlsx,
    parse_intervals,
)
from .views import picked_team_month, visible_teams

VIEW_COVERAGE = "workforce.view_coveragerequirement"
TEMPLATE_KEYS = [*enumerate(WEEKDAYS), (HOLIDAY_KEY, "节假日")]


def _int(value: str | None, where: str) -> int:
    text = (value or "").strip()
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError as exc:
        raise DomainError("coverage_not_number", f"{where}：请填写整数") from exc
    if number < 0:
        raise DomainError("coverage_not_number", f"{where}：不能为负数")
    return number


def _coverage_url(team_id: int, month: dt.date) -> str:
    return reverse("workforce:coverage") + f"?team={team_id}&month={month:%Y-%m}"


def _posted_needs(
    data: Any, month: dt.date, shifts: list[str], skills: list[str], names: dict[str, str]
) -> dict[tuple[dt.date, str], Need]:
    needs = {}
    for day in selectors.month_days(month):
        for shift in shifts:
            where = f"{day.month}月{day.day}日 {names.get(shift, shift)}"
            people = _int(data.get(f"n-{shift}-{day.day}"), where)
            counts = {s: _int(data.get(f"s-{shift}-{s}-{day.day}"), where) for s in skills}
            needs[(day, shift)] = Need(people, {k: v for k, v in counts.items() if v})
    return needs


def _posted_template(
    data: Any, shifts: list[str], skills: list[str], names: dict[str, str]
) -> dict[tuple[int, str], Need]:
    template = {}
    for key, label in TEMPLATE_KEYS:
        for shift in shifts:
            where = f"{label} {names.get(shift, shift)}"
            people = _int(data.get(f"t-n-{shift}-{key}"), where)
            counts = {s: _int(data.get(f"t-s-{shift}-{s}-{key}"), where) for s in skills}
            if key == HOLIDAY_KEY and not people and not any(counts.values()):
                continue
            template[(key, shift)] = Need(people, {k: v for k, v in counts.items() if v})
    return template


@login_required
@permission_required(VIEW_COVERAGE, raise_exception=True)
def coverage(request: HttpRequest) -> HttpResponse:
    """人员配置需求 of a team's month (shift × day); the lead saves by hand, from the weekday
    template, or sets the team's 班次组合."""
    teams = visible_teams(request)
    if request.method == "POST":
        team_id = query_id(request.POST.get("team"))
        team = next((t for t in teams if t.pk == team_id), None)
        month = selectors.parse_month(request.POST.get("month"))
        if team is None or month is None:
            raise Http404
    else:
        team, month = picked_team_month(request, teams)
    if team is None:
        return render(request, "workforce/coverage.html", {"teams": [], "team": None})
    can_edit = request.user.has_perm(coverage_services.CHANGE_COVERAGE) and selectors.can_edit_team(
        request.user, team.pk
    )
    names = shift_names(month)
    shifts = selectors.layout_shift_codes(team.pk, month)
    policy = roster_policy(month)
    skills = [s.code for s in policy.skills]
    error = ""
    posted = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        try:
            if action == "layout":
                coverage_services.team_layout_set(
                    actor=request.user, team_id=team.pk, layout=request.POST.get("layout", "")
                )
                messages.success(request, "班次组合已保存")
            elif action == "template":
                changed = coverage_services.coverage_fill_template(
                    actor=request.user,
                    team_id=team.pk,
                    month=month,
                    template=_posted_template(request.POST, shifts, skills, names),
                )
                messages.success(request, f"已按周模板填充，{changed} 项有变化")
            else:
                changed = coverage_services.coverage_save(
                    actor=request.user,
                    team_id=team.pk,
                    month=month,
                    needs=_posted_needs(request.POST, month, shifts, skills, names),
                )
                messages.success(request, f"人员配置需求已保存，{changed} 项有变化")
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            error, posted = exc.message, request.POST
        else:
            return redirect(_coverage_url(team.pk, month))
    rows = {(r.day, r.shift_code): r for r in selectors.coverage_rows(team.pk, month)}
    grid_posted = posted if posted is not None and posted.get("action", "save") == "save" else None
    days = calendar_days(month)
    grid = []
    for shift in shifts:
        lines = [("n", "最少人数"), *[(s, f"其中{policy.skill_names()[s]}") for s in skills]]
        for kind, label in lines:
            cells = []
            for d in days:
                row = rows.get((d.day, shift))
                name = f"n-{shift}-{d.day.day}" if kind == "n" else f"s-{shift}-{kind}-{d.day.day}"
                if grid_posted is not None:
                    value = grid_posted.get(name, "")
                elif row is None:
                    value = ""
                else:
                    value = row.min_people if kind == "n" else (row.skills or {}).get(kind, "")
                cells.append({"name": name, "value": value, "css": d.css})
            grid.append(
                {
                    "shift": shift,
                    "shift_name": names.get(shift, shift),
                    "first": kind == "n",
                    "span": len(lines),
                    "label": label,
                    "cells": cells,
                }
            )
    sources = {}
    for r in rows.values():
        sources[r.source] = sources.get(r.source, 0) + 1
    template_posted = posted if posted is not None and posted.get("action") == "template" else {}
    template_rows = [
        {
            "key": key,
            "label": label,
            "shifts": [
                {
                    "code": s,
                    "name": names.get(s, s),
                    "n": f"t-n-{s}-{key}",
                    "value": template_posted.get(f"t-n-{s}-{key}", ""),
                    "skills": [
                        (
                            f"t-s-{s}-{k}-{key}",
                            policy.skill_names()[k],
                            template_posted.get(f"t-s-{s}-{k}-{key}", ""),
                        )
                        for k in skills
                    ],
                }
                for s in shifts
            ],
        }
        for key, label in TEMPLATE_KEYS
    ]
    return render(
        request,
        "workforce/coverage.html",
        {
            "teams": teams,
            "team": team,
            "month": month,
            "month_value": month.strftime("%Y-%m"),
            "days": days,
            "grid": grid,
            "can_edit": can_edit,
            "error": error,
            "layouts": policy.layouts,
            "layout": selectors.team_layout(team.pk, month),
            "sources": [
                (CoverageSource(k).label if k in CoverageSource.values else k, n)
                for k, n in sources.items()
            ],
            "template_rows": template_rows,
            "posted": posted or {},
            "empty": not rows,
        },
        status=422 if error else 200,
    )


def _staffing_inputs(form: StaffingForm) -> tuple[StaffingParams, Forecast]:
    d = form.cleaned_data
    params = StaffingParams(
        interval_minutes=d["interval_minutes"],
        aht_seconds=float(d["aht_seconds"]),
        target_sl=float(d["target_sl"]) / 100,
        target_seconds=float(d["target_seconds"]),
        max_occupancy=form.percent(d.get("max_occupancy")),
        shrinkage=float(d["shrinkage"]) / 100,
    ).check()
    if d["mode"] == "daily":
        daily = {k: float(d[f"daily_{k}"]) for k in range(8) if d.get(f"daily_{k}") is not None}
        if not daily:
            raise DomainError(
                "staffing_invalid", "请至少填写一天的日咨询量", fields={"daily_0": "请填写日咨询量"}
            )
        profile = (
            parse_intervals(d["profile"], params.interval_minutes, "profile")
            if (d.get("profile") or "").strip()
            else default_profile()
        )
        return params, Forecast(calls=(), daily=daily, profile=tuple(profile))
    upload = d.get("file")
    if upload is not None:
        calls = intervals_from_xlsx(upload.read(), params.interval_minutes)
    else:
        calls = parse_intervals(d.get("intervals") or "", params.interval_minutes)
    return params, Forecast(calls=tuple(calls))


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _table_rows(table: Any) -> list[dict[str, Any]]:
    return [
        {
            "time": f"{r.start_min // 60:02d}:{r.start_min % 60:02d}",
            "calls": f"{r.calls:g}",
            "traffic": f"{r.traffic:.2f}",
            "agents": r.agents,
            "p_wait": _pct(r.p_wait),
            "sl": _pct(r.service_level),
            "asa": "—" if r.asa_s == float("inf") else f"{r.asa_s:.1f}",
            "occupancy": _pct(r.occupancy),
            "scheduled": r.scheduled,
        }
        for r in table.rows
    ]


@login_required
@permission_required(VIEW_COVERAGE, raise_exception=True)
def staffing(request: HttpRequest) -> HttpResponse:
    """话务量测算 (Erlang C): the table per interval of a typical day and the people per shift;
    "应用到人员配置需求" writes a team's month (confirmed on the page)."""
    teams = visible_teams(request)
    editable = [
        t
        for t in teams
        if request.user.has_perm(coverage_services.CHANGE_COVERAGE)
        and selectors.can_edit_team(request.user, t.pk)
    ]
    initial: dict[str, Any] = {}
    picked_team, picked_month = picked_team_month(request, editable or teams)
    if picked_team is not None:
        initial["team"] = picked_team.pk
    initial["month"] = picked_month.strftime("%Y-%m")
    form = StaffingForm(
        request.POST or None, request.FILES or None, teams=editable, initial=initial
    )
    table = None
    shifts_named: list[tuple[str, str, int]] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        team = next((t for t in editable if t.pk == d.get("team")), None)
        month = selectors.parse_month(d.get("month"))
        try:
            params, forecast = _staffing_inputs(form)
            specs = layout_specs(team.pk, month or picked_month) if team else ()
            weekday = d.get("weekday") or 0
            if not forecast.daily:
                weekday = 0
            table = staffing_table(params, forecast, weekday=weekday, shifts=specs)
            names = shift_names(month or picked_month)
            shifts_named = [
                (s.code, names.get(s.code, s.code), table.per_shift.get(s.code, 0)) for s in specs
            ]
            if request.POST.get("action") == "apply":
                if team is None or month is None:
                    raise DomainError(
                        "staffing_apply_target",
                        "请选择要应用的班组和月份",
                        fields={"team": "请选择班组", "month": "请选择月份"},
                    )
                changed = coverage_apply_staffing(
                    actor=request.user,
                    team_id=team.pk,
                    month=month,
                    params=params,
                    forecast=forecast,
                )
                messages.success(
                    request,
                    f"已按话务量测算更新{team.name} {month:%Y-%m}的人员配置需求，{changed} 项有变化",
                )
                return redirect(_coverage_url(team.pk, month))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_to_form(form, exc)
            table = None if request.POST.get("action") != "apply" else table
    return render(
        request,
        "workforce/staffing.html",
        {
            "form": form,
            "table": table,
            "rows": _table_rows(table) if table else [],
            "shifts": shifts_named,
            "can_apply": bool(editable),
        },
        status=422 if request.method == "POST" and form.errors else 200,
    )


@login_required
@permission_required("workforce.view_employeeskill", raise_exception=True)
def skills(request: HttpRequest) -> HttpResponse:
    """员工技能: the members of a team and their skills; the team lead ticks and saves."""
    teams = visible_teams(request)
    team, _ = picked_team_month(request, teams)
    if request.method == "POST":
        team_id = query_id(request.POST.get("team"))
        team = next((t for t in teams if t.pk == team_id), None)
    if team is None:
        raise Http404
    policy = roster_policy()
    codes = [s.code for s in policy.skills]
    can_edit = request.user.has_perm(coverage_services.CHANGE_SKILL) and selectors.can_edit_team(
        request.user, team.pk
    )
    members = selectors.team_members(team.pk, timezone.localdate())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        wanted = {e.pk: [c for c in codes if request.POST.get(f"sk-{e.pk}-{c}")] for e in members}
        try:
            changed = coverage_services.team_skills_set(
                actor=request.user, team_id=team.pk, skills=wanted
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"员工技能已保存，{changed} 人有变化")
        return redirect(reverse("workforce:skills") + f"?team={team.pk}")
    have = selectors.skills_by_employee([e.pk for e in members])
    rows = [
        {
            "employee": e,
            "cells": [(c, f"sk-{e.pk}-{c}", c in have.get(e.pk, frozenset())) for c in codes],
        }
        for e in members
    ]
    return render(
        request,
        "workforce/skills.html",
        {
            "teams": teams,
            "team": team,
            "skills": policy.skills,
            "rows": rows,
            "can_edit": can_edit,
        },
    )
