"""The customer page's 服务记录 · 工单 (CRM-1): the customer's requests the viewer may see."""

from __future__ import annotations

from typing import Any

from .selectors import can_view_tickets, tickets_for_customer

CUSTOMER_TICKETS_LIMIT = 50


def customer_tickets_context(customer: Any, user: Any) -> dict[str, Any] | None:
    """Context of tickets/_customer_tickets.html; None hides the section from who may not see."""
    if not can_view_tickets(user):
        return None
    from .views import with_sla

    tickets = with_sla(tickets_for_customer(user, customer.pk, limit=CUSTOMER_TICKETS_LIMIT))
    return {"tickets": tickets, "limit": CUSTOMER_TICKETS_LIMIT}
