"""Demo swaps — 演示换班 for ``manage.py seed_demo`` (WFM-3).

On this month's published rosters of the 客服部 teams (the demo agent KF011's 售前组 first): one
swap approved with its payback (the roster re-issued), one waiting for approval (待审批), one
waiting for the colleague (待同事确认), one declined. Candidates are checked against every rule
and only those that pass are used, so the seed follows whatever roster the solver produced; when
this month has no published roster or few days left (the rest gap between shifts refuses most
exchanges), fewer or no swaps are made. Idempotent: nothing is written when swaps exist.
"""

from __future__ import annotations

import datetime as dt
from itertools import permutations
from typing import Any

from django.utils import timezone

from kefu.core.calendar import calendar_for_range
from kefu.core.errors import DomainError
from kefu.org.approval_flow import approval_current
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee, Team
from kefu.workforce.models import EmployeeSkill
from kefu.workforce.rostering.problem import OFF_CODES
from kefu.workforce.selectors import month_days, published_schedule
from kefu.workforce.shifts import shift_specs

from . import services
from .models import ShiftSwap
from .rules import SwapContext, SwapRequest, check_swap
from .selectors import swap_marks

TEAM = "售前组"
OUTCOMES = ("approved", "pending", "colleague", "declined")


def _candidates(members: list[Employee], start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(applicant, colleague, day, payback day) where the applicant gives a shift the colleague
    does not work and the colleague later works a day the applicant rests."""
    sched = published_schedule([m.pk for m in members], start, end)
    days = sorted({d for _, d in sched})
    out = []
    for a, b in permutations(members, 2):
        for day in days:
            ca, cb = sched.get((a.pk, day)), sched.get((b.pk, day))
            if ca is None or cb is None or ca in OFF_CODES or ca == cb:
                continue
            for payback in days:
                if payback <= day + dt.timedelta(days=1):
                    continue
                pa, pb = sched.get((a.pk, payback)), sched.get((b.pk, payback))
                if pa is not None and pb is not None and pb not in OFF_CODES and pa != pb:
                    out.append((a, b, day, payback))
    return out


def _approve_all(swap: ShiftSwap) -> None:
    while (step := approval_current(swap)) is not None:
        swap = services.swap_decide(
            actor=step.approver.user, swap=swap, approve=True, comment="同意"
        )


def _teams() -> list[Team]:
    """客服部 teams, the demo agent's 售前组 first."""
    teams = list(Team.objects.filter(department__code="CS").order_by("name"))
    return sorted(teams, key=lambda t: t.name != TEAM)


def _team_context(members: list[Employee], start: dt.date, end: dt.date) -> SwapContext:
    """One rule context for a whole team (the pure rules then check each candidate quickly)."""
    from kefu.leave.selectors import held_leave_days

    ids = [m.pk for m in members]
    limits = services.swap_limits(start)
    first, last = start - dt.timedelta(days=10), end + dt.timedelta(days=10)
    skills: dict[int, set[str]] = {}
    for emp, skill in EmployeeSkill.objects.filter(employee_id__in=ids).values_list(
        "employee_id", "skill"
    ):
        skills.setdefault(emp, set()).add(skill)
    return SwapContext(
        schedule=published_schedule(ids, first, last),
        shifts=shift_specs(start),
        limits=limits,
        holidays=calendar_for_range(first, last).holidays,
        leave_days=frozenset(held_leave_days(ids, first, last)),
        marks=swap_marks(ids, first, last),
        skills={k: frozenset(v) for k, v in skills.items()},
    )


def seed_demo_swaps(actor: Any) -> None:
    if ShiftSwap.objects.exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    start = today + dt.timedelta(days=2)
    end = month_days(today)[-1]
    if start > end:
        return
    wanted = list(OUTCOMES)
    for team in _teams():
        members = list(
            Employee.objects.filter(team=team, status=EmployeeStatus.ACTIVE)
            .select_related("user")
            .order_by("employee_no")
        )
        ctx = _team_context(members, start, end)
        for a, b, day, payback in _candidates(members, start, end):
            if not wanted:
                return
            req = SwapRequest(a.pk, b.pk, day, now, payback_day=payback, payback_due=payback)
            if check_swap(req, ctx):
                continue
            try:
                _make(a, b, day, payback, wanted[0])
            except DomainError:
                continue
            wanted.pop(0)
            ctx = _team_context(members, start, end)


def _make(a: Employee, b: Employee, day: dt.date, payback: dt.date, outcome: str) -> None:
    swap = services.swap_create(
        actor=a.user, colleague=b, day=day, payback_day=payback, reason="家中有事，与同事换班"
    )
    if outcome == "declined":
        services.swap_decline(actor=b.user, swap=swap, reason="那天已有安排")
    elif outcome in ("pending", "approved"):
        swap = services.swap_accept(actor=b.user, swap=swap)
        if outcome == "approved":
            _approve_all(swap)
