"""Freight-responsibility rules, shipping clock, ages and ledger totals (pure, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.returns import rules
from kefu.returns.choices import CaseType, LedgerKind, Payer

COMPANY_TYPES = ["damaged", "missing", "lost"]


def terms(case_type: str, quality: bool, reship: str = "company", intercept: str = "customer"):
    return rules.freight_terms(
        case_type=case_type,
        quality_fault=quality,
        company_fault_types=COMPANY_TYPES,
        non_quality_reship_payer=reship,
        intercept_return_payer=intercept,
    )


def test_quality_fault_company_pays_both_ways_customer_advances_return() -> None:
    t = terms(CaseType.EXCHANGE, True)
    assert t.return_payer == Payer.COMPANY
    assert t.reship_payer == Payer.COMPANY
    assert t.customer_advances_return and t.refund_return_freight_after_receipt


def test_non_quality_return_customer_pays_one_way() -> None:
    t = terms(CaseType.RETURN, False)
    assert t.return_payer == Payer.CUSTOMER
    assert t.reship_payer == Payer.NONE
    assert not t.refund_return_freight_after_receipt


def test_non_quality_exchange_reship_payer_is_policy() -> None:
    assert terms(CaseType.EXCHANGE, False).reship_payer == Payer.COMPANY
    assert terms(CaseType.EXCHANGE, False, reship="customer").reship_payer == Payer.CUSTOMER


def test_company_fault_types_count_as_quality() -> None:
    for case_type in COMPANY_TYPES:
        assert terms(case_type, False).company_fault


def test_intercept_returned_by_courier_nothing_advanced() -> None:
    t = terms(CaseType.INTERCEPT, False)
    assert t.return_payer == Payer.CUSTOMER
    assert not t.customer_advances_return
    assert terms(CaseType.INTERCEPT, False, intercept="company").return_payer == Payer.COMPANY


@pytest.mark.parametrize("case_type", CaseType.values)
@pytest.mark.parametrize("quality", [True, False])
def test_every_type_and_fault(case_type: str, quality: bool) -> None:
    t = terms(case_type, quality)
    if quality:
        # 质量问题: the customer never pays a leg.
        assert Payer.CUSTOMER not in (t.return_payer, t.reship_payer)
    if case_type not in rules.RETURN_LEG_TYPES:
        assert t.return_payer == Payer.NONE and not t.customer_advances_return
    if case_type not in rules.RESHIP_LEG_TYPES:
        assert t.reship_payer == Payer.NONE
    # The advance is refunded exactly when the company owes the return leg.
    assert t.refund_return_freight_after_receipt == t.customer_advances_return
    assert t.summary


@given(
    advanced=st.decimals(min_value=0, max_value=1000, places=2),
    refunded=st.decimals(min_value=0, max_value=1000, places=2),
    cap=st.decimals(min_value=0, max_value=100, places=2),
    quality=st.booleans(),
)
def test_freight_refund_never_negative_nor_above_advance(advanced, refunded, cap, quality) -> None:
    t = terms(CaseType.RETURN, quality)
    due = rules.freight_refund_due(t, advanced=advanced, already_refunded=refunded, cap=cap)
    assert due >= 0
    assert due <= advanced
    if cap > 0:
        assert due <= cap
    if not quality:
        assert due == 0


def test_ship_clock_24_48() -> None:
    start = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)
    h = dt.timedelta(hours=1)
    clock = lambda now, shipped=None: rules.ship_clock(  # noqa: E731
        start=start, target_hours=24, max_hours=48, now=now, shipped_at=shipped
    )
    assert clock(start + 23 * h).state == "on_time"
    assert clock(start + 30 * h).state == "late"
    assert clock(start + 49 * h).state == "breached"
    assert clock(start + 60 * h, start + 40 * h).state == "shipped_on_time"
    assert clock(start + 60 * h, start + 50 * h).state == "shipped_late"


@given(days=st.integers(0, 400), warn=st.integers(1, 30), late=st.integers(1, 60))
def test_age_level_monotone(days: int, warn: int, late: int) -> None:
    order = {"ok": 0, "warn": 1, "late": 2}
    a = rules.age_level(days=days, stage="registered", warn_days=warn, late_days=late, by_stage={})
    b = rules.age_level(
        days=days + 1, stage="registered", warn_days=warn, late_days=late, by_stage={}
    )
    assert order[a] <= order[b]
    assert (a == "late") == (days >= late)


def test_stage_threshold_overrides() -> None:
    kw = {"warn_days": 3, "late_days": 7, "by_stage": {"awaiting_return": 10}}
    assert rules.age_level(days=8, stage="registered", **kw) == "late"
    assert rules.age_level(days=8, stage="awaiting_return", **kw) == "warn"


def test_ledger_totals() -> None:
    totals = rules.ledger_totals(
        [
            (LedgerKind.FREIGHT_CUSTOMER, Decimal("12")),
            (LedgerKind.FREIGHT_REFUND, Decimal("12")),
            (LedgerKind.REFUND, Decimal("299")),
            (LedgerKind.PRICE_DIFFERENCE, Decimal("-20")),
            (LedgerKind.CLAIM, Decimal("50")),
        ]
    )
    assert totals.to_customer == Decimal("331.00")
    assert totals.company_net == Decimal("281.00")


def test_days_open() -> None:
    assert rules.days_open(dt.date(2026, 1, 1), dt.date(2026, 1, 5)) == 4
    assert rules.days_open(dt.date(2026, 1, 5), dt.date(2026, 1, 1)) == 0
