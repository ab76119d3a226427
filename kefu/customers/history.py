"""Service history — 服务记录 (CRM-1): what the customer page shows of a customer's history.

Other modules add their part without this app knowing them: the tickets app registers a section
listing the customer's tickets, after-sales its repairs, and so on. A section is a template and a
function building its context; the customer page renders every registered section, in ``order``,
above the record's own change history (the audit trail).

    # kefu/tickets/apps.py, in ready():
    from kefu.customers.history import HistorySection, register_history_section
    register_history_section(HistorySection(
        key="tickets", label="工单", template="tickets/_customer_tickets.html",
        context=lambda customer, user: {"tickets": tickets_for_customer(user, customer)},
        order=10,
    ))

The context function receives the viewer and must apply that viewer's scope itself. Returning
``None`` hides the section (e.g. the viewer may not see tickets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Customer


@dataclass(frozen=True)
class HistorySection:
    """One part of a customer's 服务记录, contributed by a module."""

    key: str
    label: str
    template: str
    context: Callable[[Customer, Any], dict[str, Any] | None]
    order: int = 100


_SECTIONS: dict[str, HistorySection] = {}


def register_history_section(section: HistorySection) -> None:
    """Add (or replace, by ``key``) a section of the customer page's 服务记录."""
    _SECTIONS[section.key] = section


def unregister_history_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def history_sections(customer: Customer, user: Any) -> list[dict[str, Any]]:
    """The sections ``user`` gets for ``customer``: label, template and context of each."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(customer, user)
        if context is None:
            continue
        shown.append(
            {
                "key": section.key,
                "label": section.label,
                "template": section.template,
                "context": context,
            }
        )
    return shown
