"""Installation hooks — 安装记录变更后的联动: what other modules do once an installation changed.

After-sales does not know return visits, yet an installation's acceptance date, warranty end,
kind or customer is what its visit plan (AS-4) is made of. A module registers a hook in its
``AppConfig.ready()``; the installation create/update services call
``run_installation_changed(installation)`` after the change and its audit event are written,
inside the same transaction, so a failing hook undoes the change rather than leaving half of it.
This is an explicit call list, not a signal: the order is the registration order and a reader
finds every caller here.

A hook takes the saved installation and returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

InstallationHook = Callable[[Any], None]

_HOOKS: dict[str, InstallationHook] = {}


def register_installation_changed(key: str, hook: InstallationHook) -> None:
    """Add (or replace, by ``key``) a hook run after every installation create or update."""
    _HOOKS[key] = hook


def unregister_installation_changed(key: str) -> None:
    _HOOKS.pop(key, None)


def run_installation_changed(installation: Any) -> None:
    """Run every registered hook for ``installation``, just created or changed."""
    for hook in list(_HOOKS.values()):
        hook(installation)
