"""Working a request — 工单处理 (TKT-3, TKT-6, TKT-7): every status change goes through here.

``ticket_act`` loads the ticket under a row lock, asks ``statemachine.apply`` whether the actor
may do this, writes the resulting state, the message the action carries, the SLA pause, and one
audit event. The rule engine decides; this module only stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError
from kefu.org.choices import Role
from kefu.org.models import Department, Employee

from ..choices import FaultReportField
from ..guards import guard_refusal
from ..hooks import run_after_action
from ..models import FaultReport, Ticket, TicketMessage
from ..policy import tickets_policy
from ..statemachine import Action, ClockEffect, apply, available_actions
from .clock import notify, pause_close, pause_open, recipients_for, refresh_due
from .common import CHANGE, VIEW, acting_employee, facts_for, require_perm, state_of

REPLY_MAX = 5000


def lock_for_change(actor: Any, ticket: Ticket) -> tuple[Ticket, Employee]:
    """The ticket re-read under a row lock, after checking the actor may change tickets at all."""
    require_perm(actor, CHANGE)
    employee = acting_employee(actor)
    locked = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket.pk).first()
    if locked is None:
        raise DomainError("ticket_not_found", "工单不存在", status=404)
    return locked, employee


def actions_for(actor: Any, ticket: Ticket) -> list[Action]:
    """The actions ``actor`` may take on ``ticket`` now (the buttons its page shows)."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(CHANGE)):
        return []
    try:
        facts = facts_for(actor, ticket)
    except DomainError:
        return []
    return [
        action
        for action in available_actions(state_of(ticket), facts)
        if guard_refusal(ticket, action) is None
    ]


_MESSAGE_OF: dict[str, str] = {
    # action → the kind of record its text becomes (TKT-6: what the customer was told, or not)
    Action.REPLY: TicketMessage.Kind.REPLY,
    Action.WAIT_CUSTOMER: TicketMessage.Kind.REPLY,
    Action.RESOLVE: TicketMessage.Kind.REPLY,
    Action.CUSTOMER_REPLIED: TicketMessage.Kind.CUSTOMER,
    Action.FOLLOW_UP: TicketMessage.Kind.NOTE,
    Action.FLAG_MAJOR_FAULT: TicketMessage.Kind.NOTE,
}


def _target_employee(target: Employee | int | None) -> Employee | None:
    if target is None:
        return None
    pk = target.pk if isinstance(target, Employee) else target
    found = Employee.objects.filter(pk=pk).select_related("department", "team").first()
    if found is None or not found.is_active:
        message = "转交对象不存在或已离职"
        raise DomainError("ticket_target_invalid", message, fields={"target": message})
    return found


def _target_department(target: Department | int | None) -> Department | None:
    if target is None:
        return None
    pk = target.pk if isinstance(target, Department) else target
    found = Department.objects.filter(pk=pk).first()
    if found is None:
        message = "转交部门不存在"
        raise DomainError("ticket_target_invalid", message, fields={"target": message})
    return found


@transaction.atomic
def ticket_act(
    *,
    actor: Any,
    ticket: Ticket,
    action: str,
    reason: str = "",
    note: str = "",
    target: Employee | int | None = None,
    target_department: Department | int | None = None,
    satisfied: bool | None = None,
    fault_report: Mapping[str, str] | None = None,
    via: str = "",
) -> Ticket:
    """Take one action on a request — 工单操作 (受理, 回复, 转交, 解决, 结案, 重新打开 …).

    The rules are ``statemachine.apply``; a refusal is its DomainError, and nothing is stored.
    A reply needs its text; the text of 回复/解决/转为待客户 is recorded as what the customer was
    told (``via`` 电话/书面/在线), that of 回访 and 重大故障 as an internal note.
    """
    try:
        action = Action(action)
    except ValueError:
        raise DomainError("ticket_unknown_action", f"未知的工单操作：{action}") from None
    ticket, employee = lock_for_change(actor, ticket)
    refusal = guard_refusal(ticket, action)
    if refusal is not None:
        raise refusal
    note = (note or "").strip()
    if action == Action.REPLY and not note:
        raise DomainError(
            "ticket_note_required", "请填写回复内容", fields={"note": "请填写回复内容"}
        )
    if len(note) > REPLY_MAX:
        message = f"内容最多{REPLY_MAX}个字"
        raise DomainError("ticket_note_too_long", message, fields={"note": message})
    if via and via not in TicketMessage.Via.values:
        raise DomainError(
            "ticket_invalid", "回复方式不在可选范围内", fields={"via": "回复方式有误"}
        )
    person = _target_employee(target)
    department = _target_department(target_department)
    report = {k: str(v or "").strip() for k, v in (fault_report or {}).items()}
    state = state_of(ticket)
    transition = apply(
        state,
        action,
        facts_for(
            actor,
            ticket,
            employee,
            target_id=person.pk if person else None,
            target_department_id=department.pk if department else None,
            reason=reason,
            note=note,
            satisfied=satisfied,
            fault_report=report,
        ),
    )
    now = timezone.now()
    after = transition.after
    extra_before: dict[str, Any] = {}
    extra_after: dict[str, Any] = {}

    ticket.status = after.status
    if after.owner_id != state.owner_id:
        new_owner = Employee.objects.select_related("department").get(pk=after.owner_id)
        ticket.owner = new_owner
        # The ticket lives where its holder works (data scope, team queue).
        if ticket.department_id != new_owner.department_id:
            extra_before["department_id"] = ticket.department_id
            extra_after["department_id"] = new_owner.department_id
        if ticket.team_id != new_owner.team_id:
            extra_before["team_id"] = ticket.team_id
            extra_after["team_id"] = new_owner.team_id
        ticket.department_id = new_owner.department_id
        ticket.team_id = new_owner.team_id
    ticket.first_responsible_id = after.first_responsible_id
    ticket.pending_owner_id = after.pending_owner_id
    ticket.pending_department_id = after.pending_department_id
    ticket.responded = after.responded
    ticket.followed_up = after.followed_up
    ticket.major_fault = after.major_fault
    ticket.fault_report_complete = after.fault_report_complete
    ticket.first_contact_eligible = after.first_contact_eligible
    if transition.first_response:
        ticket.first_responded_at = now
        extra_after["first_responded_at"] = now
    if transition.first_contact_resolution:
        ticket.first_contact_resolution = True
        extra_after["first_contact_resolution"] = True
    if action == Action.RESOLVE:
        ticket.resolved_at = now
    elif action == Action.CLOSE:
        ticket.closed_at = now
    elif action == Action.REOPEN:
        ticket.resolved_at = ticket.closed_at = None
        ticket.first_contact_resolution = False
    elif action == Action.FOLLOW_UP:
        extra_before["satisfied"] = ticket.satisfied
        ticket.satisfied = satisfied
        extra_after["satisfied"] = satisfied
    elif action == Action.SUBMIT_FAULT_REPORT:
        FaultReport.objects.update_or_create(
            ticket=ticket,
            defaults={
                **{f.value: report.get(f.value, "") for f in FaultReportField},
                "submitted_by": actor,
            },
        )
        extra_after["fault_report"] = {f.value: report.get(f.value, "") for f in FaultReportField}

    if transition.clock == ClockEffect.PAUSE:
        pause_open(ticket, at=now, reason=after.status)
    elif transition.clock == ClockEffect.RESUME:
        pause_close(ticket, at=now)
    if transition.clock is not None:
        # Deadlines move by the pause; a paused clock has nothing to check until it resumes.
        refresh_due(ticket, now=now)
    ticket.save()

    kind = _MESSAGE_OF.get(action)
    if kind and note:
        TicketMessage.objects.create(
            ticket=ticket,
            kind=kind,
            via=via if kind == TicketMessage.Kind.REPLY else "",
            body=note,
            author=actor,
        )
    if transition.notify_major_fault:
        _notify_major_fault(ticket, note=note)

    before = {**transition.audit_before(), **extra_before}
    after_json = {**transition.audit_after(), **extra_after}
    if person:
        after_json["target"] = person.name
    if department:
        after_json["target_department"] = department.name
    if note:
        after_json["note"] = note
    if via:
        after_json["via"] = via
    audit.record(
        actor=actor,
        action=transition.audit_action,
        obj=ticket,
        before=before,
        after=after_json,
        reason=(reason or "").strip(),
    )
    run_after_action(ticket, action, actor)
    return ticket


def _notify_major_fault(ticket: Ticket, *, note: str) -> None:
    """TKT-7: tell the roles the policy names, and the department head, at once."""
    policy = tickets_policy(ticket.received_at.astimezone(SHANGHAI).date())
    roles = set(policy.major_fault.notify_roles)
    labels = [Role(r).label for r in roles if r in Role.values]
    people = list(
        Employee.objects.filter(status="active", user__groups__name__in=labels)
        .select_related("user")
        .distinct()
    )
    if policy.major_fault.notify_responsible_department:
        people += recipients_for(ticket, "department_head")
    notify(
        people,
        title=f"重大故障：工单 {ticket.number}",
        body=f"{ticket.title}。{note}",
        link=f"/tickets/{ticket.pk}/",
    )


@transaction.atomic
def ticket_add_note(*, actor: Any, ticket: Ticket, body: str) -> TicketMessage:
    """Write an internal note — 内部备注: for colleagues, never shown to the customer.

    Anyone who may see the ticket and change tickets may note on it (a colleague's hint is
    welcome); it does not count as a response to the customer.
    """
    from ..selectors import tickets_for_user

    require_perm(actor, CHANGE)
    require_perm(actor, VIEW)
    acting_employee(actor)
    if not tickets_for_user(actor).filter(pk=ticket.pk).exists():
        raise DomainError("ticket_not_found", "工单不存在", status=404)
    body = (body or "").strip()
    if not body:
        raise DomainError(
            "ticket_note_required", "请填写备注内容", fields={"body": "请填写备注内容"}
        )
    if len(body) > REPLY_MAX:
        message = f"内容最多{REPLY_MAX}个字"
        raise DomainError("ticket_note_too_long", message, fields={"body": message})
    message = TicketMessage.objects.create(
        ticket=ticket, kind=TicketMessage.Kind.NOTE, body=body, author=actor
    )
    audit.record(actor=actor, action="ticket.note", obj=ticket, after={"note": body})
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return message


__all__ = ["actions_for", "lock_for_change", "ticket_act", "ticket_add_note"]
