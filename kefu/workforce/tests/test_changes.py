"""排班变更 (WFM-2): a published roster is frozen; a change re-issues it as a new version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.core.models import Notification
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.selectors import month_days, published_schedule, rostered_code
from kefu.workforce.services.changes import CellChange, roster_apply_change
from kefu.workforce.shifts import shift_window

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 12, 1)


def _roster(org: dict[str, Any], status: str = RosterStatus.PUBLISHED, version: int = 1) -> Roster:
    roster = Roster.objects.create(
        team=org["team_a"],
        month=MONTH,
        version=version,
        status=status,
        published_at=timezone.now() if status == RosterStatus.PUBLISHED else None,
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(
            roster=roster,
            employee=person,
            day=day,
            code="rest" if day.weekday() == 0 else ("day" if i == 0 else "night"),
        )
        for i, person in enumerate([org["agent_a1"], org["agent_a2"]])
        for day in month_days(MONTH)
    )
    return roster


def test_change_reissues_a_new_version_and_notifies_only_the_people_changed(org):
    old = _roster(org)
    draft = _roster(org, RosterStatus.DRAFT, version=2)
    a1, a2 = org["agent_a1"], org["agent_a2"]
    day = dt.date(2026, 12, 2)
    assert rostered_code(a1.pk, day) == "day"
    new = roster_apply_change(
        actor=org["lead_a"].user,
        team_id=org["team_a"].pk,
        month=MONTH,
        changes=[CellChange(a1.pk, day, "night"), CellChange(a2.pk, day, "night")],
        reason="换班",
        source="swap",
    )
    old.refresh_from_db()
    assert old.status == RosterStatus.WITHDRAWN and old.withdrawn_at is not None
    assert new.status == RosterStatus.PUBLISHED and new.version == 3 and new.based_on == old
    assert rostered_code(a1.pk, day) == "night"
    assert new.entries.count() == 2 * 31
    assert RosterEntry.objects.get(roster=new, employee=a1, day=day).source == "swap"
    # the draft of the same month gets the change too
    assert RosterEntry.objects.get(roster=draft, employee=a1, day=day).code == "night"
    # a2 already worked night that day: not notified
    assert (
        Notification.objects.filter(recipient=a1.user, title__contains="排班表已变更").count() == 1
    )
    assert not Notification.objects.filter(recipient=a2.user).exists()
    sched = published_schedule([a1.pk, a2.pk], day, day + dt.timedelta(days=1))
    assert sched[(a1.pk, day)] == "night" and len(sched) == 4


@pytest.mark.parametrize(
    ("change", "reason", "code"),
    [
        (CellChange(0, dt.date(2026, 12, 2), "night"), "x", "roster_not_member"),
        (CellChange(-1, dt.date(2026, 12, 2), "bogus"), "x", "roster_unknown_code"),
        (CellChange(-1, dt.date(2027, 1, 2), "day"), "x", "roster_change_other_month"),
        (CellChange(-1, dt.date(2026, 12, 2), "night"), " ", "roster_reason_required"),
        (CellChange(-1, dt.date(2026, 12, 2), "day"), "x", "roster_no_change"),
    ],
)
def test_refused_changes_leave_the_published_roster_alone(org, change, reason, code):
    old = _roster(org)
    emp = org["agent_a1"].pk if change.employee_id == -1 else change.employee_id
    with pytest.raises(DomainError) as err:
        roster_apply_change(
            actor=org["lead_a"].user,
            team_id=org["team_a"].pk,
            month=MONTH,
            changes=[CellChange(emp, change.day, change.code)],
            reason=reason,
        )
    assert err.value.code == code
    assert list(Roster.objects.values_list("pk", "status")) == [(old.pk, "published")]


def test_change_needs_a_published_roster(org):
    _roster(org, RosterStatus.DRAFT)
    with pytest.raises(DomainError) as err:
        roster_apply_change(
            actor=org["lead_a"].user,
            team_id=org["team_a"].pk,
            month=MONTH,
            changes=[CellChange(org["agent_a1"].pk, dt.date(2026, 12, 2), "night")],
            reason="x",
        )
    assert err.value.code == "roster_not_published"


def test_shift_window_crosses_midnight_and_is_none_for_rest():
    start, end = shift_window("night", dt.date(2026, 12, 2))
    assert (start.hour, start.minute) == (17, 30)
    assert end.date() == dt.date(2026, 12, 3) and end.hour == 0
    assert shift_window("rest", dt.date(2026, 12, 2)) is None
    assert shift_window("nope", dt.date(2026, 12, 2)) is None
