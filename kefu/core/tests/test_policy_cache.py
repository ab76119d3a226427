"""The per-process cache of which policy version is in force (制度参数缓存, docs/performance.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from kefu.core import policy as policy_module
from kefu.core.models import Policy
from kefu.core.policy import (
    clear_policy_cache,
    default_bodies,
    policy_version_create,
    security_policy,
)


def _body(idle_minutes: int) -> dict[str, Any]:
    return {**default_bodies()["security"], "idle_timeout_minutes": idle_minutes}


def _insert_like_another_process(idle_minutes: int) -> None:
    # Another gunicorn worker creating a version: this process's cache is not told about it.
    last = Policy.objects.filter(domain="security").order_by("-version").first()
    Policy.objects.create(
        domain="security",
        version=last.version + 1,
        effective_from=timezone.localdate(),
        body=_body(idle_minutes),
    )


@pytest.fixture
def fresh_cache() -> Any:
    clear_policy_cache()
    yield
    clear_policy_cache()


@pytest.mark.django_db(transaction=True)
def test_version_from_another_process_takes_effect_when_the_cache_expires(
    fresh_cache: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = security_policy().idle_timeout_minutes
    _insert_like_another_process(before + 7)
    assert security_policy().idle_timeout_minutes == before  # still the cached answer

    now = policy_module.time.monotonic()
    later = now + policy_module.IN_FORCE_CACHE_SECONDS + 1
    monkeypatch.setattr(policy_module.time, "monotonic", lambda: later)
    assert security_policy().idle_timeout_minutes == before + 7


@pytest.mark.django_db(transaction=True)
def test_version_created_in_this_process_takes_effect_at_once(fresh_cache: Any) -> None:
    before = security_policy().idle_timeout_minutes
    policy_version_create(
        actor=None, domain="security", effective_from=timezone.localdate(), body=_body(before + 3)
    )
    assert security_policy().idle_timeout_minutes == before + 3


@pytest.mark.django_db(transaction=True)
def test_days_are_cached_separately(fresh_cache: Any) -> None:
    today = timezone.localdate()
    before = security_policy(today).idle_timeout_minutes
    tomorrow = today + dt.timedelta(days=1)
    policy_version_create(
        actor=None, domain="security", effective_from=tomorrow, body=_body(before + 5)
    )
    assert security_policy(today).idle_timeout_minutes == before
    assert security_policy(tomorrow).idle_timeout_minutes == before + 5


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_database_is_always_asked(fresh_cache: Any) -> None:
    before = security_policy().idle_timeout_minutes  # cached outside any transaction
    with transaction.atomic():
        _insert_like_another_process(before + 9)
        assert security_policy().idle_timeout_minutes == before + 9
