"""交接班 links on a ticket's page: the handovers that passed the request to the next shift."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .selectors import handovers_for_user


def ticket_handover_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    rows = handovers_for_user(user).filter(tickets__ticket=ticket).order_by("-day", "-id")[:3]
    return [
        (f"交接班记录 {h.day:%m-%d}", reverse("duty:handover_detail", args=[h.pk])) for h in rows
    ]
