"""Complaint reads (ORG-5, CMP-6, CMP-7, RPT-1): who sees which complaints and findings, overdue
complaints, the monthly statistics, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.tickets.models import Ticket

from .. import selectors
from ..choices import Ground, ProcedureStatus
from .factories import add_production, open_complaint, walk

pytestmark = pytest.mark.django_db
S = ProcedureStatus


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return add_production(org)


def visible(people: dict[str, Any], who: str) -> set[int]:
    return set(selectors.complaints_for_user(people[who].user).values_list("pk", flat=True))


def test_scope_of_each_role(people: dict[str, Any]) -> None:
    mine = open_complaint(people["agent_a1"])
    team_b = open_complaint(people["agent_b1"])
    investigated = walk(open_complaint(people["agent_a2"]), people, to=S.INVESTIGATING)
    everything = {mine.pk, team_b.pk, investigated.pk}
    assert visible(people, "agent_a1") == {mine.pk}
    assert visible(people, "agent_b1") == {team_b.pk}
    assert visible(people, "lead_a") == {mine.pk, investigated.pk}  # team A's tickets
    assert visible(people, "supervisor") == everything  # the 客服部
    assert visible(people, "manager") == everything
    for who in ("hr", "gm", "dgm"):
        assert visible(people, who) == everything
    # The investigating department sees what it investigates, though its people hold no role.
    assert visible(people, "prod_head") == {investigated.pk}
    assert visible(people, "prod_worker") == {investigated.pk}
    assert visible(people, "warehouse") == set()
    assert visible(people, "sysadmin") == set()


def test_filters(people: dict[str, Any]) -> None:
    one = walk(open_complaint(people["agent_a1"], ground=Ground.SERVICE), people, to=S.ROUTING)
    two = open_complaint(people["agent_a1"], ground=Ground.QUALITY_DEFECT)
    hr = people["hr"].user
    assert list(selectors.complaints_for_user(hr, q=one.number.lower())) == [one]
    assert list(selectors.complaints_for_user(hr, q=two.ticket.number)) == [two]
    assert list(selectors.complaints_for_user(hr, ground=Ground.QUALITY_DEFECT)) == [two]
    assert list(selectors.complaints_for_user(hr, accepted=True)) == [one]
    assert list(selectors.complaints_for_user(hr, status=S.RECORDED)) == [two]
    assert selectors.complaints_for_user(hr, open_only=True).count() == 2


def test_overdue_is_past_the_tickets_seven_days(people: dict[str, Any]) -> None:
    late = open_complaint(people["agent_a1"], received_at=timezone.now() - dt.timedelta(days=10))
    fresh = open_complaint(people["agent_a1"])
    closed_late = walk(
        open_complaint(people["agent_a1"], received_at=timezone.now() - dt.timedelta(days=9)),
        people,
        to=S.CLOSED,
    )
    overdue = set(
        selectors.overdue_complaints_for_user(people["supervisor"].user).values_list(
            "pk", flat=True
        )
    )
    assert late.pk in overdue and fresh.pk not in overdue and closed_late.pk not in overdue
    assert selectors.overdue_complaints_for_user(people["agent_b1"].user).count() == 0


def test_findings_scope_and_month(people: dict[str, Any]) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.CLOSED)
    month = timezone.now().astimezone(SHANGHAI).date()
    all_findings = set(complaint.findings.values_list("pk", flat=True))
    assert len(all_findings) == 2

    def seen(who: str, **kw: Any) -> set[int]:
        qs = selectors.responsibility_findings_for_user(people[who].user, **kw)
        return set(qs.values_list("pk", flat=True))

    assert seen("hr", month=month) == all_findings
    assert seen("gm") == all_findings
    assert seen("hr", month=month - dt.timedelta(days=40)) == set()
    # The worker sees the finding against him; the 客服部's supervisor sees none of 生产管理部's.
    worker_finding = complaint.findings.get(employee=people["prod_worker"])
    assert seen("prod_worker") == {worker_finding.pk}
    assert seen("supervisor") == set()
    assert seen("agent_a1") == set()
    assert (
        set(selectors.responsibility_findings_for_month(month).values_list("pk", flat=True))
        == all_findings
    )


def test_monthly_statistics(people: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    walk(open_complaint(people["agent_a1"]), people, to=S.CLOSED)
    open_complaint(people["agent_a2"], ground=Ground.SERVICE)
    month = timezone.now().astimezone(SHANGHAI).date()
    stats = selectors.complaint_stats(people["hr"].user, month)
    assert (stats["total"], stats["accepted"], stats["undecided"], stats["closed"]) == (2, 1, 1, 1)
    assert stats["closed_on_time"] == 1 and stats["closed_on_time_rate"] == 100.0
    assert stats["close_days"] == 7
    departments = {row["department"]: row for row in stats["by_department"]}
    assert departments["生产管理部"]["loss"] == Decimal("210.00")
    assert departments["总部"]["loss"] == Decimal("90.00")
    assert stats["by_person"][0]["person"] == "生产工人"
    # Without the statistics right: the figures of nothing.
    assert selectors.complaint_stats(people["agent_a1"].user, month)["total"] == 0
    # The query count does not grow with the month's complaints.
    for _ in range(5):
        walk(open_complaint(people["agent_a1"]), people, to=S.CLOSED)
    hr = people["hr"].user
    with django_assert_max_num_queries(8):
        stats = selectors.complaint_stats(hr, month)
    assert stats["total"] == 7


def test_a_complaint_received_last_month_counts_there(people: dict[str, Any]) -> None:
    complaint = open_complaint(
        people["agent_a1"], received_at=timezone.now() - dt.timedelta(days=45)
    )
    received = Ticket.objects.get(pk=complaint.ticket_id).received_at.astimezone(SHANGHAI).date()
    assert selectors.complaint_stats(people["gm"].user, received)["total"] == 1
    this_month = timezone.now().astimezone(SHANGHAI).date()
    if this_month.replace(day=1) != received.replace(day=1):
        assert selectors.complaint_stats(people["gm"].user, this_month)["total"] == 0
