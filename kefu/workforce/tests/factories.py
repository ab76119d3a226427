"""Test helpers for the roster lifecycle: a team ready to roster (layout, skills, coverage) and a
hand-made draft with a known pattern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import (
    CoverageRequirement,
    EmployeeSkill,
    Roster,
    RosterEntry,
    TeamRosterSetting,
)
from kefu.workforce.selectors import add_months, month_days

# A fixed month far ahead: its weekdays never change (2030-01-01 is a Tuesday) and it is never
# in the past, so drafts can be solved and edited.
MONTH = dt.date(2030, 1, 1)
PEOPLE = ("lead_a", "agent_a1", "agent_a2")


def next_month() -> dt.date:
    return add_months(timezone.localdate(), 1)


def ready_team(
    org: dict[str, Any],
    month: dt.date = MONTH,
    *,
    team: str = "team_a",
    people: tuple[str, ...] = PEOPLE,
    day: int = 1,
    night: int = 1,
) -> Any:
    """Layout 两班制, skill 售前 for ``people``, coverage ``day``/``night`` every day of ``month``."""
    team_obj = org[team]
    TeamRosterSetting.objects.update_or_create(team=team_obj, defaults={"layout": "two_shift"})
    for name in people:
        EmployeeSkill.objects.get_or_create(employee=org[name], skill="presales")
    CoverageRequirement.objects.bulk_create(
        [
            CoverageRequirement(team=team_obj, day=d, shift_code=code, min_people=n)
            for d in month_days(month)
            for code, n in (("day", day), ("night", night))
        ],
        ignore_conflicts=True,
    )
    return team_obj


def pattern(name: str) -> Callable[[dt.date], str]:
    """Known rows for ``MONTH`` (31 days) meeting every hard rule:
    lead_a works 白班 six days then rests (rest on 7, 14, 21, 28);
    agent_a1 the same rhythm on 晚班; agent_a2 白班 resting on 3, 10, 17, 24, 31."""
    if name == "agent_a2":
        return lambda d: "rest" if d.day % 7 == 3 else "day"
    code = "night" if name == "agent_a1" else "day"
    return lambda d: "rest" if d.day % 7 == 0 else code


def make_roster(
    org: dict[str, Any],
    status: str = RosterStatus.DRAFT,
    *,
    month: dt.date = MONTH,
    version: int | None = None,
    people: tuple[str, ...] = PEOPLE,
    team: str = "team_a",
) -> Roster:
    """A roster of ``month`` with the ``pattern`` rows, written directly (test setup only)."""
    team_obj = org[team]
    if version is None:
        version = Roster.objects.filter(team=team_obj, month=month).count() + 1
    roster = Roster.objects.create(
        team=team_obj,
        month=month,
        version=version,
        status=status,
        published_at=timezone.now() if status == RosterStatus.PUBLISHED else None,
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(roster=roster, employee=org[name], day=d, code=pattern(name)(d))
        for name in people
        for d in selectors.month_days(month)
    )
    return roster
