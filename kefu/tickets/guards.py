"""Action guards — 工单操作的外部约束: rules other modules add to a ticket's actions.

The tickets app does not know the complaint procedure, yet a complaint's ticket must not be
resolved or closed around it (CMP-3..6: the customer is answered at the procedure's end). A
module registers a guard in its ``AppConfig.ready()``; ``ticket_act`` asks every guard before
acting, and ``actions_for`` hides the buttons a guard refuses.

A guard takes the ticket (already locked when called from ``ticket_act``) and the action, and
returns a ``DomainError`` to refuse it, or None.
"""

from __future__ import annotations

from collections.abc import Callable

from kefu.core.errors import DomainError

from .models import Ticket

ActionGuard = Callable[[Ticket, str], DomainError | None]

_GUARDS: dict[str, ActionGuard] = {}


def register_action_guard(key: str, guard: ActionGuard) -> None:
    """Add (or replace, by ``key``) a guard on ticket actions."""
    _GUARDS[key] = guard


def unregister_action_guard(key: str) -> None:
    _GUARDS.pop(key, None)


def guard_refusal(ticket: Ticket, action: str) -> DomainError | None:
    """The first guard's refusal of ``action`` on ``ticket``, or None when all allow it."""
    for guard in _GUARDS.values():
        refusal = guard(ticket, action)
        if refusal is not None:
            return refusal
    return None
