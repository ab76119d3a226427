"""Pure commission and ranking rules (PERF-2, PERF-3) — exact yuan, boundaries, properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kefu.sales import rules

D = Decimal
POLICY = {
    "threshold": D("0.70"),
    "rate_below": D("0.01"),
    "rate_at_or_above": D("0.015"),
    "no_inquiry": D("1.00"),
}


def test_commission_69_percent_is_one_percent() -> None:
    c = rules.commission_for(sales=D("20000"), orders=69, inquiries=100, **POLICY)
    assert c.conversion == D("0.6900")
    assert c.rate == D("0.01")
    assert c.commission == D("200.00")


def test_commission_70_percent_is_one_and_a_half_percent() -> None:
    c = rules.commission_for(sales=D("20000"), orders=70, inquiries=100, **POLICY)
    assert c.conversion == D("0.7000")
    assert c.commission == D("300.00")


def test_boundary_just_below_threshold_after_rounding() -> None:
    # 699/1000 = 69.9 % → below; 6999/10000 rounds to 0.6999 → below; 7/10 → at.
    assert rules.commission_for(sales=D("1000"), orders=699, inquiries=1000, **POLICY).rate == D(
        "0.01"
    )
    assert rules.commission_for(sales=D("1000"), orders=6999, inquiries=10000, **POLICY).rate == D(
        "0.01"
    )
    assert rules.commission_for(sales=D("1000"), orders=7, inquiries=10, **POLICY).rate == D(
        "0.015"
    )


def test_no_inquiries_counts_as_full_conversion() -> None:
    c = rules.commission_for(sales=D("1234.56"), orders=3, inquiries=0, **POLICY)
    assert c.conversion == D("1.00")
    assert c.commission == D("18.52")  # 1234.56 × 1.5 % = 18.5184


def test_rounding_half_up_to_the_fen() -> None:
    assert rules.round_yuan(D("0.005")) == D("0.01")
    assert rules.commission_for(sales=D("0.50"), orders=1, inquiries=2, **POLICY).commission == D(
        "0.01"
    )


def test_merge_inquiries_import_wins_per_day() -> None:
    d1, d2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)
    totals = rules.merge_inquiries(
        imported=[(1, d1, 40)], tickets=[(1, d1, 5), (1, d2, 7), (2, d1, 3)]
    )
    assert totals == {1: 47, 2: 3}


def test_top_of_ties_and_nobody() -> None:
    assert rules.top_of({1: D("10"), 2: D("10"), 3: D("5")}) == {1, 2}
    assert rules.top_of({1: D("0")}) == set()


def test_competition_ranks_share_rank_and_skip() -> None:
    ranks = rules.competition_ranks({1: D("500"), 2: D("500"), 3: D("300"), 4: D("0"), 5: D("200")})
    assert ranks == [(1, 1, D("500")), (2, 1, D("500")), (3, 3, D("300")), (5, 4, D("200"))]


def test_top_seller_awards_50_100_200_200() -> None:
    awards = [D("50"), D("100"), D("200")]
    assert [rules.top_seller_award(s, awards) for s in (1, 2, 3, 4, 12)] == [
        D("50"),
        D("100"),
        D("200"),
        D("200"),
        D("200"),
    ]


def test_streak_stops_at_first_gap() -> None:
    assert rules.streak_of(1, [{1}, {1, 2}, {3}, {1}]) == 3
    assert rules.streak_of(1, [{2}, {1}]) == 1


def test_weeks_ending_in_month() -> None:
    weeks = rules.weeks_ending_in(dt.date(2026, 6, 1))  # Sundays 7, 14, 21, 28 June 2026
    assert [w.sunday.day for w in weeks] == [7, 14, 21, 28]
    assert weeks[0].label == "2026-W23" and weeks[0].monday == dt.date(2026, 6, 1)
    march = rules.weeks_ending_in(dt.date(2026, 3, 1))  # 1 March 2026 is a Sunday
    assert march[0].monday == dt.date(2026, 2, 23) and len(march) == 5


@given(
    sales=st.decimals(min_value=0, max_value=10**8, places=2),
    orders=st.integers(min_value=0, max_value=10**5),
    inquiries=st.integers(min_value=0, max_value=10**5),
)
def test_commission_is_one_of_the_two_rates(sales: Decimal, orders: int, inquiries: int) -> None:
    c = rules.commission_for(sales=sales, orders=orders, inquiries=inquiries, **POLICY)
    assert c.commission in (
        rules.round_yuan(sales * D("0.01")),
        rules.round_yuan(sales * D("0.015")),
    )
    assert (c.rate == D("0.015")) == (c.conversion >= D("0.70"))


@given(st.dictionaries(st.integers(1, 50), st.decimals(min_value=0, max_value=10**6, places=2)))
def test_ranks_are_ordered_and_start_at_one(totals: dict[int, Decimal]) -> None:
    ranks = rules.competition_ranks(totals)
    assert [t for _, _, t in ranks] == sorted((t for _, _, t in ranks), reverse=True)
    if ranks:
        assert ranks[0][1] == 1
        assert {p for p, r, _ in ranks if r == 1} == rules.top_of(totals)
