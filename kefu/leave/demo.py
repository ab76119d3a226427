"""Demo leave — 演示请假 for ``manage.py seed_demo`` (WFM-4).

For the 售前组 (the demo agent KF011's team): one request in approval, one approved (its days
become 请假 cells of this month's published roster, or fixed days of next month), one rejected,
one withdrawn. Made through the services by the people who would act; a day that breaks a rule
(night shift, holiday, rest …) is skipped for the next one. Tolerates a missing roster (leave in
a month not yet published is allowed). Idempotent: nothing is written when the team already has
leave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.org.approval_flow import approval_current
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee, Team

from . import services
from .models import LeaveRequest

TEAM = "售前组"
PLANS = (
    # (member index, leave type, length in days, what happens, reason)
    (1, "personal", 1, "pending", "孩子开家长会"),
    (2, "annual", 2, "approved", "回老家探亲"),
    (3, "personal", 1, "rejected", "私事"),
    (4, "sick", 1, "withdrawn", "体检"),
)


def _decide(leave: LeaveRequest, *, approve: bool) -> None:
    while True:
        step = approval_current(leave)
        if step is None:
            return
        leave = services.leave_decide(
            actor=step.approver.user,
            leave=leave,
            approve=approve,
            comment="" if approve else "本周人手紧张，请改期",
        )
        if not approve:
            return


def _try(
    person: Employee, kind: str, length: int, reason: str, start: dt.date
) -> LeaveRequest | None:
    """The first start day from ``start`` on (two weeks at most) that every rule accepts."""
    for offset in range(14):
        first = start + dt.timedelta(days=offset)
        try:
            return services.leave_create(
                actor=person.user,
                leave_type=kind,
                start_day=first,
                end_day=first + dt.timedelta(days=length - 1),
                reason=reason,
            )
        except DomainError:
            continue
    return None


def seed_demo_leave(actor: Any) -> None:
    team = Team.objects.filter(name=TEAM).first()
    if team is None or LeaveRequest.objects.filter(team=team).exists():
        return
    members = list(
        Employee.objects.filter(team=team, status=EmployeeStatus.ACTIVE)
        .exclude(pk=team.leader_id)
        .select_related("user")
        .order_by("employee_no")
    )
    start = timezone.localdate() + dt.timedelta(days=3)
    for index, kind, length, outcome, reason in PLANS:
        if index >= len(members):
            continue
        leave = _try(members[index], kind, length, reason, start + dt.timedelta(days=index * 3))
        if leave is None:
            continue
        try:
            if outcome == "approved":
                _decide(leave, approve=True)
            elif outcome == "rejected":
                _decide(leave, approve=False)
            elif outcome == "withdrawn":
                services.leave_withdraw(actor=members[index].user, leave=leave, reason="改期")
        except DomainError:
            continue
