"""Test helpers: a published roster put straight into the database, times in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster, RosterEntry

TZ = ZoneInfo("Asia/Shanghai")


def local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def publish(employee: Any, cells: dict[dt.date, str]) -> None:
    """Put ``cells`` (day → code) into the published roster of the employee's team."""
    by_month: dict[dt.date, dict[dt.date, str]] = {}
    for day, code in cells.items():
        by_month.setdefault(day.replace(day=1), {})[day] = code
    for month, days in by_month.items():
        roster = Roster.objects.filter(
            team_id=employee.team_id, month=month, status=RosterStatus.PUBLISHED
        ).first()
        if roster is None:
            version = Roster.objects.filter(team_id=employee.team_id, month=month).count() + 1
            roster = Roster.objects.create(
                team_id=employee.team_id,
                month=month,
                version=version,
                status=RosterStatus.PUBLISHED,
                published_at=timezone.now(),
            )
        for day, code in days.items():
            RosterEntry.objects.update_or_create(
                roster=roster, employee=employee, day=day, defaults={"code": code}
            )
