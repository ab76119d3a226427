"""Shared pieces of the meetings services: permissions, the acting employee, who runs a meeting,
who attends it, and who is on leave or resting that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from kefu.core.errors import PermissionDeniedError
from kefu.org.choices import EmployeeStatus, Scope
from kefu.org.models import Department, Employee
from kefu.org.roles import scope_of
from kefu.org.selectors import department_descendant_ids, employee_of
from kefu.workforce.selectors import published_schedule

from ..models import Meeting

VIEW_MEETING = "meetings.view_meeting"
ADD_MEETING = "meetings.add_meeting"
CHANGE_MEETING = "meetings.change_meeting"
TAKE_ATTENDANCE = "meetings.take_attendance"
ASK_LEAVE = "meetings.ask_meeting_leave"
VIEW_MENTORSHIP = "meetings.view_mentorship"
ADD_MENTORSHIP = "meetings.add_mentorship"
CHANGE_MENTORSHIP = "meetings.change_mentorship"
ADD_TRAINING = "meetings.add_trainingrecord"
VIEW_TRAINING = "meetings.view_trainingrecord"
ADD_EXAM = "meetings.add_examrecord"
AWARD = "meetings.award_mentor_rewards"


def require(actor: Any, perm: str) -> None:
    if not (
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)
    ):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDeniedError("只有在职员工可以办理例会与带教", code="meetings_not_employee")
    return employee


def department_ancestor_ids(department_id: int) -> list[int]:
    """``department_id`` and every department above it (a company meeting includes everyone)."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    found: list[int] = []
    current: int | None = department_id
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def can_run(actor: Any, meeting: Meeting, *, host_counts: bool = True) -> bool:
    """May ``actor`` take attendance, write minutes and change ``meeting``? Its host, or a holder of
    登记例会出勤 whose data scope covers the meeting (组长: the team's; 主管/经理: the
    department's; 全部: every one). Setting a meeting up needs the scope (``host_counts=False``):
    naming oneself host does not open another team's meeting."""
    if not (actor and actor.is_authenticated and actor.has_perm(TAKE_ATTENDANCE)):
        return False
    scope = scope_of(actor)
    if scope == Scope.ALL:
        return True
    me = employee_of(actor)
    if me is None:
        return False
    if host_counts and meeting.host_id == me.pk:
        return True
    if scope == Scope.DEPARTMENT:
        return meeting.department_id in department_descendant_ids(me.department_id)
    return scope == Scope.TEAM and meeting.team_id is not None and meeting.team_id == me.team_id


def require_run(actor: Any, meeting: Meeting) -> None:
    if not can_run(actor, meeting):
        raise PermissionDeniedError("您不是该例会的主持人或负责人", code="meeting_not_runner")


def participants(meeting: Meeting) -> QuerySet[Employee]:
    """Who attends: the active members of the meeting's team, else of its department and the
    departments below it."""
    qs = Employee.objects.filter(status=EmployeeStatus.ACTIVE)
    if meeting.team_id:
        qs = qs.filter(team_id=meeting.team_id)
    else:
        qs = qs.filter(department_id__in=department_descendant_ids(meeting.department_id))
    return qs.order_by("employee_no")


def day_codes(employee_ids: Iterable[int], day: dt.date) -> dict[int, str]:
    """Published roster code of each person on ``day`` (leave, rest or a shift)."""
    return {e: code for (e, _), code in published_schedule(employee_ids, day, day).items()}


def asked_leave_ids(employee_ids: Iterable[int], day: dt.date, deadline: dt.datetime) -> set[int]:
    """People whose leave request in the leave module (请假, pending or approved) covers ``day``
    and was asked by ``deadline`` (MTG-3: 会议开始前一小时). Empty when the leave module offers
    no selector."""
    ids = list(employee_ids)
    try:
        from kefu.leave.selectors import held_leave_days, overlapping
    except ImportError:  # pragma: no cover - the leave module is part of the product
        return set()
    holding = {e for e, _ in held_leave_days(ids, day, day)}
    return {e for e in holding if any(r.created_at <= deadline for r in overlapping(e, day, day))}
