"""Workforce reads — 排班查询: rosters the viewer may see, and who works what on which day.

``published_schedule`` is how the other workforce modules (换班, 请假, 考勤, 交接班, 在线状态, 例会)
and the performance module learn a person's rostered code on a day: only the published version
counts; a draft is the team lead's work in progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee, Team
from kefu.org.selectors import employee_of, employee_scope_filter

from .choices import RosterStatus
from .models import (
    CoverageRequirement,
    EmployeeSkill,
    RestRequest,
    Roster,
    RosterEntry,
    TeamRosterSetting,
)
from .policy import Layout, roster_policy
from .shifts import shift_names

VIEW_ROSTER = "workforce.view_roster"
VIEW_TEAM_ROSTER = "workforce.view_team_roster"
EDIT_ROSTER = "workforce.edit_roster"
PUBLISH_ROSTER = "workforce.publish_roster"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_days(month: dt.date) -> list[dt.date]:
    """Every date of the month that ``month`` falls in."""
    first = month_start(month)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def published_schedule(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee id, day) → rostered code for ``start``..``end`` inclusive, from published rosters
    only. A day without a published roster is absent from the result (not rostered)."""
    ids = list(employee_ids)
    if not ids:
        return {}
    rows = RosterEntry.objects.filter(
        employee_id__in=ids,
        day__gte=start,
        day__lte=end,
        roster__status=RosterStatus.PUBLISHED,
    ).values_list("employee_id", "day", "code")
    return {(e, d): c for e, d, c in rows}


def rostered_code(employee_id: int, day: dt.date) -> str | None:
    """The published code of one person on one day, or None when not rostered."""
    return published_schedule([employee_id], day, day).get((employee_id, day))


def rostered_on(day: dt.date, code: str | None = None) -> QuerySet[RosterEntry]:
    """Published cells of ``day`` (optionally one shift), employees joined — who is on duty."""
    qs = RosterEntry.objects.filter(day=day, roster__status=RosterStatus.PUBLISHED)
    if code:
        qs = qs.filter(code=code)
    return qs.select_related("employee", "roster__team")


def roster_published(team_id: int, month: dt.date) -> Roster | None:
    """The team's published roster of that month, if any."""
    return Roster.objects.filter(
        team_id=team_id, month=month_start(month), status=RosterStatus.PUBLISHED
    ).first()


def roster_draft(team_id: int, month: dt.date) -> Roster | None:
    """The team's draft of that month, if any."""
    return Roster.objects.filter(
        team_id=team_id, month=month_start(month), status=RosterStatus.DRAFT
    ).first()


def teams_for_roster_user(user: Any) -> QuerySet[Team]:
    """Teams whose rosters ``user`` may open: all teams in scope for 查看班组排班表, else own team."""
    if user.has_perm(VIEW_TEAM_ROSTER):
        visible = Employee.objects.filter(employee_scope_filter(user)).values("team_id")
        return Team.objects.filter(Q(pk__in=visible)).select_related("department")
    me = employee_of(user)
    if me is None or me.team_id is None:
        return Team.objects.none()
    return Team.objects.filter(pk=me.team_id).select_related("department")


def rosters_for_user(user: Any) -> QuerySet[Roster]:
    """Rosters ``user`` may see; agents see only published versions of their own team."""
    qs = Roster.objects.filter(team__in=teams_for_roster_user(user)).select_related("team")
    if not user.has_perm(EDIT_ROSTER) and not user.has_perm(VIEW_TEAM_ROSTER):
        qs = qs.exclude(status=RosterStatus.DRAFT)
    return qs


# --- fixed days (approved leave …) -------------------------------------------------------------
# fn(employee ids, start, end) → {(employee id, day): code} — days the roster may not change
# (approved leave → "leave"). The leave module registers one from its AppConfig.ready().
FixedDaysSource = Callable[[Sequence[int], dt.date, dt.date], Mapping[tuple[int, dt.date], str]]
_FIXED_SOURCES: dict[str, FixedDaysSource] = {}


def register_fixed_days_source(fn: FixedDaysSource, key: str | None = None) -> None:
    """Register a source of fixed roster days — 固定排班日 (approved leave). One source per key
    (default: the function's module and name); registering again replaces it."""
    _FIXED_SOURCES[key or f"{fn.__module__}.{fn.__qualname__}"] = fn


def fixed_days(
    employee_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """Every registered source's fixed days of ``employee_ids`` in ``start``..``end``."""
    ids = sorted(set(employee_ids))
    wanted = set(ids)
    found: dict[tuple[int, dt.date], str] = {}
    if not ids:
        return found
    for key in sorted(_FIXED_SOURCES):
        for (emp, day), code in _FIXED_SOURCES[key](ids, start, end).items():
            if emp in wanted and start <= day <= end:
                found[(emp, day)] = code
    return found


# --- months, teams, rosters ---------------------------------------------------------------------
def month_end(month: dt.date) -> dt.date:
    """The last day of the month ``month`` falls in."""
    return month_days(month)[-1]


def add_months(month: dt.date, n: int) -> dt.date:
    """The 1st of the month ``n`` months after (before, when negative) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str | None) -> dt.date | None:
    """``2026-03`` (or a full date) → the 1st of that month; None when not a month."""
    text = (value or "").strip()[:10]
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day.replace(day=1)
    return None


def can_edit_team(user: Any, team_id: int) -> bool:
    """May ``user`` compose the roster and coverage of team ``team_id`` (编制排班表)?"""
    if not user.has_perm(EDIT_ROSTER):
        return False
    return teams_for_roster_user(user).filter(pk=team_id).exists()


def can_publish_team(user: Any, team_id: int) -> bool:
    """May ``user`` publish the roster of team ``team_id`` (发布排班表)?"""
    return user.has_perm(PUBLISH_ROSTER) and can_edit_team(user, team_id)


def roster_get_for_user(user: Any, pk: int) -> Roster:
    """One roster the user may see; Roster.DoesNotExist otherwise."""
    return rosters_for_user(user).select_related("created_by", "published_by").get(pk=pk)


def roster_cells(roster_id: int) -> dict[tuple[int, dt.date], str]:
    """(employee id, day) → code of one roster version."""
    rows = RosterEntry.objects.filter(roster_id=roster_id).values_list("employee_id", "day", "code")
    return {(e, d): c for e, d, c in rows}


def roster_versions(team_id: int, month: dt.date) -> QuerySet[Roster]:
    """Every version of a team's month, newest first — 版本记录."""
    return (
        Roster.objects.filter(team_id=team_id, month=month_start(month))
        .select_related("created_by", "published_by")
        .order_by("-version")
    )


def team_members(team_id: int, month: dt.date) -> list[Employee]:
    """Who is rostered in team ``team_id`` for ``month`` — 排班人员: active members hired by the
    month's last day, by 工号."""
    return list(
        Employee.objects.filter(
            team_id=team_id, status=EmployeeStatus.ACTIVE, hire_date__lte=month_end(month)
        )
        .only("id", "name", "employee_no", "hire_date", "team_id", "user_id", "speciality")
        .order_by("employee_no")
    )


def team_layout(team_id: int, on: dt.date | None = None) -> Layout:
    """The shift layout (班次组合) team ``team_id`` rosters with; the policy's first by default."""
    policy = roster_policy(on)
    code = (
        TeamRosterSetting.objects.filter(team_id=team_id).values_list("layout", flat=True).first()
    )
    return (policy.layout(code) if code else None) or policy.layouts[0]


def layout_shift_codes(team_id: int, on: dt.date | None = None) -> list[str]:
    """The shift codes of the team's layout that the shifts policy in force on ``on`` defines."""
    known = set(shift_names(on))
    return [c for c in team_layout(team_id, on).shifts if c in known]


def skills_by_employee(employee_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Employee id → skill codes (员工技能)."""
    found: dict[int, set[str]] = {}
    for emp, skill in EmployeeSkill.objects.filter(employee_id__in=list(employee_ids)).values_list(
        "employee_id", "skill"
    ):
        found.setdefault(emp, set()).add(skill)
    return {k: frozenset(v) for k, v in found.items()}


def coverage_rows(team_id: int, month: dt.date) -> QuerySet[CoverageRequirement]:
    """The team's coverage requirements of ``month`` — 人员配置需求."""
    first = month_start(month)
    return CoverageRequirement.objects.filter(
        team_id=team_id, day__gte=first, day__lte=month_end(first)
    ).order_by("day", "shift_code")


def rest_requests_of(employee_id: int, month: dt.date) -> QuerySet[RestRequest]:
    """One person's rest requests (休息申请) of ``month``."""
    first = month_start(month)
    return RestRequest.objects.filter(
        employee_id=employee_id, day__gte=first, day__lte=month_end(first)
    ).order_by("day")


def rest_requests_of_team(team_id: int, month: dt.date) -> QuerySet[RestRequest]:
    """The rest requests of a team's members in ``month`` (what the team lead sees)."""
    first = month_start(month)
    return (
        RestRequest.objects.filter(
            employee__team_id=team_id, day__gte=first, day__lte=month_end(first)
        )
        .select_related("employee")
        .order_by("day", "employee__employee_no")
    )


def roster_diff(a_id: int, b_id: int) -> list[dict[str, Any]]:
    """The cells that differ between versions ``a`` and ``b`` — 版本差异: dicts with employee id,
    name, 工号, day, old code (``a``) and new code (``b``), by person then day."""
    a = roster_cells(a_id)
    b = roster_cells(b_id)
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    people = {
        pk: (name, no)
        for pk, name, no in Employee.objects.filter(pk__in={k[0] for k in keys}).values_list(
            "pk", "name", "employee_no"
        )
    }
    rows = [
        {
            "employee_id": emp,
            "name": people.get(emp, ("", ""))[0],
            "employee_no": people.get(emp, ("", ""))[1],
            "day": day,
            "old": a.get((emp, day), ""),
            "new": b.get((emp, day), ""),
        }
        for emp, day in keys
    ]
    return sorted(rows, key=lambda r: (r["employee_no"], r["day"]))


def team_lead_of(employee_id: int) -> Employee | None:
    """The person who rosters ``employee_id`` — 组长: the team's leader, else the direct superior
    (teams set up without a leader). Never the employee themself. Two queries at most."""
    row = Employee.objects.filter(pk=employee_id).values("team__leader_id", "superior_id").first()
    if row is None:
        return None
    for pk in (row["team__leader_id"], row["superior_id"]):
        if pk is not None and pk != employee_id:
            return Employee.objects.filter(pk=pk, user__isnull=False).first()
    return None
