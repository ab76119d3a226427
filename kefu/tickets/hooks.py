"""After-action hooks — 工单操作后的联动: what other modules do once a ticket action is done.

The tickets app does not know satisfaction surveys or return visits, yet a closed request is what
starts them (CRM-3: a survey after a request closes; AS-4: a visit some days after). A module
registers a hook in its ``AppConfig.ready()``; ``ticket_act`` calls every hook after the action
and its audit event are written, inside the same transaction, so a failing hook undoes the action
rather than leaving half of it. This is an explicit call list, not a signal: the order is the
registration order and a reader finds every caller here.

A hook takes the ticket, the action code and the acting user, and returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import Ticket

AfterActionHook = Callable[[Ticket, str, Any], None]

_HOOKS: dict[str, AfterActionHook] = {}


def register_after_action(key: str, hook: AfterActionHook) -> None:
    """Add (or replace, by ``key``) a hook run after every ticket action."""
    _HOOKS[key] = hook


def unregister_after_action(key: str) -> None:
    _HOOKS.pop(key, None)


def run_after_action(ticket: Ticket, action: str, actor: Any) -> None:
    """Run every registered hook for ``action`` just done on ``ticket``."""
    for hook in list(_HOOKS.values()):
        hook(ticket, action, actor)
