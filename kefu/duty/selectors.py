"""Duty reads — 交接班与在线查询, scoped to what the viewer may see (ORG-5).

The handover book is the team's: everyone reads their own team's book (the next shift must),
组长 their team's, 主管/经理 their department's, 行政人事部 and the leadership all of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.core.params import query_choice, query_id
from kefu.org.choices import Scope
from kefu.org.models import Employee, Team
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of, employee_scope_filter
from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.selectors import rostered_on

from .choices import UNREACHABLE, FlagKind, HandoverStatus, ViolationStatus
from .models import Handover, HandoverAck, HandoverFlag, PresenceState, PresenceViolation
from .policy import duty_policy
from .schedule import WindowCache
from .services.common import VIEW_HANDOVER, VIEW_PRESENCE

HANDOVER_VIEWS = ("all", "pending", "overdue", "acknowledged")


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- handovers ------------------------------------------------------------------------------
def _team_scope(user: Any) -> Q | None:
    """A Q over a ``team`` field + the person's own rows; None = nothing."""
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()
    me = employee_of(user)
    if scope is None or me is None:
        return None
    if scope == Scope.DEPARTMENT:
        return Q(team__department_id__in=department_descendant_ids(me.department_id))
    return Q(team_id=me.team_id) if me.team_id else Q(pk__in=[])


def handovers_for_user(user: Any) -> QuerySet[Handover]:
    """Handovers ``user`` may read: their team's book (or department's, or all), plus the ones
    they wrote or are to confirm."""
    if not user.has_perm(VIEW_HANDOVER):
        return Handover.objects.none()
    scope = _team_scope(user)
    if scope is None:
        return Handover.objects.none()
    me = employee_of(user)
    if me is not None and scope != Q():
        mine = HandoverAck.objects.filter(handover=OuterRef("pk"), employee=me)
        scope = scope | Q(author=me) | Q(Exists(mine))
    return Handover.objects.filter(scope)


def filter_handovers(qs: QuerySet[Handover], params: Any) -> QuerySet[Handover]:
    """List filters from the URL: ``from``/``to`` (day), ``shift``, ``team``, ``view``, ``q``."""
    start, end = _parse_date(params.get("from")), _parse_date(params.get("to"))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    shift = (params.get("shift") or "")[:20]
    if shift:
        qs = qs.filter(shift_code=shift)
    team = query_id(params.get("team"))
    if team:
        qs = qs.filter(team_id=team)
    view = query_choice(params, "view", HANDOVER_VIEWS)
    if view == "pending":
        qs = qs.filter(status=HandoverStatus.PENDING)
    elif view == "overdue":
        qs = qs.filter(ack_overdue=True)
    elif view == "acknowledged":
        qs = qs.filter(status=HandoverStatus.ACKNOWLEDGED)
    q = (params.get("q") or "").strip()[:40]
    if q:
        cond = Q(author__name__icontains=q) | Q(author__employee_no__iexact=q)
        if q[:2].upper() == "JB" and q[2:].isdigit() and 0 < int(q[2:]) < 2**63:
            cond |= Q(pk=int(q[2:]))
        qs = qs.filter(cond)
    return qs.order_by("-day", "-written_at", "-id")


def handover_rows(qs: QuerySet[Handover]) -> QuerySet[Handover]:
    """What the list shows: author, team, the 接班人 (prefetched) and the ticket count."""
    return (
        qs.select_related("author", "team")
        .annotate(ticket_count=Count("tickets"))
        .prefetch_related(
            Prefetch("acks", queryset=HandoverAck.objects.select_related("employee").order_by("id"))
        )
    )


def handover_get_for_user(user: Any, pk: int) -> Handover:
    return handovers_for_user(user).select_related("author", "team").get(pk=pk)


def flags_for_user(user: Any) -> QuerySet[HandoverFlag]:
    """Handover flags of the people ``user`` may see (their own for an agent)."""
    if not user.has_perm(VIEW_HANDOVER):
        return HandoverFlag.objects.none()
    people = Employee.objects.filter(employee_scope_filter(user)).values("pk")
    return HandoverFlag.objects.filter(employee_id__in=people)


def filter_flags(qs: QuerySet[HandoverFlag], params: Any) -> QuerySet[HandoverFlag]:
    start, end = _parse_date(params.get("from")), _parse_date(params.get("to"))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    shift = (params.get("shift") or "")[:20]
    if shift:
        qs = qs.filter(shift_code=shift)
    team = query_id(params.get("team"))
    if team:
        qs = qs.filter(team_id=team)
    kind = query_choice(params, "kind", FlagKind.values)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("employee", "team", "waived_by").order_by("-day", "id")


def duty_teams_for_user(user: Any) -> QuerySet[Team]:
    """Teams offered in the filters: the viewer's team, department's teams or all."""
    scope = _team_scope(user)
    if scope is None:
        return Team.objects.none()
    if scope == Q():
        return Team.objects.order_by("name")
    me = employee_of(user)
    if scope_of(user) == Scope.DEPARTMENT and me is not None:
        return Team.objects.filter(
            department_id__in=department_descendant_ids(me.department_id)
        ).order_by("name")
    return Team.objects.filter(pk=me.team_id if me else None).order_by("name")


# --- presence -------------------------------------------------------------------------------
@dataclass
class BoardRow:
    """One row of the presence board — 在线状态看板."""

    employee: Employee
    team_name: str
    day: dt.date
    code: str
    start: dt.datetime
    end: dt.datetime
    on_duty: bool
    state: PresenceState | None
    month_strikes: int

    @property
    def status(self) -> str:
        return self.state.status if self.state else "offline"

    @property
    def alert(self) -> bool:
        """当班离线: on duty and offline/hidden."""
        return self.on_duty and self.status in UNREACHABLE


def presence_board(
    user: Any, *, team_id: int | None = None, now: dt.datetime | None = None
) -> list[BoardRow]:
    """Everyone rostered today (and yesterday's shifts still running) in the viewer's teams, with
    their current status: the on-duty ones first, 当班离线 at the top."""
    if not user.has_perm(VIEW_PRESENCE):
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    teams = duty_teams_for_user(user)
    if team_id:
        teams = teams.filter(pk=team_id)
    team_ids = list(teams.values_list("pk", flat=True))
    if not team_ids:
        return []
    windows = WindowCache()
    rows: list[BoardRow] = []
    cells = []
    for day in (today - dt.timedelta(days=1), today):
        qs = (
            rostered_on(day)
            .exclude(code__in=OFF_CODES)
            .filter(roster__team_id__in=team_ids)
            .select_related("employee", "roster__team")
        )
        for entry in qs:
            window = windows(entry.code, day)
            if window is None or (day != today and window[1] <= now):
                continue
            cells.append((entry, day, window))
    ids = {entry.employee_id for entry, _, _ in cells}
    states = {s.employee_id: s for s in PresenceState.objects.filter(employee_id__in=ids)}
    strikes = dict(
        PresenceViolation.objects.filter(
            employee_id__in=ids, day__gte=today.replace(day=1), status=ViolationStatus.COUNTED
        )
        .values("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    for entry, day, (start, end) in cells:
        rows.append(
            BoardRow(
                employee=entry.employee,
                team_name=entry.roster.team.name,
                day=day,
                code=entry.code,
                start=start,
                end=end,
                on_duty=start <= now < end,
                state=states.get(entry.employee_id),
                month_strikes=strikes.get(entry.employee_id, 0),
            )
        )
    rows.sort(key=lambda r: (not r.alert, not r.on_duty, r.start, r.employee.employee_no))
    return rows


def violations_for_user(user: Any) -> QuerySet[PresenceViolation]:
    """当班离线记录 of the people the viewer may see (agents: their own)."""
    if not (user.has_perm(VIEW_PRESENCE) or user.has_perm("duty.add_presenceevent")):
        return PresenceViolation.objects.none()
    people = Employee.objects.filter(employee_scope_filter(user)).values("pk")
    return PresenceViolation.objects.filter(employee_id__in=people).select_related(
        "employee", "team", "excused_by"
    )


@dataclass
class MyPresence:
    """The top-bar widget: my status and this month's counted offline periods."""

    status: str
    since: dt.datetime | None
    reason: str
    month_strikes: int
    strikes_limit: int
    grace_minutes: int


def my_presence(user: Any) -> MyPresence | None:
    me = employee_of(user)
    if me is None or not user.has_perm("duty.add_presenceevent"):
        return None
    from kefu.core.policy import workforce_policy

    today = timezone.localdate()
    state = PresenceState.objects.filter(employee=me).first()
    strikes = PresenceViolation.objects.filter(
        employee=me, day__gte=today.replace(day=1), status=ViolationStatus.COUNTED
    ).count()
    return MyPresence(
        status=state.status if state else "offline",
        since=state.since if state else None,
        reason=state.reason if state else "",
        month_strikes=strikes,
        strikes_limit=workforce_policy(today).offline_strikes_per_month,
        grace_minutes=duty_policy(today).presence.grace_minutes,
    )
