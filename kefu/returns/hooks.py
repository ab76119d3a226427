"""What the returns app adds to other modules' pages — ticket links, customer history, search."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from . import selectors
from .roles import ADD


def ticket_case_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    """On a ticket some 退换货单 was opened from: those the viewer may see."""
    return [
        (f"退换货单 {number}", reverse("returns:case_detail", args=[pk]))
        for pk, number in selectors.cases_for_ticket(user, ticket.pk)
    ]


def ticket_register_link(ticket: Any, user: Any) -> list[tuple[str, str]]:
    """On a 售后 / 订单问题 ticket: 登记退换货 for people who may."""
    from .services.cases import TYPE_BY_SUBKIND

    links = []
    if ticket.kind in ("after_sales", "order_issue") and user.has_perm(ADD):
        suggested = TYPE_BY_SUBKIND.get(ticket.subkind, "")
        url = reverse("returns:case_create") + f"?ticket={ticket.pk}"
        if suggested:
            url += f"&case_type={suggested}"
        links.append(("登记退换货", url))
    return links


def _history(customer: Any, user: Any) -> dict[str, Any] | None:
    if not selectors.can_view(user):
        return None
    return {"return_cases": selectors.cases_for_customer(user, customer.pk)}


def _search(user: Any, q: str, limit: int) -> list[Any]:
    from kefu.core.search import SearchHit

    hits = []
    for case in selectors.returncases_for_user(user, q=q)[:limit]:
        hits.append(
            SearchHit(
                title=f"{case.number} {case.get_case_type_display()}",
                subtitle=f"{case.customer.name} · {case.get_stage_display()}"
                + (f" · {case.order_no}" if case.order_no else ""),
                url=reverse("returns:case_detail", args=[case.pk]),
            )
        )
    return hits


def register_all() -> None:
    from kefu.core.search import SearchProvider, register_search_provider
    from kefu.customers.history import HistorySection, register_history_section
    from kefu.tickets.links import register_ticket_links

    # The cases first, then 登记退换货 (the page lists links in registration order).
    register_ticket_links("returns", ticket_case_links, linked_by=("returns.ReturnCase.ticket",))
    register_ticket_links("returns_register", ticket_register_link)
    register_history_section(
        HistorySection(
            key="returns",
            label="退换货",
            template="returns/_customer_cases.html",
            context=_history,
            order=40,
        )
    )
    register_search_provider(
        SearchProvider(key="returns", label="退换货", order=40, search=_search)
    )
