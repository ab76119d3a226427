"""SLA bookkeeping — 时限计算与升级 (TKT-4, CMP-6): store deadlines, find breaches, escalate.

The arithmetic is ``kefu.tickets.sla`` (pure); this module feeds it a stored ticket and its
pauses, stores what it answers, and runs the periodic scan the task worker calls.

``next_sla_check_at`` is the only thing the scan looks at: the earliest instant something can
happen to the ticket's clock (the first-response deadline not yet met, or the next warning or
escalation step). It is None while the clock stands still (待客户, 已解决, 已关闭), so the scan's
indexed query reads only tickets that are due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.models import Notification
from kefu.core.policy.schemas import SlaPolicy
from kefu.org.choices import Level
from kefu.org.models import Employee

from ..choices import CLOCK_PAUSED_STATUSES, SlaStage
from ..models import Ticket, TicketPause
from ..policy import OWNER
from ..sla import (
    Pause,
    SlaDue,
    SlaPlan,
    SlaSubject,
    clock_at,
    compute_due_on_calendar,
    escalation_step,
)


def subject_of(ticket: Ticket) -> SlaSubject:
    return SlaSubject(
        received_at=ticket.received_at,
        channel=ticket.channel,
        kind=ticket.kind,
        priority=ticket.priority,
        subkind=ticket.subkind,
        customer_grade=ticket.customer_grade,
    )


def pauses_of(ticket: Ticket) -> list[Pause]:
    return [Pause(start=p.start, end=p.end) for p in ticket.pauses.order_by("start")]


def plan_and_due(
    ticket: Ticket,
    *,
    now: dt.datetime,
    pauses: list[Pause] | None = None,
    sla: SlaPolicy | None = None,
) -> tuple[SlaPlan, SlaDue]:
    """The ticket's plan and deadlines as of ``now`` (an open pause projected to end now).

    ``sla``: the sla policy in force on the day of receipt, if the caller already holds it.
    """
    if pauses is None:
        pauses = [] if ticket.pk is None else pauses_of(ticket)
    return compute_due_on_calendar(subject_of(ticket), pauses, as_of=now, sla=sla)


def refresh_due(
    ticket: Ticket,
    *,
    now: dt.datetime,
    pauses: list[Pause] | None = None,
    sla: SlaPolicy | None = None,
) -> None:
    """Recompute and set (not save) the ticket's deadlines and its next check instant."""
    _plan, due = plan_and_due(ticket, now=now, pauses=pauses, sla=sla)
    ticket.first_response_due = due.first_response_due
    ticket.resolution_due = due.resolution_due
    ticket.next_sla_check_at = _next_check(ticket, due)


def _next_check(ticket: Ticket, due: SlaDue) -> dt.datetime | None:
    if ticket.status in CLOCK_PAUSED_STATUSES:
        return None
    candidates = []
    if not ticket.responded and not ticket.first_response_breached:
        candidates.append(due.first_response_due)
    if ticket.sla_level < len(due.milestones):
        candidates.append(due.milestones[ticket.sla_level][0])
    # A step is reached just *after* its instant (sla.py semantics): look a microsecond later.
    return min(candidates) + dt.timedelta(microseconds=1) if candidates else None


# --- escalation -----------------------------------------------------------------------------
def recipients_for(ticket: Ticket, notify: str) -> list[Employee]:
    """Who a warning or rung goes to: the owner, or the people of a 职级 above the ticket.

    组长 = the ticket team's leader; 主管 = supervisors of the ticket's department; 部门经理 = its
    head; 副总/总经理 = the people holding that rank. Nobody found → the next rank up answers, so
    an escalation is never lost because a post is vacant.
    """
    if notify == OWNER:
        return [ticket.owner] if ticket.owner_id else recipients_for(ticket, Level.TEAM_LEAD)
    levels = list(Level)
    start = levels.index(Level(notify))
    for level in levels[start:]:
        found: list[Employee] = []
        if level == Level.TEAM_LEAD and ticket.team_id and ticket.team.leader_id:
            found = [ticket.team.leader]
        elif level == Level.DEPARTMENT_HEAD and ticket.department.head_id:
            found = [ticket.department.head]
        elif level in (Level.SUPERVISOR, Level.DEPUTY_GM, Level.GM):
            qs = Employee.objects.filter(position__level=level, status="active")
            if level == Level.SUPERVISOR:
                qs = qs.filter(department_id=ticket.department_id)
            found = list(qs.select_related("user"))
        found = [e for e in found if e.is_active]
        if found:
            return found
    return []


def notify(employees: list[Employee], *, title: str, body: str, link: str) -> int:
    """In-app notifications — 站内消息, one per distinct person."""
    seen: set[int] = set()
    rows = []
    for employee in employees:
        if employee.user_id in seen:
            continue
        seen.add(employee.user_id)
        rows.append(Notification(recipient_id=employee.user_id, title=title, body=body, link=link))
    Notification.objects.bulk_create(rows)
    return len(rows)


@dataclass
class ScanResult:
    """What one SLA scan did — 时限扫描结果."""

    checked: int = 0
    first_response_breaches: int = 0
    steps: int = 0
    notifications: int = 0


def _link(ticket: Ticket) -> str:
    return f"/tickets/{ticket.pk}/"


@transaction.atomic
def ticket_sla_check(*, ticket_id: int, now: dt.datetime) -> ScanResult:
    """Check one ticket's clock and send what it has reached — 单张工单时限检查 (TKT-4, CMP-6).

    Warnings before the deadline go to the owner; after it, the ladder from policy (owner → 组长
    → 主管 → 部门经理). Steps already notified (``sla_level``) are not repeated; steps missed
    while the worker was down are all sent now. Each change is one audit event by the system.
    """
    result = ScanResult(checked=1)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("owner", "team__leader", "department__head")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.next_sla_check_at is None or ticket.next_sla_check_at > now:
        return result  # someone acted on it since the scan read it
    pauses = pauses_of(ticket)
    plan, due = plan_and_due(ticket, now=now, pauses=pauses)
    before = {
        "sla_level": ticket.sla_level,
        "first_response_breached": ticket.first_response_breached,
        "resolution_breached": ticket.resolution_breached,
    }
    if not ticket.responded and not ticket.first_response_breached and now > due.first_response_due:
        ticket.first_response_breached = True
        result.first_response_breaches += 1
        result.notifications += notify(
            recipients_for(ticket, OWNER),
            title=f"工单 {ticket.number} 首次响应已超时",
            body=f"{ticket.title}：首次响应期限 {_local(due.first_response_due)}，请立即回复客户。",
            link=_link(ticket),
        )
    reading = clock_at(plan.start, plan.resolution, [Pause(p.start, p.end) for p in pauses], now)
    step = escalation_step(reading, plan.resolution)
    new_steps = [i for i in step.reached if i >= ticket.sla_level]
    for index in new_steps:
        milestone = plan.resolution.milestones[index]
        overdue = milestone.stage == SlaStage.OVERDUE
        title = (
            f"工单 {ticket.number} 已超时：{milestone.label}"
            if overdue
            else f"工单 {ticket.number} 即将超时：{milestone.label}"
        )
        result.notifications += notify(
            recipients_for(ticket, milestone.notify),
            title=title,
            body=f"{ticket.title}：{plan.resolution.title} {_local(due.resolution_due)}。",
            link=_link(ticket),
        )
        result.steps += 1
    if new_steps:
        ticket.sla_level = new_steps[-1] + 1
    if step.stage == SlaStage.OVERDUE:
        ticket.resolution_breached = True
    ticket.first_response_due = due.first_response_due
    ticket.resolution_due = due.resolution_due
    ticket.next_sla_check_at = _next_check(ticket, due)
    after = {
        "sla_level": ticket.sla_level,
        "first_response_breached": ticket.first_response_breached,
        "resolution_breached": ticket.resolution_breached,
    }
    ticket.save(
        update_fields=[
            "sla_level",
            "first_response_breached",
            "resolution_breached",
            "first_response_due",
            "resolution_due",
            "next_sla_check_at",
            "updated_at",
        ]
    )
    if after != before:
        changed_before = {k: v for k, v in before.items() if after[k] != v}
        changed_after = {k: v for k, v in after.items() if before[k] != v}
        audit.record(
            actor=None,
            action="ticket.sla_escalate",
            obj=ticket,
            before=changed_before,
            after=changed_after,
        )
    return result


def tickets_sla_scan(*, now: dt.datetime | None = None, limit: int = 2000) -> ScanResult:
    """The periodic scan — 时限扫描: every ticket whose next check is due, oldest first."""
    now = now or timezone.now()
    total = ScanResult()
    ids = list(
        Ticket.objects.filter(next_sla_check_at__lte=now)
        .order_by("next_sla_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for ticket_id in ids:
        one = ticket_sla_check(ticket_id=ticket_id, now=now)
        total.checked += one.checked
        total.first_response_breaches += one.first_response_breaches
        total.steps += one.steps
        total.notifications += one.notifications
    return total


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def pause_open(ticket: Ticket, *, at: dt.datetime, reason: str) -> None:
    TicketPause.objects.create(ticket=ticket, start=at, reason=reason)
    ticket.paused_since = at


def pause_close(ticket: Ticket, *, at: dt.datetime) -> None:
    TicketPause.objects.filter(ticket=ticket, end__isnull=True).update(end=at)
    ticket.paused_since = None


# The stored fields ``sla_summary_of`` reads (list rows read them with ``.values()``).
SLA_SUMMARY_FIELDS = (
    "status",
    "paused_since",
    "resolution_due",
    "first_response_due",
    "responded",
    "sla_level",
)


def sla_summary(ticket: Ticket, *, now: dt.datetime) -> dict[str, Any]:
    """For pages: the stage and the time left or overdue against the deadline that matters now."""
    return sla_summary_of(**{k: getattr(ticket, k) for k in SLA_SUMMARY_FIELDS}, now=now)


def sla_summary_of_row(row: Mapping[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """``sla_summary`` of a ``.values()`` row holding ``SLA_SUMMARY_FIELDS``."""
    return sla_summary_of(**{k: row[k] for k in SLA_SUMMARY_FIELDS}, now=now)


def sla_summary_of(
    *,
    status: str,
    paused_since: dt.datetime | None,
    resolution_due: dt.datetime | None,
    first_response_due: dt.datetime | None,
    responded: bool,
    sla_level: int,
    now: dt.datetime,
) -> dict[str, Any]:
    """``sla_summary`` from the stored fields alone (rows read with ``.values()``)."""
    if status in ("resolved", "closed"):
        return {"stage": "done", "label": "已解决", "seconds": None, "due": resolution_due}
    if paused_since is not None:
        return {"stage": "paused", "label": "暂停计时", "seconds": None, "due": None}
    due = resolution_due
    if not responded and first_response_due and first_response_due < (due or first_response_due):
        due = first_response_due
    if due is None:
        return {"stage": "none", "label": "", "seconds": None, "due": None}
    seconds = int((due - now).total_seconds())
    if seconds < 0:
        return {"stage": "overdue", "label": "已超时", "seconds": seconds, "due": due}
    stage = "warning" if sla_level > 0 else "on_time"
    return {"stage": stage, "label": SLA_LABELS[stage], "seconds": seconds, "due": due}


SLA_LABELS = {stage.value: stage.label for stage in SlaStage}
