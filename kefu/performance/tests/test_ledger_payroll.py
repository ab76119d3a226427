"""ledger_payroll_lines — the ledger's figures for the month close, summed in SQL, reversals in
the column of the line they cancel, dismissal flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.performance.ledger_payroll import ledger_payroll_lines
from kefu.performance.models import MonthClose
from kefu.performance.payroll import FLAG
from kefu.performance.services import ledger
from kefu.performance.services.booking import incident_book

D = Decimal


def _by(lines: list) -> dict:
    return {(ln.employee_id, ln.column): ln.amount for ln in lines if ln.column != FLAG}


@pytest.mark.django_db
def test_columns_reversals_and_flags(org: dict, django_assert_max_num_queries) -> None:
    a1, a2, lead = org["agent_a1"], org["agent_a2"], org["lead_a"].user
    day = timezone.localdate()
    month = day.replace(day=1)

    def rec(emp, rule, **kw):
        return ledger.incident_record(actor=lead, employee=emp, day=day, rule_code=rule, **kw)

    fine = rec(a1, "contact_leaked")  # −10
    rec(a1, "unclear_swap")  # −20
    rec(a1, "suggestion_money", money=D("30"))  # +30
    rec(a1, "posture")  # points only
    rec(a1, "contact_leaked", propose_only=True)  # not counted
    rec(a2, "slow_greeting", quantity=D("2"))  # −10
    for _ in range(3):
        incident_book(actor=lead, employee=a2, day=day, rule_code="missed_handover", confirm=True)
    ledger.incident_revoke(actor=org["manager"].user, incident=fine, reason="误登")
    with django_assert_max_num_queries(2):
        lines = ledger_payroll_lines(month, [a1.pk, a2.pk])
    assert _by(lines) == {
        (a1.pk, "fines"): D("-20"),
        (a1.pk, "rewards"): D("30"),
        (a2.pk, "fines"): D("-40"),
    }
    flags = [(ln.employee_id, ln.note) for ln in lines if ln.column == FLAG]
    assert flags == [(a2.pk, "建议辞退（未交班（交接班缺失造成损失）第3次）")]
    assert _by(ledger_payroll_lines(month, [a1.pk])) == {
        (a1.pk, "fines"): D("-20"),
        (a1.pk, "rewards"): D("30"),
    }


@pytest.mark.django_db
def test_reversal_of_a_closed_month_lands_in_the_next(org: dict) -> None:
    a1 = org["agent_a1"]
    day = timezone.localdate().replace(day=1)
    nxt = (day + dt.timedelta(days=32)).replace(day=1)
    inc = ledger.incident_record(
        actor=org["lead_a"].user, employee=a1, day=day, rule_code="minor_demerit"
    )
    reward = ledger.incident_record(
        actor=org["lead_a"].user, employee=a1, day=day, rule_code="suggestion_money"
    )
    MonthClose.objects.create(
        month=day,
        status="closed",
        approved_by=org["gm"].user,
        approved_at=timezone.now(),
        closed_at=timezone.now(),
    )
    ledger.incident_revoke(actor=org["manager"].user, incident=reward, reason="重复登记")
    assert _by(ledger_payroll_lines(day, None)) == {(a1.pk, "rewards"): D("10")}
    assert _by(ledger_payroll_lines(nxt, None)) == {(a1.pk, "rewards"): D("-10")}
    assert inc.money == D("0")  # a sanction's money comes from the score card, not the rule


FINE_RULES = ("contact_leaked", "unclear_swap", "unrelated_activity", "suggestion_money")


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(FINE_RULES), st.booleans()), min_size=1, max_size=6))
def test_revoking_restores_the_money_exactly(org: dict, make_employee, plan: list) -> None:
    """Property: whatever is recorded and whichever lines are revoked, the month's ledger money
    equals the sum of the lines left standing."""
    person = make_employee(team=org["team_a"], department=org["cs"])
    day = timezone.localdate()
    lead, manager = org["lead_a"].user, org["manager"].user
    standing = D(0)
    for rule, revoke in plan:
        inc = ledger.incident_record(actor=lead, employee=person, day=day, rule_code=rule)
        if revoke:
            ledger.incident_revoke(actor=manager, incident=inc, reason="撤销")
        else:
            standing += inc.money
    total = sum((ln.amount for ln in ledger_payroll_lines(day.replace(day=1), [person.pk])), D(0))
    assert total == standing
