"""Ledger services — 登记, 确认, 申诉, 撤销/更正: exact points and yuan, scope, the appeal window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import Notification
from kefu.fund.models import FundEntry
from kefu.performance import selectors
from kefu.performance.choices import AppealStatus, IncidentCategory, IncidentStatus
from kefu.performance.models import Appeal, Incident, MonthClose
from kefu.performance.services import ledger

D = Decimal


def _today() -> dt.date:
    return timezone.localdate()


def _totals(employee_id: int) -> tuple[Decimal, Decimal]:
    agg = Incident.objects.filter(
        employee_id=employee_id,
        status__in=("confirmed", "appealed", "revoked"),
    ).aggregate(p=Sum("points"), m=Sum("money"))
    return agg["p"] or D(0), agg["m"] or D(0)


def _record(org: dict, who: str = "lead_a", **kw) -> Incident:
    args = {
        "employee": org["agent_a1"],
        "day": _today(),
        "rule_code": "contact_leaked",
    }
    args.update(kw)
    return ledger.incident_record(actor=org[who].user, **args)


@pytest.mark.django_db
def test_lead_records_confirmed_fine_with_catalogue_amount(org: dict) -> None:
    inc = _record(org)
    assert (inc.points, inc.money, inc.status) == (D("0"), D("-10"), IncidentStatus.CONFIRMED)
    assert inc.recorded_by == org["lead_a"].user
    assert FundEntry.objects.get(incident=inc).amount == D("10")


@pytest.mark.django_db
def test_range_and_per_unit_rules(org: dict) -> None:
    inc = _record(org, rule_code="quarrel_with_customer", points=D("3"))
    assert inc.points == D("-3")
    with pytest.raises(DomainError) as err:
        _record(org, rule_code="quarrel_with_customer", points=D("6"))
    assert err.value.fields == {"points": "超出制度规定的范围"}
    slow = _record(org, rule_code="slow_greeting", quantity=D("3"))
    assert slow.money == D("-15")
    praise = _record(org, rule_code="customer_praise", points=D("8"))
    assert (praise.points, praise.category) == (D("8"), IncidentCategory.ADDITION)
    reward = _record(org, rule_code="suggestion_money", money=D("60"))
    assert reward.money == D("60")


@pytest.mark.django_db
def test_propose_only_then_confirm(org: dict) -> None:
    inc = _record(org, propose_only=True)
    assert inc.status == IncidentStatus.PROPOSED
    assert _totals(org["agent_a1"].pk) == (D(0), D(0))
    ledger.incident_confirm(actor=org["supervisor"].user, incident=inc)
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.CONFIRMED
    assert _totals(org["agent_a1"].pk) == (D(0), D("-10"))


@pytest.mark.django_db
def test_bulk_confirm_only_in_scope(org: dict) -> None:
    a = _record(org, propose_only=True)
    b = _record(org, propose_only=True, employee=org["agent_a2"])
    other = _record(org, who="lead_b", propose_only=True, employee=org["agent_b1"])
    n = ledger.incidents_confirm_bulk(actor=org["lead_a"].user, incident_ids=[a.pk, b.pk, other.pk])
    assert n == 2
    statuses = dict(Incident.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "confirmed", b.pk: "confirmed", other.pk: "proposed"}


@pytest.mark.django_db
def test_lead_cannot_record_outside_team_or_for_self(org: dict) -> None:
    with pytest.raises(PermissionDeniedError):
        _record(org, employee=org["agent_b1"])
    with pytest.raises(PermissionDeniedError):
        _record(org, employee=org["lead_a"])
    with pytest.raises(PermissionDeniedError):
        _record(org, who="agent_a2")
    with pytest.raises(PermissionDeniedError):
        _record(org, who="hr")
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_automatic_rules_cannot_be_recorded_by_hand(org: dict) -> None:
    with pytest.raises(DomainError) as err:
        _record(org, rule_code="late")
    assert err.value.code == "rule_not_manual"


@pytest.mark.django_db
def test_agent_sees_only_own_and_lead_sees_team(org: dict) -> None:
    mine = _record(org)
    other = _record(org, who="lead_b", employee=org["agent_b1"])
    assert list(selectors.incidents_for_user(org["agent_a1"].user)) == [mine]
    assert list(selectors.incidents_for_user(org["agent_a2"].user)) == []
    assert set(selectors.incidents_for_user(org["lead_a"].user)) == {mine}
    assert set(selectors.incidents_for_user(org["manager"].user)) == {mine, other}
    assert set(selectors.incidents_for_user(org["gm"].user)) == {mine, other}


@pytest.mark.django_db
def test_appeal_then_revoke_restores_totals_exactly(org: dict) -> None:
    agent = org["agent_a1"]
    keep = _record(org, rule_code="posture")
    before = _totals(agent.pk)
    inc = _record(org, rule_code="quarrel_with_customer", points=D("4"))
    assert _totals(agent.pk) == (before[0] - 4, before[1])
    appeal = ledger.appeal_file(actor=agent.user, incident=inc, reason="客户先辱骂，有录音")
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.APPEALED
    # the manager in scope is told
    assert Notification.objects.filter(recipient=org["manager"].user).count() == 1
    ledger.appeal_decide(
        actor=org["manager"].user, appeal=appeal, decision="revoked", reason="录音属实"
    )
    appeal.refresh_from_db()
    inc.refresh_from_db()
    assert appeal.status == AppealStatus.REVOKED and appeal.decided_by == org["manager"].user
    assert inc.status == IncidentStatus.REVOKED and inc.points == D("-4")  # never edited
    reversal = inc.reversals.get()
    assert (reversal.points, reversal.money, reversal.category) == (D("4"), D("0"), "reversal")
    assert _totals(agent.pk) == before
    assert keep.points == D("-1")
    assert Notification.objects.filter(recipient=agent.user).count() == 1


@pytest.mark.django_db
def test_appeal_upheld_and_corrected(org: dict) -> None:
    agent, manager = org["agent_a1"], org["manager"].user
    inc = _record(org, rule_code="unrelated_activity")
    appeal = ledger.appeal_file(actor=agent.user, incident=inc, reason="在查订单")
    ledger.appeal_decide(actor=manager, appeal=appeal, decision="upheld", reason="监控显示在玩手机")
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.CONFIRMED
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.UPHELD
    # appealing again is allowed (the previous one is decided) — then corrected to 5 yuan
    again = ledger.appeal_file(actor=agent.user, incident=inc, reason="补充证据")
    with pytest.raises(DomainError):
        ledger.appeal_decide(actor=manager, appeal=again, decision="corrected", reason="酌减")
    ledger.appeal_decide(
        actor=manager, appeal=again, decision="corrected", reason="酌减", corrected_money=D("5")
    )
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.REVOKED
    assert _totals(agent.pk) == (D(0), D("-5"))
    corrected = Incident.objects.get(source="correction", reverses__isnull=True)
    assert corrected.money == D("-5")


@pytest.mark.django_db
def test_only_own_confirmed_within_window_and_one_pending(org: dict) -> None:
    agent = org["agent_a1"]
    inc = _record(org)
    with pytest.raises(PermissionDeniedError):
        ledger.appeal_file(actor=org["agent_a2"].user, incident=inc, reason="x")
    with pytest.raises(DomainError) as err:
        ledger.appeal_file(actor=agent.user, incident=inc, reason="  ")
    assert err.value.fields == {"reason": "必填"}
    ledger.appeal_file(actor=agent.user, incident=inc, reason="不认可")
    with pytest.raises(ConflictError) as err:
        ledger.appeal_file(actor=agent.user, incident=inc, reason="再次")
    assert err.value.code == "appeal_pending"
    proposed = _record(org, propose_only=True)
    with pytest.raises(ConflictError):
        ledger.appeal_file(actor=agent.user, incident=proposed, reason="x")
    # window: 3 days after confirmation (policy appeal_window_days)
    late = _record(org, rule_code="posture")
    Incident.objects.filter(pk=late.pk).update(confirmed_at=timezone.now() - dt.timedelta(days=4))
    late.refresh_from_db()
    with pytest.raises(ConflictError) as err:
        ledger.appeal_file(actor=agent.user, incident=late, reason="x")
    assert err.value.code == "appeal_window_passed"
    Incident.objects.filter(pk=late.pk).update(confirmed_at=timezone.now() - dt.timedelta(days=3))
    late.refresh_from_db()
    assert ledger.appeal_file(actor=agent.user, incident=late, reason="x").pk


@pytest.mark.django_db
def test_refused_roles_change_nothing(org: dict) -> None:
    inc = _record(org)
    appeal = ledger.appeal_file(actor=org["agent_a1"].user, incident=inc, reason="不认可")
    for who in ("lead_a", "supervisor", "agent_a1", "hr", "gm"):
        with pytest.raises(PermissionDeniedError):
            ledger.appeal_decide(actor=org[who].user, appeal=appeal, decision="revoked", reason="x")
        with pytest.raises(PermissionDeniedError):
            ledger.incident_revoke(actor=org[who].user, incident=inc, reason="x")
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.APPEALED
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_revoke_in_locked_month_goes_to_next_open_month(org: dict) -> None:
    today = _today()
    first = today.replace(day=1)
    inc = _record(org, day=first)
    MonthClose.objects.create(
        month=first,
        status="closed",
        approved_by=org["gm"].user,
        approved_at=timezone.now(),
        closed_at=timezone.now(),
    )
    reversal, _ = ledger.incident_revoke(actor=org["manager"].user, incident=inc, reason="误登")
    inc.refresh_from_db()
    assert inc.month == first and inc.money == D("-10")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    assert reversal.month == nxt and reversal.money == D("10")


@pytest.mark.django_db
def test_rule_preview_counts_occurrence(org: dict) -> None:
    agent = org["agent_a1"]
    day = _today()
    p = selectors.rule_preview(rule_code="missed_handover", day=day, employee_id=agent.pk)
    assert (p.occurrence, p.escalated_money, p.dismissal) == (1, D("10.00"), False)
    assert p.steps == ["¥10.00", "¥20.00", "辞退"]
    _record(org, rule_code="missed_handover")
    p = selectors.rule_preview(rule_code="missed_handover", day=day, employee_id=agent.pk)
    assert (p.occurrence, p.escalated_money) == (2, D("20.00"))
    _record(org, rule_code="missed_handover")
    p = selectors.rule_preview(rule_code="missed_handover", day=day, employee_id=agent.pk)
    assert (p.occurrence, p.dismissal) == (3, True)
    rows = {r.rule.code: r for r in selectors.catalogue(day)}
    assert rows["service_complaint"].escalation_steps == ["¥50.00", "¥100.00", "辞退"]


@pytest.mark.django_db
def test_lead_rejects_a_proposal_which_never_counts(org: dict) -> None:
    inc = _record(org, propose_only=True)
    with pytest.raises(DomainError) as err:
        ledger.incident_reject(actor=org["lead_a"].user, incident=inc, reason=" ")
    assert err.value.code == "reason_required"
    with pytest.raises(PermissionDeniedError):  # another team's lead
        ledger.incident_reject(actor=org["lead_b"].user, incident=inc, reason="不属实")
    with pytest.raises(PermissionDeniedError):  # the agent concerned
        ledger.incident_reject(actor=org["agent_a1"].user, incident=inc, reason="不属实")
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.PROPOSED
    done = ledger.incident_reject(actor=org["lead_a"].user, incident=inc, reason="监控显示已打扫")
    assert done.status == IncidentStatus.REVOKED and not done.reversals.exists()
    # A revoked proposal is not counted (it never was) and books nothing in the fund.
    counted = Incident.objects.filter(
        employee=org["agent_a1"], status__in=("confirmed", "appealed")
    )
    assert not counted.exists() and not FundEntry.objects.exists()
    confirmed = _record(org)
    with pytest.raises(ConflictError):  # a counted line is the manager's to revoke
        ledger.incident_reject(actor=org["lead_a"].user, incident=confirmed, reason="误登")


@pytest.mark.django_db
def test_reject_through_page_and_api(org: dict, client_for) -> None:
    inc = _record(org, propose_only=True)
    other = _record(org, propose_only=True)
    agent = client_for(org["agent_a1"].user)
    assert (
        agent.post(f"/performance/incidents/{inc.pk}/reject/", {"reason": "x"}).status_code == 403
    )
    assert (
        agent.post(
            f"/api/v1/performance/incidents/{inc.pk}/reject",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.PROPOSED
    lead = client_for(org["lead_a"].user)
    page = lead.get(f"/performance/incidents/{inc.pk}/")
    assert 'data-testid="incident-reject"' in page.content.decode()
    r = lead.post(f"/performance/incidents/{inc.pk}/reject/", {"reason": "重复登记"})
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.REVOKED
    r = lead.post(
        f"/api/v1/performance/incidents/{other.pk}/reject",
        {"reason": "重复登记"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    again = lead.post(
        f"/api/v1/performance/incidents/{other.pk}/reject",
        {"reason": "重复登记"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "not_proposed"
