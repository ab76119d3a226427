"""消息通知 badge — the unread count on every page (``context_processors.unread_count``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.context_processors import unread_count
from kefu.core.models import Notification

pytestmark = pytest.mark.django_db


def _badge(body: str) -> str | None:
    found = re.search(r'data-testid="unread-count">(\d+)<', body)
    return found.group(1) if found else None


def test_badge_counts_my_unread_only(org: dict[str, Any], client_for: Any) -> None:
    me, other = org["agent_a1"].user, org["agent_a2"].user
    for title in ("排班已发布", "换班已批准"):
        Notification.objects.create(recipient=me, title=title, body="", link="")
    Notification.objects.create(
        recipient=me, title="已读", body="", link="", read_at=timezone.now()
    )
    Notification.objects.create(recipient=other, title="别人的", body="", link="")
    assert unread_count(me) == 2 and unread_count(other) == 1
    client = client_for(me)
    assert _badge(client.get("/workbench/").content.decode()) == "2"
    assert client.post("/notifications/read-all/").status_code == 302
    assert unread_count(me) == 0 and unread_count(other) == 1
    assert _badge(client.get("/workbench/").content.decode()) is None
