"""The customer page's 满意度调查 section (CRM-1 服务记录): the customer's answered surveys."""

from __future__ import annotations

from typing import Any

from . import selectors


def customer_surveys_context(customer: Any, user: Any) -> dict[str, Any] | None:
    """None (section hidden) for viewers without ``surveys.view_invitation``."""
    if not user.has_perm("surveys.view_invitation"):
        return None
    return {
        "survey_responses": selectors.responses_for_customer(user, customer.pk),
        "survey_customer": customer,
        "can_invite": user.has_perm("surveys.add_invitation"),
    }


def ticket_survey_links(ticket: Any, user: Any) -> list[tuple[str, str]]:
    """The ticket page's "满意度调查：<状态>" link to the invitation sent when it closed (CRM-3).

    The invitation page issues (or re-issues) the one-time link with one click and shows it
    once, with a copy button: only the token's hash is stored, so the link cannot be shown later.
    One query, and only for viewers who may see survey invitations.
    """
    from django.urls import reverse
    from django.utils import timezone

    from .choices import InvitationStatus
    from .models import Invitation

    if not user.has_perm("surveys.view_invitation"):
        return []
    inv = (
        selectors.invitations_for_user(user)
        .filter(ticket_id=ticket.pk)
        .select_related(None)
        .only("pk", "answered_at", "token_hash", "expires_at")
        .first()
    )
    if not isinstance(inv, Invitation):
        return []
    label = InvitationStatus(inv.status_at(timezone.now())).label
    return [(f"满意度调查：{label}", reverse("surveys:invitation_detail", args=[inv.pk]))]
