"""The PostgreSQL backend's throttled health check (kefu/core/pgbackend): a round trip at most
every HEALTH_CHECK_SECONDS per connection, always after an error, never trusting a connection
psycopg saw close."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql import base as django_pg

from kefu.core.pgbackend import base as kefu_pg

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend")


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real health checks (Django's ``SELECT 1``), still made."""
    calls: list[int] = []
    real = django_pg.DatabaseWrapper.is_usable

    def counted(self: Any) -> bool:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(django_pg.DatabaseWrapper, "is_usable", counted)
    return calls


def test_the_project_runs_on_it() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "kefu.core.pgbackend"
    assert isinstance(connections["default"], kefu_pg.DatabaseWrapper)


@pytest.mark.django_db
def test_checked_by_a_round_trip_at_most_every_few_seconds(round_trips: list[int]) -> None:
    connection.ensure_connection()
    connection._checked_at = float("-inf")  # long ago
    assert connection.is_usable() and len(round_trips) == 1
    for _ in range(5):  # within the window: psycopg's view of the socket only
        assert connection.is_usable()
    assert len(round_trips) == 1
    connection._checked_at -= kefu_pg.HEALTH_CHECK_SECONDS  # the window has passed
    assert connection.is_usable() and len(round_trips) == 2


@pytest.mark.django_db
def test_after_an_error_always_asked(round_trips: list[int], monkeypatch: Any) -> None:
    connection.ensure_connection()
    connection._checked_at = kefu_pg.time.monotonic()  # just checked: trusted without asking
    assert connection.is_usable() and round_trips == []
    monkeypatch.setattr(connection, "errors_occurred", True)
    assert connection.is_usable()
    assert connection.is_usable()
    assert len(round_trips) == 2  # asked each time, although within the window


@pytest.mark.django_db
def test_a_connection_psycopg_saw_break_is_not_usable(monkeypatch: Any) -> None:
    connection.ensure_connection()
    raw = connection.connection
    monkeypatch.setattr(type(raw), "broken", property(lambda self: True))
    assert connection.is_usable() is False
