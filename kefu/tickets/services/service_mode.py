"""Service ladder — 服务方式升级 (TKT-8, [000] 服务方式): 热线服务 → 远程服务 → 上门服务.

The ladder itself (which rung may follow which) is ``choices.service_mode_change_error``; who may
climb it is the statemachine's capacities: the request's 处理人, or a 组长 and above whose data
scope holds it — the people who decide that the hotline cannot clear the fault.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.errors import DomainError, PermissionDeniedError

from ..choices import (
    OPEN_STATUSES,
    ServiceMode,
    Status,
    higher_service_modes,
    service_mode_change_error,
)
from ..guards import guard_refusal
from ..models import Ticket
from ..statemachine import MIN_TEXT, Action, Who, available_actions, capacities
from .actions import lock_for_change
from .common import CHANGE, facts_for, state_of

REASON_MAX = 500
# Who may escalate: the holder, or a lead over the request's scope.
ESCALATORS: frozenset[Who] = frozenset({Who.OWNER, Who.LEAD})
ACTION_LABEL = "升级服务方式"


def _may_escalate(actor: Any, ticket: Ticket, employee: Any = None) -> bool:
    held = capacities(state_of(ticket), facts_for(actor, ticket, employee))
    return bool(held & ESCALATORS)


def service_mode_options(actor: Any, ticket: Ticket) -> list[str]:
    """The rungs ``actor`` may move ``ticket`` to now (empty: no 升级服务方式 button)."""
    if ticket.status not in OPEN_STATUSES:
        return []
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(CHANGE)):
        return []
    try:
        if not _may_escalate(actor, ticket):
            return []
    except DomainError:  # no employee record: may not act on tickets at all
        return []
    return higher_service_modes(ticket.service_mode)


def actions_and_service_modes(actor: Any, ticket: Ticket) -> tuple[list[Action], list[str]]:
    """``(actions_for(actor, ticket), service_mode_options(actor, ticket))`` from one reading of
    the actor's permission, facts and the ticket's state — the API's answer shows both."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(CHANGE)):
        return [], []
    try:
        facts = facts_for(actor, ticket)
    except DomainError:  # no employee record: may not act on tickets at all
        return [], []
    state = state_of(ticket)
    actions = [a for a in available_actions(state, facts) if guard_refusal(ticket, a) is None]
    if ticket.status in OPEN_STATUSES and capacities(state, facts) & ESCALATORS:
        return actions, higher_service_modes(ticket.service_mode)
    return actions, []


@transaction.atomic
def ticket_escalate_service_mode(*, actor: Any, ticket: Ticket, mode: str, reason: str) -> Ticket:
    """Move a request up the service ladder — 升级服务方式 (TKT-8). One audit event.

    Only upwards (a rung may be skipped, never gone back to), only on an open request, only by
    its 处理人 or a lead over it, and always with the reason (why the rung below did not clear the
    problem: it is what the technician sent out reads first).
    """
    ticket, employee = lock_for_change(actor, ticket)
    if not _may_escalate(actor, ticket, employee):
        raise PermissionDeniedError(
            f"只有处理人或组长及以上管理人员可以{ACTION_LABEL}", code="ticket_action_forbidden"
        )
    if ticket.status not in OPEN_STATUSES:
        raise DomainError(
            "ticket_illegal_transition",
            f"{Status(ticket.status).label}的工单不能{ACTION_LABEL}",
            status=409,
        )
    mode = mode.value if isinstance(mode, ServiceMode) else str(mode or "")
    problem = service_mode_change_error(ticket.service_mode, mode)
    if problem and mode in ServiceMode.values:
        # Already there, or back down the ladder: a conflict with where the request stands.
        raise DomainError(
            "ticket_service_mode_not_higher", problem, fields={"mode": problem}, status=409
        )
    errors: dict[str, str] = {"mode": problem} if problem else {}
    reason = (reason or "").strip()
    if len(reason) < MIN_TEXT:
        errors["reason"] = "请填写升级原因（为什么当前的服务方式解决不了）"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"升级原因最多{REASON_MAX}个字"
    if errors:
        code = "ticket_service_mode_invalid" if "mode" in errors else "ticket_reason_required"
        raise DomainError(code, next(iter(errors.values())), fields=errors)
    before = ticket.service_mode
    ticket.service_mode = mode
    ticket.save(update_fields=["service_mode", "updated_at"])
    audit.record(
        actor=actor,
        action="ticket.service_mode",
        obj=ticket,
        before={"service_mode": before},
        after={"service_mode": mode},
        reason=reason,
    )
    return ticket


__all__ = [
    "actions_and_service_modes",
    "service_mode_options",
    "ticket_escalate_service_mode",
]
