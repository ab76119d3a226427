"""Test data for 换班 and 请假: a published roster for a team in a month ahead of today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from kefu.core.models import CalendarDay
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.selectors import month_days


def future_month(months_ahead: int = 2) -> dt.date:
    """The 1st of a month at least ``months_ahead`` months after today (holiday rows cleared, so
    the tests decide which days are holidays)."""
    first = timezone.localdate().replace(day=1)
    for _ in range(months_ahead):
        first = (first + dt.timedelta(days=32)).replace(day=1)
    days = month_days(first)
    CalendarDay.objects.filter(date__range=(days[0] - dt.timedelta(days=7), days[-1])).delete()
    return first


def default_code(index: int, day: dt.date) -> str:
    """Person ``index`` rests on days ≡ index + 1 (mod 4) and works 白班 otherwise."""
    return "rest" if day.day % 4 == (index + 1) % 4 else "day"


def publish_roster(
    team: Any,
    month: dt.date,
    people: Sequence[Any],
    code: Callable[[int, dt.date], str] = default_code,
    *,
    status: str = RosterStatus.PUBLISHED,
) -> Roster:
    """A roster of ``people`` for ``month``: ``code(index, day)`` per cell, published by default."""
    top = Roster.objects.filter(team=team, month=month).order_by("-version").first()
    roster = Roster.objects.create(
        team=team,
        month=month,
        version=(top.version + 1) if top else 1,
        status=status,
        published_at=timezone.now() if status == RosterStatus.PUBLISHED else None,
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(roster=roster, employee=p, day=d, code=code(i, d))
        for i, p in enumerate(people)
        for d in month_days(month)
    )
    return roster
