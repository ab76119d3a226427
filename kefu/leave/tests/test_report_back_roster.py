"""销假 gives the roster back (WFM-2, WFM-4): leave approved before its month was published was a
fixed day for the solver, so no shift was ever rostered on it. An early return then turns the
remaining 请假 cells into 休息 marked 待排班 and asks the team leader to fill them; days whose
shift is known get that shift back."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import Notification
from kefu.leave import services
from kefu.leave.choices import LeaveStatus
from kefu.org.approval_flow import approval_steps
from kefu.swaps.tests.factories import default_code, future_month, publish_roster
from kefu.workforce.choices import TO_FILL_NOTE, RosterStatus
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.selectors import fixed_days, rostered_code

pytestmark = pytest.mark.django_db


def _approved_leave(org: dict[str, Any], month: dt.date, start: int, end: int) -> Any:
    leave = services.leave_create(
        actor=org["agent_a1"].user,
        leave_type="personal",
        start_day=month.replace(day=start),
        end_day=month.replace(day=end),
        reason="家中有事",
    )
    for step in approval_steps(leave):
        leave = services.leave_decide(actor=step.approver.user, leave=leave, approve=True)
    assert leave.status == LeaveStatus.APPROVED
    return leave


def _solved_with_leave(org: dict[str, Any], month: dt.date, status: str) -> Roster:
    """What the solver does with the fixed days: 请假 on them, the usual pattern elsewhere."""
    people = [org["agent_a1"], org["agent_a2"], org["lead_a"]]
    fixed = fixed_days([p.pk for p in people], month, month.replace(day=28))

    def code(i: int, d: dt.date) -> str:
        return fixed.get((people[i].pk, d)) or default_code(i, d)

    return publish_roster(org["team_a"], month, people, code, status=status)


def _return_on(monkeypatch: pytest.MonkeyPatch, leave: Any, returned_on: dt.date) -> Any:
    clock = SimpleNamespace(localdate=lambda: returned_on, now=timezone.now)
    monkeypatch.setattr(services, "timezone", clock)
    return services.leave_report_back(
        actor=leave.applicant.user, leave=leave, returned_on=returned_on
    )


def test_report_back_marks_unknown_shifts_for_the_lead(org, monkeypatch, client_for) -> None:
    month = future_month()
    a1, lead = org["agent_a1"], org["lead_a"]
    leave = _approved_leave(org, month, 10, 12)  # the month has no roster yet
    assert leave.replaced == {}
    roster = _solved_with_leave(org, month, RosterStatus.PUBLISHED)
    assert [rostered_code(a1.pk, month.replace(day=n)) for n in (10, 11, 12)] == ["leave"] * 3

    leave = _return_on(monkeypatch, leave, month.replace(day=11))

    assert leave.status == LeaveStatus.RETURNED and leave.returned_days == 2
    assert [rostered_code(a1.pk, month.replace(day=n)) for n in (10, 11, 12)] == [
        "leave",
        "rest",
        "rest",
    ]
    current = Roster.objects.get(team=org["team_a"], month=month, status=RosterStatus.PUBLISHED)
    assert current.version == roster.version + 1
    notes = dict(RosterEntry.objects.filter(roster=current, employee=a1).values_list("day", "note"))
    assert notes[month.replace(day=11)].startswith(TO_FILL_NOTE)
    assert notes[month.replace(day=12)].startswith(TO_FILL_NOTE)
    assert not notes[month.replace(day=10)].startswith(TO_FILL_NOTE)
    ask = Notification.objects.get(recipient=lead.user, title__startswith="销假待排班")
    assert f"{month.month}月11日、{month.month}月12日" in ask.title
    assert f"team={org['team_a'].pk}" in ask.link
    # the grid marks the cells for the lead (销假待排班)
    page = client_for(lead.user).get(f"/workforce/rosters/{current.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-to-fill="1"') == 2 and "销假待排班" in html
    # the days after the return are no longer fixed for the solver
    assert fixed_days([a1.pk], month, month.replace(day=28)) == {
        (a1.pk, month.replace(day=10)): "leave"
    }


def test_report_back_gives_known_shifts_back_and_marks_the_rest(org, monkeypatch) -> None:
    """Leave across two months: the first month was published (its shift is known), the second
    was not yet (fixed day for the solver)."""
    first = future_month()
    second = (first + dt.timedelta(days=32)).replace(day=1)
    a1, lead = org["agent_a1"], org["lead_a"]
    people = [a1, org["agent_a2"], lead]
    publish_roster(org["team_a"], first, people, lambda i, d: "day")
    last = (second - dt.timedelta(days=1)).day
    start = first.replace(day=last - 1)
    leave = services.leave_create(
        actor=a1.user,
        leave_type="personal",
        start_day=start,
        end_day=second.replace(day=2),
        reason="家中有事",
    )
    for step in approval_steps(leave):
        leave = services.leave_decide(actor=step.approver.user, leave=leave, approve=True)
    assert set(leave.replaced) == {start.isoformat(), first.replace(day=last).isoformat()}
    _solved_with_leave(org, second, RosterStatus.PUBLISHED)

    leave = _return_on(monkeypatch, leave, first.replace(day=last))

    assert rostered_code(a1.pk, start) == "leave"
    assert rostered_code(a1.pk, first.replace(day=last)) == "day"  # known: given back
    assert rostered_code(a1.pk, second.replace(day=1)) == "rest"  # unknown: to fill
    assert rostered_code(a1.pk, second.replace(day=2)) == "rest"
    ask = Notification.objects.get(recipient=lead.user, title__startswith="销假待排班")
    assert f"{second.month}月1日" in ask.title and f"{first.month}月{last}日" not in ask.title


def test_report_back_changes_a_draft_of_an_unpublished_month(org, monkeypatch) -> None:
    month = future_month()
    a1 = org["agent_a1"]
    leave = _approved_leave(org, month, 10, 12)
    draft = _solved_with_leave(org, month, RosterStatus.DRAFT)

    _return_on(monkeypatch, leave, month.replace(day=12))

    cells = dict(RosterEntry.objects.filter(roster=draft, employee=a1).values_list("day", "code"))
    assert [cells[month.replace(day=n)] for n in (10, 11, 12)] == ["leave", "leave", "rest"]
    assert Roster.objects.filter(team=org["team_a"], month=month).count() == 1  # no re-issue
    assert Notification.objects.filter(
        recipient=org["lead_a"].user, title__startswith="销假待排班"
    ).exists()


def test_report_back_without_a_roster_changes_nothing(org, monkeypatch) -> None:
    month = future_month()
    leave = _approved_leave(org, month, 10, 12)
    leave = _return_on(monkeypatch, leave, month.replace(day=11))
    assert leave.status == LeaveStatus.RETURNED
    assert not Roster.objects.exists()
    assert not Notification.objects.filter(title__startswith="销假待排班").exists()
