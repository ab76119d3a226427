"""Login throttling — 登录锁定: after N consecutive failures a username is locked for a while.

Counted per username (not per IP) because accounts are personal and the threat is guessing one
person's password; the numbers come from the security policy.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import audit
from .models import LoginThrottle
from .policy import security_policy


def locked_until(username: str) -> dt.datetime | None:
    """When the username's lock ends, or None when it may try now."""
    row = LoginThrottle.objects.filter(username=username.lower()).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def login_failed(username: str) -> dt.datetime | None:
    """Count a failure; returns the lock's end when this failure locks the account."""
    policy = security_policy()
    now = timezone.now()
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
    if row.locked_until and row.locked_until <= now:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= policy.login_max_failures:
        row.locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
        audit.record(
            actor=None,
            action="auth.lockout",
            object_type="auth.username",
            object_id=username.lower(),
            after={"failures": row.failures, "locked_until": row.locked_until},
        )
    row.save()
    return row.locked_until


def login_succeeded(username: str) -> None:
    LoginThrottle.objects.filter(username=username.lower()).delete()
