"""部门基金 services and selectors (PERF-7): balance arithmetic with fines and their reversals,
the spending approval chain, the no-negative-balance rule, and who reads which fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, Notification
from kefu.fund import selectors, services
from kefu.fund.choices import FundEntryKind, FundEntryStatus
from kefu.fund.models import FundEntry
from kefu.org.approval_flow import approval_current, approvals_pending_for_user
from kefu.org.models import ApprovalStep
from kefu.performance.services.booking import incident_book, incident_reverse

D = Decimal
pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def income(org: dict[str, Any], amount: str, dept: Any = None) -> FundEntry:
    return services.fund_income_record(
        actor=org["manager"].user,
        department=dept or org["cs"],
        day=today(),
        amount=D(amount),
        description="开业红包",
    )


def ask(org: dict[str, Any], amount: str, who: str = "lead_a") -> FundEntry:
    return services.fund_spending_request(
        actor=org[who].user,
        department=org["cs"],
        day=today(),
        amount=D(amount),
        description="班组生日会",
    )


def chain(entry: FundEntry) -> list[str]:
    return list(
        ApprovalStep.objects.filter(subject_id=entry.pk, kind="fund_spending")
        .order_by("position")
        .values_list("approver__employee_no", flat=True)
    )


def approve_all(entry: FundEntry) -> FundEntry:
    while (step := approval_current(entry)) is not None:
        entry = services.fund_spending_decide(
            actor=step.approver.user, entry=entry, approve=True, reason=""
        )
    return entry


def test_balance_counts_fines_reversals_income_and_effective_spending(org) -> None:
    cs = org["cs"].pk
    assert selectors.fund_balance(cs) == D("0.00")
    fine = incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=today(),
        rule_code="contact_leaked",
        confirm=True,
    )
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_b1"],
        day=today(),
        rule_code="contact_leaked",
        confirm=True,
    )
    assert selectors.fund_balance(cs) == D("20.00")
    incident_reverse(actor=org["supervisor"].user, incident=fine, reason="申诉成立")
    assert selectors.fund_balance(cs) == D("10.00")
    kinds = sorted(FundEntry.objects.filter(department_id=cs).values_list("kind", "amount"))
    assert kinds == [("fine", D("10.00")), ("fine", D("10.00")), ("fine_reversal", D("-10.00"))]
    income(org, "500")
    spent = approve_all(ask(org, "120.50"))
    assert spent.status == FundEntryStatus.EFFECTIVE and spent.decided_at is not None
    pending = ask(org, "100")
    assert pending.status == FundEntryStatus.PENDING
    assert selectors.fund_balance(cs) == D("389.50")  # 10 + 500 − 120.50; pending not counted
    # Another department's fund is untouched.
    assert selectors.fund_balance(org["hr_dept"].pk) == D("0.00")
    month = selectors.fund_month_totals(cs, today())
    assert (month.income, month.spending) == (D("520.00"), D("130.50"))


def test_running_balance_per_line_in_day_then_id_order(org) -> None:
    cs = org["cs"]
    first = services.fund_income_record(
        actor=org["manager"].user,
        department=cs,
        day=today() - dt.timedelta(days=2),
        amount=D("100"),
        description="a",
    )
    later = income(org, "50")
    between = services.fund_income_record(
        actor=org["manager"].user,
        department=cs,
        day=today() - dt.timedelta(days=1),
        amount=D("25"),
        description="b",
    )
    pending = ask(org, "30")
    rows = {e.pk: e.running for e in selectors.ledger_entries(cs.pk)}
    assert rows[first.pk] == D("100")
    assert rows[between.pk] == D("125")
    assert rows[later.pk] == D("175")
    assert rows[pending.pk] == D("175")  # a pending line moves nothing (shown as —)
    assert [e.pk for e in selectors.ledger_entries(cs.pk)] == [
        pending.pk,
        later.pk,
        between.pk,
        first.pk,
    ]
    only_income = selectors.ledger_entries(cs.pk, kind="income", status="effective")
    assert only_income.count() == 3


def test_spending_up_to_500_ends_at_department_head(org) -> None:
    income(org, "1000")
    entry = ask(org, "500")
    assert entry.amount == D("-500.00") and entry.status == FundEntryStatus.PENDING
    assert chain(entry) == ["KF002", "KF001"]  # 主管 → 经理, nobody skipped
    assert Notification.objects.filter(recipient=org["supervisor"].user).exists()
    assert list(
        approvals_pending_for_user(org["supervisor"].user).values_list("link", flat=True)
    ) == [f"/fund/{entry.pk}/"]
    # The manager may not decide before the supervisor (不得越级).
    with pytest.raises(PermissionDeniedError):
        services.fund_spending_decide(actor=org["manager"].user, entry=entry, approve=True)
    entry = services.fund_spending_decide(actor=org["supervisor"].user, entry=entry, approve=True)
    assert entry.status == FundEntryStatus.PENDING
    entry = services.fund_spending_decide(actor=org["manager"].user, entry=entry, approve=True)
    assert entry.status == FundEntryStatus.EFFECTIVE
    assert selectors.fund_balance(org["cs"].pk) == D("500.00")
    actions = set(
        AuditEvent.objects.filter(
            object_type="fund.fundentry", object_id=str(entry.pk)
        ).values_list("action", flat=True)
    )
    assert {"fund.spending_request", "approval.start", "fund.spending_approve"} <= actions


def test_spending_of_600_climbs_to_the_gm(org) -> None:
    income(org, "1000")
    entry = ask(org, "600")
    assert chain(entry) == ["KF002", "KF001", "G002", "G001"]
    for who in ("supervisor", "manager", "dgm"):
        entry = services.fund_spending_decide(actor=org[who].user, entry=entry, approve=True)
        assert entry.status == FundEntryStatus.PENDING
    entry = services.fund_spending_decide(actor=org["gm"].user, entry=entry, approve=True)
    assert entry.status == FundEntryStatus.EFFECTIVE
    assert selectors.fund_balance(org["cs"].pk) == D("400.00")


def test_rejection_needs_a_reason_and_ends_the_request(org) -> None:
    income(org, "300")
    entry = ask(org, "200")
    with pytest.raises(DomainError) as exc:
        services.fund_spending_decide(actor=org["supervisor"].user, entry=entry, approve=False)
    assert exc.value.code == "approval_comment_required"
    entry = services.fund_spending_decide(
        actor=org["supervisor"].user, entry=entry, approve=False, reason="活动方案不明确"
    )
    assert (entry.status, entry.reject_reason) == (FundEntryStatus.REJECTED, "活动方案不明确")
    assert approval_current(entry) is None
    assert selectors.fund_balance(org["cs"].pk) == D("300.00")
    with pytest.raises(DomainError) as exc:
        services.fund_spending_decide(actor=org["manager"].user, entry=entry, approve=True)
    assert exc.value.code == "fund_not_pending"


def test_negative_balance_refused_at_request(org) -> None:
    income(org, "300")
    with pytest.raises(DomainError) as exc:
        ask(org, "300.01")
    assert exc.value.code == "fund_insufficient"
    assert "余额不足" in exc.value.message and "¥300.00" in exc.value.message
    assert "amount" in exc.value.fields
    first = ask(org, "200")
    # The spending still in approval is set aside: only ¥100.00 is left to ask for.
    with pytest.raises(DomainError) as exc:
        ask(org, "150", who="lead_b")
    assert "待审批支出¥200.00" in exc.value.message
    assert FundEntry.objects.filter(kind=FundEntryKind.SPENDING).count() == 1
    assert first.status == FundEntryStatus.PENDING


def test_negative_balance_refused_at_final_approval(org) -> None:
    fine = incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=today(),
        rule_code="contact_leaked",
        confirm=True,
    )
    income(org, "90")
    entry = ask(org, "100")  # balance 100 covers it when asked
    entry = services.fund_spending_decide(actor=org["supervisor"].user, entry=entry, approve=True)
    incident_reverse(actor=org["supervisor"].user, incident=fine, reason="申诉成立")
    assert selectors.fund_balance(org["cs"].pk) == D("90.00")
    with pytest.raises(DomainError) as exc:
        services.fund_spending_decide(actor=org["manager"].user, entry=entry, approve=True)
    assert exc.value.code == "fund_insufficient"
    entry.refresh_from_db()
    assert entry.status == FundEntryStatus.PENDING
    assert approval_current(entry).approver_id == org["manager"].pk  # nothing was recorded


def test_cancel_only_by_requester_while_pending(org) -> None:
    income(org, "300")
    entry = ask(org, "100")
    with pytest.raises(PermissionDeniedError):
        services.fund_spending_cancel(actor=org["supervisor"].user, entry=entry)
    entry = services.fund_spending_cancel(actor=org["lead_a"].user, entry=entry, reason="改期")
    assert entry.status == FundEntryStatus.CANCELLED
    assert approval_current(entry) is None
    assert not approvals_pending_for_user(org["supervisor"].user).exists()
    with pytest.raises(DomainError) as exc:
        services.fund_spending_cancel(actor=org["lead_a"].user, entry=entry)
    assert exc.value.code == "fund_not_pending"


@pytest.mark.parametrize("who", ["agent_a1", "hr", "gm", "sysadmin"])
def test_roles_without_spending_right_are_refused(org, who) -> None:
    income(org, "300")
    with pytest.raises(PermissionDeniedError):
        ask(org, "10", who=who)
    assert not FundEntry.objects.filter(kind=FundEntryKind.SPENDING).exists()
    assert not ApprovalStep.objects.exists()


def test_income_only_by_keepers_of_their_own_department(org) -> None:
    for who in ("lead_a", "agent_a1", "gm"):
        with pytest.raises(PermissionDeniedError):
            services.fund_income_record(
                actor=org[who].user,
                department=org["cs"],
                day=today(),
                amount=D("10"),
                description="x",
            )
    with pytest.raises(PermissionDeniedError):  # the manager may not touch 行政人事部's fund
        income(org, "10", dept=org["hr_dept"])
    assert not FundEntry.objects.exists()
    entry = services.fund_income_record(
        actor=org["supervisor"].user,
        department=org["cs"],
        day=today(),
        amount=D("88.80"),
        description="废品回收",
    )
    assert (entry.kind, entry.status, entry.amount) == ("income", "effective", D("88.80"))


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5", "amount"), ("1.234", "amount"), ("NaN", "amount")],
)
def test_bad_amounts_are_refused_beside_the_field(org, amount, field) -> None:
    with pytest.raises(DomainError) as exc:
        income(org, amount)
    assert field in exc.value.fields


def test_future_day_and_empty_description_refused(org) -> None:
    with pytest.raises(DomainError) as exc:
        services.fund_income_record(
            actor=org["manager"].user,
            department=org["cs"],
            day=today() + dt.timedelta(days=1),
            amount=D("1"),
            description="x",
        )
    assert "day" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.fund_income_record(
            actor=org["manager"].user,
            department=org["cs"],
            day=today(),
            amount=D("1"),
            description="  ",
        )
    assert "description" in exc.value.fields


def test_who_reads_which_fund(org) -> None:
    def names(who: str) -> set[str]:
        return {d.code for d in selectors.fund_departments_for_user(org[who].user)}

    assert names("agent_a1") == {"CS"}
    assert names("lead_a") == {"CS"}
    assert names("manager") == {"CS"}
    assert names("after_sales") == {"AS"}
    assert names("sysadmin") == {"IT"}
    everything = {"HQ", "CS", "AS", "HR", "IT"}
    assert names("hr") == names("gm") == names("dgm") == everything
    # A department's head also reads the departments below it.
    org["cs"].head = org["manager"]
    org["cs"].save()
    assert names("manager") == {"CS", "AS"}


def test_entries_for_user_scope(org) -> None:
    cs = income(org, "100")
    hr_line = (
        services.fund_income_record(
            actor=org["hr"].user,
            department=org["hr_dept"],
            day=today(),
            amount=D("1"),
            description="x",
        )
        if org["hr"].user.has_perm("fund.record_income")
        else None
    )
    assert hr_line is None  # 行政人事部 reads every fund but records no income
    FundEntry.objects.create(
        department=org["hr_dept"],
        day=today(),
        kind="income",
        amount=D("5"),
        description="y",
        created_at=timezone.now(),
    )
    agent = org["agent_a1"].user
    assert list(selectors.fund_entries_for_user(agent).values_list("pk", flat=True)) == [cs.pk]
    assert selectors.fund_entries_for_user(org["gm"].user).count() == 2


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_month_range_spans_one_calendar_month(day: dt.date) -> None:
    start, end = selectors.month_range(day)
    assert start == day.replace(day=1) and end.day == 1
    assert start <= day < end and (end - start).days in (28, 29, 30, 31)
    assert selectors.parse_month(f"{day:%Y-%m}") == start


def test_parse_month_refuses_junk() -> None:
    for junk in ("2026-13", "", "x", "0000-01", None):
        assert selectors.parse_month(junk) is None


def test_demo_is_idempotent(org) -> None:
    from kefu.fund.demo import seed_demo_fund

    seed_demo_fund(None)
    seed_demo_fund(None)
    rows = sorted(
        FundEntry.objects.filter(department=org["cs"]).values_list("kind", "amount", "status")
    )
    assert rows == [
        ("income", D("1500.00"), "effective"),
        ("spending", D("-800.00"), "pending"),
        ("spending", D("-360.00"), "effective"),
    ]
    assert selectors.fund_balance(org["cs"].pk) == D("1140.00")
