"""Tickets in the top-bar search — 工单 (工单编号 / 电话 / 尾号 / 订单号 / 快递单号 / 客户)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kefu.core.access import shown
from kefu.core.search import SearchHit

from .selectors import tickets_for_user


def search_tickets(user: Any, q: str, limit: int) -> list[SearchHit]:
    hits = []
    for ticket in tickets_for_user(user, q=q)[:limit]:
        parts = [ticket.get_status_display(), ticket.customer.name]
        if ticket.contact_phone:
            parts.append(shown(user, "phone", ticket.contact_phone))
        if ticket.order_no:
            parts.append(f"订单 {ticket.order_no}")
        if ticket.tracking_no:
            parts.append(f"快递 {ticket.tracking_no}")
        hits.append(
            SearchHit(
                title=f"{ticket.number} {ticket.title}",
                subtitle=" · ".join(parts),
                url=reverse("tickets:ticket_detail", args=[ticket.pk]),
            )
        )
    return hits
