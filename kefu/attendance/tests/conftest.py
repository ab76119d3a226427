"""Fixtures of the attendance tests: a fixed "now" for deterministic days, rosters as needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .factories import local, publish

# A Wednesday; the 补卡 window of the 16th closes at the end of the 18th.
TODAY = dt.date(2026, 3, 18)
NOW = local(TODAY, 10, 0)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """timezone.now() is NOW (10:00 on 2026-03-18 in Shanghai) everywhere."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


@pytest.fixture
def roster(org: dict[str, Any]) -> dict[dt.date, str]:
    """agent_a1 and agent_a2: 白班 every day of March 2026 but rest on the 15th (a Sunday)."""
    cells = {dt.date(2026, 3, d): "day" for d in range(1, 32)}
    cells[dt.date(2026, 3, 15)] = "rest"
    publish(org["agent_a1"], cells)
    publish(org["agent_a2"], cells)
    return cells
