"""交接班 links on a ticket's page: the handovers that passed the request to the next shift."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .models import HandoverTicket
from .selectors import handovers_for_user


def ticket_handover_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    # Most requests never crossed a shift: ask the link table first (one small query) and
    # build the scoped query only when there is something to show (hot page, docs/performance.md).
    linked = list(
        HandoverTicket.objects.filter(ticket=ticket).values_list("handover_id", flat=True)
    )
    if not linked:
        return []
    rows = (
        handovers_for_user(user)
        .filter(pk__in=linked)
        .order_by("-day", "-id")
        .values_list("pk", "day")[:3]
    )
    return [
        (f"交接班记录 {day:%m-%d}", reverse("duty:handover_detail", args=[pk])) for pk, day in rows
    ]
