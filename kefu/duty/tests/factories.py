"""Test helpers for duty: a published roster with just the cells a test needs, aware times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster, RosterEntry

TZ = timezone.get_fixed_timezone(8 * 60)
DAY = dt.date(2026, 12, 2)  # a Wednesday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware Asia/Shanghai time on ``day`` (hour 24 = next midnight)."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=TZ) + dt.timedelta(
        hours=hour, minutes=minute
    )


def publish(team: Any, cells: dict[tuple[Any, dt.date], str]) -> Roster:
    """A published roster of ``team`` for the month of the cells: (employee, day) → code."""
    month = next(iter(cells))[1].replace(day=1)
    roster, _ = Roster.objects.get_or_create(
        team=team,
        month=month,
        status=RosterStatus.PUBLISHED,
        defaults={"version": 1, "published_at": timezone.now()},
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(roster=roster, employee=e, day=d, code=code) for (e, d), code in cells.items()
    )
    return roster


def day_night(org: dict[str, Any], day: dt.date = DAY) -> Roster:
    """team_a on ``day``: 客服甲一 白班, 客服甲二 晚班; next day the other way round."""
    a1, a2 = org["agent_a1"], org["agent_a2"]
    nxt = day + dt.timedelta(days=1)
    return publish(
        org["team_a"],
        {(a1, day): "day", (a2, day): "night", (a1, nxt): "night", (a2, nxt): "day"},
    )
