"""What the visits module adds to other pages: the customer's 回访记录 and links on a ticket."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from .selectors import customer_visits, visit_number_pk, visit_tasks_for_user


def customer_visits_context(customer: Any, user: Any) -> dict[str, Any] | None:
    visits = customer_visits(user, customer)
    if visits is None:
        return None
    return {"visits": visits, "customer": customer, "limit": 10}


def ticket_visit_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    """结案回访: the visit planned after this request closed, or the visit it came from."""
    if not user.has_perm("visits.view_visittask"):
        return []
    # One query for both kinds (the page is a hot path, docs/performance.md): the closing visit
    # planned from this request, and the visit this request was opened from.
    rows = (
        visit_tasks_for_user(user)
        .filter(Q(ticket=ticket, parent__isnull=True) | Q(follow_up_ticket=ticket))
        .order_by("id")
        .only("pk", "ticket_id", "follow_up_ticket_id", "parent_id", "due_date")[:6]
    )
    closing = [t for t in rows if t.ticket_id == ticket.pk and t.parent_id is None][:3]
    source = [t for t in rows if t.follow_up_ticket_id == ticket.pk][:3]
    links = [
        (
            f"结案回访 {t.receipt_no}（{t.due_date:%Y-%m-%d}）",
            reverse("visits:task_detail", args=[t.pk]),
        )
        for t in closing
    ]
    for t in source:
        links.append((f"来源回访单 {t.receipt_no}", reverse("visits:task_detail", args=[t.pk])))
    return links


def search_visits(user: Any, q: str, limit: int) -> list[Any]:
    """回访单号 HF… (exact) in the top-bar search — only tasks the user may see."""
    from kefu.core.search import SearchHit

    q = (q or "").strip()
    pk = visit_number_pk(q)
    if pk is None or limit <= 0:
        return []
    task = visit_tasks_for_user(user).select_related("customer", "assignee").filter(pk=pk).first()
    if task is None:
        return []
    parts = [task.get_status_display(), task.customer.name, f"计划 {task.due_date:%Y-%m-%d}"]
    if task.outcome:
        parts.append(task.get_outcome_display())
    return [
        SearchHit(
            title=f"回访单 {task.receipt_no}（{task.get_source_display()}）",
            subtitle=" · ".join(parts),
            url=reverse("visits:task_detail", args=[task.pk]),
        )
    ]
