"""排班 API — /api/v1/workforce/: shifts, coverage, staffing, rosters (solve, grid, cells,
publish, versions), background-job status and the workforce incidents for performance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm
from kefu.core.errors import DomainError
from kefu.core.jobs import job_url, jobs_for_user
from kefu.core.policy import shift_policy
from kefu.org.models import Employee
from kefu.org.selectors import employee_scope_filter

from . import selectors
from .choices import RosterStatus
from .grid import build_grid
from .incidents import workforce_incidents
from .models import Roster
from .policy import roster_policy
from .services import coverage as coverage_services
from .services import publish
from .services import rosters as roster_services
from .services.coverage import Need
from .services.staffing import coverage_apply_staffing, staffing_table
from .shifts import shift_names
from .staffing_input import Forecast, StaffingParams, parse_intervals

router = Router(tags=["排班"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VIEW_COVERAGE = "workforce.view_coveragerequirement"
MAX_INCIDENT_DAYS = 92


def _month(value: str) -> dt.date:
    month = selectors.parse_month(value)
    if month is None:
        raise DomainError(
            "invalid_month", "月份格式不正确（应为 YYYY-MM）", fields={"month": "格式"}
        )
    return month


def _team_visible(request: HttpRequest, team_id: int) -> None:
    if not selectors.teams_for_roster_user(request.user).filter(pk=team_id).exists():
        raise Http404


# --- shifts ---------------------------------------------------------------------------------------
class ShiftOut(Schema):
    code: str
    name: str
    start: str
    end: str
    skills: list[str]
    night: bool
    sunday_only: bool
    holiday_ok: bool


class LayoutOut(Schema):
    code: str
    name: str
    shifts: list[str]


class SkillOut(Schema):
    code: str
    name: str


class ShiftsOut(Schema):
    on: dt.date
    shifts: list[ShiftOut]
    layouts: list[LayoutOut]
    skills: list[SkillOut]
    roster_publish_day: int
    holiday_roster_days_ahead: int


@router.get("/shifts", response={200: ShiftsOut, 403: ErrorOut, 422: ErrorOut})
def shifts(request: HttpRequest, on: str = "") -> dict[str, Any]:
    """班次 (WFM-1): the shift types, layouts and skills of the policy in force on ``on``."""
    require_perm(request, selectors.VIEW_ROSTER)
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError as exc:
        raise DomainError("invalid_date", "日期格式不正确", fields={"on": "YYYY-MM-DD"}) from exc
    sp, rp = shift_policy(day), roster_policy(day)
    return {
        "on": day,
        "shifts": [
            {
                "code": s.code,
                "name": s.name,
                "start": s.start,
                "end": s.end,
                "skills": list(s.skills),
                "night": s.night,
                "sunday_only": s.sunday_only,
                "holiday_ok": s.holiday_ok,
            }
            for s in sp.shifts
        ],
        "layouts": [x.model_dump() for x in rp.layouts],
        "skills": [x.model_dump() for x in rp.skills],
        "roster_publish_day": sp.roster_publish_day,
        "holiday_roster_days_ahead": sp.holiday_roster_days_ahead,
    }


# --- coverage ---------------------------------------------------------------------------------
class CoverageCell(Schema):
    day: dt.date
    shift: str
    min_people: int = Field(ge=0, le=999)
    skills: dict[str, int] = {}


class CoverageCellOut(CoverageCell):
    source: str


class CoverageOut(Schema):
    team_id: int
    month: dt.date
    layout: str
    shifts: list[str]
    cells: list[CoverageCellOut]


class CoverageIn(Schema):
    team_id: int
    month: str = Field(description="YYYY-MM")
    cells: list[CoverageCell] = Field(max_length=31 * 10)


def _coverage_out(team_id: int, month: dt.date) -> dict[str, Any]:
    layout = selectors.team_layout(team_id, month)
    known = shift_names(month)
    return {
        "team_id": team_id,
        "month": month,
        "layout": layout.code,
        "shifts": [c for c in layout.shifts if c in known],
        "cells": [
            {
                "day": r.day,
                "shift": r.shift_code,
                "min_people": r.min_people,
                "skills": r.skills or {},
                "source": r.source,
            }
            for r in selectors.coverage_rows(team_id, month)
        ],
    }


@router.get("/coverage", response={200: CoverageOut, **ERRORS})
def coverage_get(request: HttpRequest, team_id: int, month: str) -> dict[str, Any]:
    """人员配置需求 of a team's month."""
    require_perm(request, VIEW_COVERAGE)
    _team_visible(request, team_id)
    return _coverage_out(team_id, _month(month))


@router.put("/coverage", response={200: CoverageOut, **ERRORS})
def coverage_put(request: HttpRequest, body: CoverageIn) -> dict[str, Any]:
    """Set the listed cells of a team's month (others unchanged; 0 people and no skill removes)."""
    require_perm(request, coverage_services.CHANGE_COVERAGE)
    _team_visible(request, body.team_id)
    month = _month(body.month)
    coverage_services.coverage_save(
        actor=request.user,
        team_id=body.team_id,
        month=month,
        needs={(c.day, c.shift): Need(c.min_people, dict(c.skills)) for c in body.cells},
    )
    return _coverage_out(body.team_id, month)


# --- staffing ---------------------------------------------------------------------------------
class IntervalIn(Schema):
    start: str = Field(description="HH:MM")
    calls: float = Field(ge=0, le=1_000_000)


class StaffingIn(Schema):
    interval_minutes: int = 30
    aht_seconds: float = 180
    target_sl: float = Field(0.8, description="0–1, e.g. 0.8 = 80%")
    target_seconds: float = 20
    max_occupancy: float | None = Field(None, description="0–1")
    shrinkage: float = Field(0.3, description="0–1")
    intervals: list[IntervalIn] = Field(max_length=96)
    team_id: int | None = Field(None, description="show people per shift of this team's layout")
    month: str = ""
    apply: bool = Field(
        False, description="write the month's coverage of team_id (source 话务量测算)"
    )


class StaffingRowOut(Schema):
    start: str
    calls: float
    traffic: float
    agents: int
    p_wait: float
    service_level: float
    asa_seconds: float | None
    occupancy: float
    scheduled: int


class StaffingOut(Schema):
    rows: list[StaffingRowOut]
    per_shift: dict[str, int]
    peak_agents: int
    peak_scheduled: int
    total_calls: float
    applied: int | None = None


@router.post("/staffing", response={200: StaffingOut, **ERRORS})
def staffing(request: HttpRequest, body: StaffingIn) -> dict[str, Any]:
    """话务量测算 (Erlang C) of one typical day; ``apply`` writes a team's month of coverage."""
    require_perm(request, VIEW_COVERAGE)
    params = StaffingParams(
        interval_minutes=body.interval_minutes,
        aht_seconds=body.aht_seconds,
        target_sl=body.target_sl,
        target_seconds=body.target_seconds,
        max_occupancy=body.max_occupancy,
        shrinkage=body.shrinkage,
    ).check()
    text = "\n".join(f"{i.start} {i.calls}" for i in body.intervals)
    forecast = Forecast(calls=tuple(parse_intervals(text, params.interval_minutes)))
    specs: tuple = ()
    month = selectors.parse_month(body.month) or selectors.add_months(timezone.localdate(), 1)
    if body.team_id is not None:
        _team_visible(request, body.team_id)
        from .services.problem import layout_specs

        specs = layout_specs(body.team_id, month)
    table = staffing_table(params, forecast, shifts=specs)
    applied = None
    if body.apply:
        if body.team_id is None or not body.month:
            raise DomainError("staffing_apply_target", "请选择要应用的班组和月份")
        applied = coverage_apply_staffing(
            actor=request.user, team_id=body.team_id, month=month, params=params, forecast=forecast
        )
    return {
        "rows": [
            {
                "start": f"{r.start_min // 60:02d}:{r.start_min % 60:02d}",
                "calls": r.calls,
                "traffic": round(r.traffic, 4),
                "agents": r.agents,
                "p_wait": round(r.p_wait, 4),
                "service_level": round(r.service_level, 4),
                "asa_seconds": None if r.asa_s == float("inf") else round(r.asa_s, 2),
                "occupancy": round(r.occupancy, 4),
                "scheduled": r.scheduled,
            }
            for r in table.rows
        ],
        "per_shift": table.per_shift,
        "peak_agents": table.peak_agents,
        "peak_scheduled": table.peak_scheduled,
        "total_calls": table.total_calls,
        "applied": applied,
    }


# --- rosters ----------------------------------------------------------------------------------
class RosterOut(Schema):
    id: int
    team_id: int
    team_name: str
    month: dt.date
    version: int
    status: str
    based_on_id: int | None
    change_reason: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    solver_result: dict[str, Any]

    @staticmethod
    def resolve_team_name(obj: Roster) -> str:
        return obj.team.name


class RosterRowOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    codes: list[str]
    counts: dict[str, int]
    rest: int
    leave: int


class DayTotalOut(Schema):
    day: dt.date
    shift: str
    people: int
    need: int | None
    short: bool


class ShortfallOut(Schema):
    day: dt.date
    shift: str
    skill: str
    missing: int


class RosterGridOut(Schema):
    roster: RosterOut
    days: list[dt.date]
    holidays: list[dt.date]
    shifts: list[str]
    rows: list[RosterRowOut]
    totals: list[DayTotalOut]
    shortfalls: list[ShortfallOut]
    shortfall_total: int


def _grid_out(roster: Roster) -> dict[str, Any]:
    grid = build_grid(roster)
    codes = [c for c, _, _ in grid.shifts]
    return {
        "roster": roster,
        "days": [d.day for d in grid.days],
        "holidays": [d.day for d in grid.days if d.holiday],
        "shifts": codes,
        "rows": [
            {
                "employee_id": r.employee_id,
                "employee_no": r.employee_no,
                "name": r.name,
                "codes": [c.code for c in r.cells],
                "counts": dict(zip(codes, r.counts, strict=True)),
                "rest": r.rest,
                "leave": r.leave,
            }
            for r in grid.rows
        ],
        "totals": [
            {"day": d.day, "shift": t.code, "people": f.count, "need": f.need, "short": f.short}
            for t in grid.totals
            for d, f in zip(grid.days, t.days, strict=True)
        ],
        "shortfalls": [
            {"day": s.day, "shift": s.shift, "skill": s.skill, "missing": s.missing}
            for s in grid.shortfalls
        ],
        "shortfall_total": grid.shortfall_total,
    }


def _roster(request: HttpRequest, pk: int) -> Roster:
    try:
        return selectors.roster_get_for_user(request.user, pk)
    except Roster.DoesNotExist as exc:
        raise Http404 from exc


class RosterFilters(Schema):
    team_id: int | None = None
    month: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 20


@router.get("/rosters", response={200: Page[RosterOut], 403: ErrorOut})
def roster_list(request: HttpRequest, filters: Query[RosterFilters]) -> dict[str, Any]:
    """排班表 versions the user may see, newest month first."""
    require_perm(request, selectors.VIEW_ROSTER)
    qs = selectors.rosters_for_user(request.user)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    month = selectors.parse_month(filters.month)
    if month:
        qs = qs.filter(month=month)
    if filters.status in RosterStatus.values:
        qs = qs.filter(status=filters.status)
    return paginate(
        qs.order_by("-month", "team__name", "-version"), filters.page, filters.page_size
    )


@router.get("/rosters/grid", response={200: RosterGridOut, **ERRORS})
def roster_grid_by_month(
    request: HttpRequest, team_id: int, month: str, version: str = ""
) -> dict[str, Any]:
    """The grid of a team's month: the draft (``version=draft``, editors only) or the published."""
    require_perm(request, selectors.VIEW_ROSTER)
    qs = selectors.rosters_for_user(request.user).filter(team_id=team_id, month=_month(month))
    wanted = RosterStatus.DRAFT if version == "draft" else RosterStatus.PUBLISHED
    roster = qs.filter(status=wanted).first()
    if roster is None:
        raise Http404
    return _grid_out(roster)


@router.get("/rosters/{int:pk}", response={200: RosterGridOut, **ERRORS})
def roster_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One roster version as a grid (people × days, totals per day, shortfalls)."""
    require_perm(request, selectors.VIEW_ROSTER)
    return _grid_out(_roster(request, pk))


@router.get("/rosters/{int:pk}/versions", response={200: list[RosterOut], **ERRORS})
def roster_versions(request: HttpRequest, pk: int) -> list[Roster]:
    """Every version of the roster's team and month the user may see — 版本记录."""
    require_perm(request, selectors.VIEW_ROSTER)
    roster = _roster(request, pk)
    return list(
        selectors.rosters_for_user(request.user)
        .filter(team_id=roster.team_id, month=roster.month)
        .order_by("-version")
    )


class SolveIn(Schema):
    team_id: int
    month: str = Field(description="YYYY-MM")
    time_limit_s: float | None = Field(None, gt=0, le=600)


class QueuedOut(Schema):
    queued: bool
    message: str
    job_id: int
    job_url: str


@router.post("/rosters/solve", response={202: QueuedOut, **ERRORS})
def roster_solve(request: HttpRequest, body: SolveIn) -> Status:
    """自动排班 — a background job writing the team's draft; poll ``/jobs/{job_id}``."""
    require_perm(request, selectors.EDIT_ROSTER)
    _team_visible(request, body.team_id)
    job = roster_services.roster_solve_submit(
        actor=request.user,
        team_id=body.team_id,
        month=_month(body.month),
        time_limit_s=body.time_limit_s,
    )
    return Status(
        202,
        {"queued": True, "message": "已提交自动排班", "job_id": job.pk, "job_url": job_url(job)},
    )


class CellIn(Schema):
    employee_id: int
    day: dt.date
    code: str = Field(max_length=20)
    reason: str = Field("", max_length=300)


class CellOut(Schema):
    roster_id: int
    version: int
    status: str
    reissued: bool
    employee_id: int
    day: dt.date
    code: str
    coverage: list[str]


@router.patch("/rosters/{int:pk}/cells", response={200: CellOut, **ERRORS})
def roster_cell(request: HttpRequest, pk: int, body: CellIn) -> dict[str, Any]:
    """调整排班: one cell of a draft (checked against the hard rules; 422 with the checker's
    message when refused), or of a published roster (a new version; ``reason`` required)."""
    require_perm(request, selectors.EDIT_ROSTER)
    roster = _roster(request, pk)
    result = roster_services.roster_cell_set(
        actor=request.user,
        roster_id=roster.pk,
        employee_id=body.employee_id,
        day=body.day,
        code=body.code,
        reason=body.reason,
    )
    return {
        "roster_id": result.roster.pk,
        "version": result.roster.version,
        "status": result.roster.status,
        "reissued": result.reissued,
        "employee_id": result.employee_id,
        "day": result.day,
        "code": result.code,
        "coverage": result.coverage,
    }


class PublishIn(Schema):
    reason: str = Field("", max_length=300)


@router.post("/rosters/{int:pk}/publish", response={200: RosterOut, **ERRORS})
def roster_publish(request: HttpRequest, pk: int, body: PublishIn) -> Roster:
    """发布排班表 (a re-issue when a published version exists)."""
    require_perm(request, selectors.PUBLISH_ROSTER)
    roster = _roster(request, pk)
    return publish.roster_publish(actor=request.user, roster_id=roster.pk, reason=body.reason)


# --- jobs ---------------------------------------------------------------------------------------
class JobOut(Schema):
    id: int
    kind: str
    status: str
    description: str
    progress_done: int
    progress_total: int
    progress_percent: int
    result: dict[str, Any] | None
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@router.get("/jobs/{int:pk}", response={200: JobOut, 404: ErrorOut})
def job_status(request: HttpRequest, pk: int) -> Any:
    """A background job the user started (自动排班 …): status, progress, result."""
    job = jobs_for_user(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


# --- incidents ------------------------------------------------------------------------------------
class IncidentOut(Schema):
    source: str
    rule: str
    employee_id: int
    day: dt.date
    points: Decimal
    money: Decimal
    quantity: Decimal
    description: str
    ref: str
    link: str


@router.get("/incidents", response={200: list[IncidentOut], 403: ErrorOut, 422: ErrorOut})
def incidents(
    request: HttpRequest, start: dt.date, end: dt.date, employee_id: int | None = None
) -> list[Any]:
    """考勤/交接班/在线/例会 incidents (WFM-5..9) of the people the user may see, for the
    performance module; at most 92 days at a time."""
    require_perm(request, selectors.VIEW_TEAM_ROSTER)
    if end < start or (end - start).days > MAX_INCIDENT_DAYS:
        raise DomainError(
            "incident_range", f"日期范围须在{MAX_INCIDENT_DAYS}天以内", fields={"end": "范围过大"}
        )
    visible = Employee.objects.filter(employee_scope_filter(request.user))
    if employee_id is not None:
        visible = visible.filter(pk=employee_id)
    ids = list(visible.values_list("pk", flat=True))
    return workforce_incidents(start, end, ids) if ids else []
