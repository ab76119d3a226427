"""The ledger's core write path (incident_book / confirm / reverse) and its pure rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError
from kefu.fund.choices import FundEntryKind
from kefu.fund.models import FundEntry
from kefu.performance.choices import IncidentCategory, IncidentStatus, MonthCloseStatus
from kefu.performance.models import Incident, MonthClose
from kefu.performance.rules import escalated_fine, signed
from kefu.performance.services.booking import incident_book, incident_confirm, incident_reverse

D = Decimal


def test_escalated_fine_doubles_then_dismisses() -> None:
    kw = {"first": D("50"), "multiplier": D("2"), "dismissal_on": 3}
    assert escalated_fine(1, **kw) == (D("50.00"), False)
    assert escalated_fine(2, **kw) == (D("100.00"), False)
    assert escalated_fine(3, **kw) == (D("0"), True)
    with pytest.raises(ValueError):
        escalated_fine(0, **kw)


@given(st.integers(1, 2), st.decimals(0, 1000, places=2), st.integers(3, 6))
def test_escalation_never_decreases_before_dismissal(n: int, first: Decimal, dis: int) -> None:
    a, _ = escalated_fine(n, first=first, multiplier=D(2), dismissal_on=dis)
    b, _ = escalated_fine(n + 1, first=first, multiplier=D(2), dismissal_on=dis)
    assert b >= a or n + 1 >= dis


def test_sign_follows_category() -> None:
    assert signed("deduction", D("1")) == D("-1")
    assert signed("fine", D("-5")) == D("-5")
    assert signed("addition", D("-5")) == D("5")
    assert signed("reward", D("3")) == D("3")


DAY = dt.date(2026, 11, 3)


@pytest.mark.django_db
def test_manual_fine_confirmed_credits_fund(org: dict) -> None:
    agent = org["agent_a1"]
    inc = incident_book(
        actor=org["lead_a"].user, employee=agent, day=DAY, rule_code="contact_leaked", confirm=True
    )
    assert (inc.points, inc.money, inc.month) == (D("0"), D("-10"), dt.date(2026, 11, 1))
    assert inc.status == IncidentStatus.CONFIRMED
    entry = FundEntry.objects.get(incident=inc)
    assert (entry.kind, entry.amount, entry.department_id) == (
        FundEntryKind.FINE,
        D("10"),
        agent.department_id,
    )


@pytest.mark.django_db
def test_escalating_rule_counts_live_lines_of_the_month(org: dict) -> None:
    agent, actor = org["agent_a1"], org["lead_a"].user
    first = incident_book(
        actor=actor, employee=agent, day=DAY, rule_code="missed_handover", confirm=True
    )
    second = incident_book(
        actor=actor, employee=agent, day=DAY, rule_code="missed_handover", confirm=True
    )
    assert (first.money, second.money) == (D("-10.00"), D("-20.00"))
    incident_reverse(actor=actor, incident=second, reason="交接班记录补交")
    again = incident_book(
        actor=actor, employee=agent, day=DAY, rule_code="missed_handover", confirm=True
    )
    assert again.occurrence == 2 and again.money == D("-20.00")
    third = incident_book(actor=actor, employee=agent, day=DAY, rule_code="missed_handover")
    assert third.dismissal_proposed and third.money == 0
    # Next calendar month starts again at the first amount.
    nxt = incident_book(
        actor=actor, employee=agent, day=dt.date(2026, 10, 30), rule_code="missed_handover"
    )
    assert nxt.occurrence == 1


@pytest.mark.django_db
def test_range_and_manual_checks(org: dict) -> None:
    agent, actor = org["agent_a1"], org["lead_a"].user
    with pytest.raises(DomainError) as err:
        incident_book(actor=actor, employee=agent, day=DAY, rule_code="appearance", points=D("2"))
    assert err.value.code == "points_out_of_range"
    with pytest.raises(DomainError) as err:
        incident_book(actor=actor, employee=agent, day=DAY, rule_code="late")
    assert err.value.code == "rule_not_manual"
    with pytest.raises(DomainError):
        incident_book(actor=actor, employee=agent, day=DAY, rule_code="nope")
    slow = incident_book(
        actor=actor, employee=agent, day=DAY, rule_code="slow_greeting", quantity=D("3")
    )
    assert slow.money == D("-15") and slow.status == IncidentStatus.PROPOSED
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_evidence_is_booked_once(org: dict) -> None:
    agent = org["agent_a1"]
    kw = dict(
        actor=None,
        employee=agent,
        day=DAY,
        rule_code="late",
        source="attendance",
        points=D("0.5"),
        evidence_ref="attendance.attendanceday:1:late",
    )
    a = incident_book(**kw)
    b = incident_book(**kw)
    assert a.pk == b.pk and a.status == IncidentStatus.CONFIRMED and a.points == D("-0.5")


@pytest.mark.django_db
def test_reverse_in_closed_month_books_next_open_month(org: dict) -> None:
    agent, actor = org["agent_a1"], org["lead_a"].user
    inc = incident_book(
        actor=actor, employee=agent, day=DAY, rule_code="unrelated_activity", confirm=True
    )
    MonthClose.objects.create(
        month=dt.date(2026, 11, 1), status=MonthCloseStatus.CLOSING, approved_by=org["gm"].user
    )
    reversal, corrected = incident_reverse(
        actor=actor, incident=inc, reason="误登", corrected_money=D("-5")
    )
    assert reversal.month == dt.date(2026, 12, 1) and reversal.money == D("10")
    assert reversal.category == IncidentCategory.REVERSAL
    assert corrected is not None and corrected.money == D("-5")
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.REVOKED and inc.money == D("-10")
    fund = sum(FundEntry.objects.values_list("amount", flat=True))
    assert fund == D("5")  # 10 credited, 10 given back, 5 credited by the correction
    late = incident_book(actor=actor, employee=agent, day=DAY, rule_code="posture")
    assert late.month == dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_confirm_proposal(org: dict) -> None:
    agent, actor = org["agent_a1"], org["lead_a"].user
    inc = incident_book(actor=actor, employee=agent, day=DAY, rule_code="cleaning_duty_skipped")
    assert not FundEntry.objects.exists()
    incident_confirm(actor=actor, incident=inc)
    assert FundEntry.objects.get().amount == D("10")
    with pytest.raises(DomainError):
        incident_confirm(actor=actor, incident=inc)
