"""Workforce reads — 排班查询: rosters the viewer may see, and who works what on which day.

``published_schedule`` is how the other workforce modules (换班, 请假, 考勤, 交接班, 在线状态, 例会)
and the performance module learn a person's rostered code on a day: only the published version
counts; a draft is the team lead's work in progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from kefu.org.models import Employee, Team
from kefu.org.selectors import employee_of, employee_scope_filter

from .choices import RosterStatus
from .models import Roster, RosterEntry

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
