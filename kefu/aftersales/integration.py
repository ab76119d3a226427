"""What after-sales adds to other modules' pages — 工单页入口, 客户服务记录, 全局搜索."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kefu.core.search import SearchHit

from . import selectors
from .models import RepairOrder
from .services.common import ADD_REPAIR, VIEW_INSTALLATION, VIEW_REPAIR
from .services.repairs import is_repair_ticket

SECTION_ROWS = 20


def repair_ticket_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    """报修/维修 requests: their repair orders, or "生成维修单" for those who may raise one."""
    if not is_repair_ticket(ticket):
        return []
    links: list[tuple[str, str]] = []
    if user.has_perm(VIEW_REPAIR):
        for pk, number in RepairOrder.objects.filter(ticket_id=ticket.pk).values_list(
            "pk", "number"
        )[:5]:
            links.append((f"维修单 {number}", reverse("aftersales:repair_detail", args=[pk])))
    if user.has_perm(ADD_REPAIR) and not links:
        links.append(("生成维修单", f"{reverse('aftersales:repair_create')}?ticket={ticket.pk}"))
    return links


def customer_section_context(customer: Any, user: Any) -> dict[str, Any] | None:
    """The customer's installations and repair orders, for the 服务记录 of the customer page."""
    if not (user.has_perm(VIEW_INSTALLATION) or user.has_perm(VIEW_REPAIR)):
        return None
    return {
        "installations": list(
            selectors.installations_for_user(user, customer_id=customer.pk)[:SECTION_ROWS]
        ),
        "repairs": list(selectors.repairs_for_user(user, customer_id=customer.pk)[:SECTION_ROWS]),
    }


def search_aftersales(user: Any, q: str, limit: int) -> list[SearchHit]:
    """维修单号 or 序列号 (exact) in the top-bar search."""
    hits: list[SearchHit] = []
    q = q.strip()
    if user.has_perm(VIEW_REPAIR) and q.upper().startswith("WX"):
        for o in selectors.repairs_for_user(user).filter(number=q.upper())[:limit]:
            hits.append(
                SearchHit(
                    title=f"维修单 {o.number}",
                    subtitle=f"{o.get_status_display()} · {o.customer.name}",
                    url=reverse("aftersales:repair_detail", args=[o.pk]),
                )
            )
    if user.has_perm(VIEW_INSTALLATION):
        for i in selectors.installations_for_user(user).filter(serial_number=q)[:limit]:
            hits.append(
                SearchHit(
                    title=f"序列号 {i.serial_number}",
                    subtitle=f"{i.product or i.project_name} · {i.customer.name} · 保修至 {i.warranty_end}",
                    url=f"{reverse('aftersales:warranty_lookup')}?serial={i.serial_number}",
                )
            )
    return hits[:limit]
