"""Links other modules add to a ticket's page — 工单页的关联入口.

The complaints app adds "客户投诉记录卡" (or "转为投诉" for a 投诉 ticket without its card) without
the tickets app knowing complaints. A provider takes the ticket and the viewer and returns
``(label, url)`` pairs, or none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import Ticket

LinkProvider = Callable[[Ticket, Any], list[tuple[str, str]]]

_PROVIDERS: dict[str, LinkProvider] = {}


def register_ticket_links(key: str, provider: LinkProvider) -> None:
    """Add (or replace, by ``key``) a provider of links on the ticket page."""
    _PROVIDERS[key] = provider


def ticket_links(ticket: Ticket, user: Any) -> list[tuple[str, str]]:
    """Every registered provider's links for ``ticket`` as ``user`` sees it."""
    links: list[tuple[str, str]] = []
    for provider in _PROVIDERS.values():
        links.extend(provider(ticket, user))
    return links
