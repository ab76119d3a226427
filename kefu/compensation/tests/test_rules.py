"""Pure rules of 投诉赔偿 (CMP-9): allocation by 基点数, the monthly cap and carry-over, 行政罚扣折算."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.compensation.rules import (
    Debt,
    allocate_by_base_points,
    month_instalments,
    monthly_cap,
    project_schedule,
    sanction_money,
)

D = Decimal
M = dt.date


def test_loss_over_base_points_1_2_3():
    # 第二十一条: 3,000 ÷ 6 基点 × 1/2/3
    assert allocate_by_base_points(D("3000"), [D("1"), D("2"), D("3")]) == [
        D("500.00"),
        D("1000.00"),
        D("1500.00"),
    ]


def test_cents_go_by_largest_remainder():
    # 100 over three equal people: 33.34 + 33.33 + 33.33, the first one takes the cent.
    assert allocate_by_base_points(D("100"), [D("1"), D("1"), D("1")]) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    # 1,000 over 1.2 / 1.5 / 1.0 (3.7 points): 324.32 + 405.41 + 270.27 = 1,000.00
    parts = allocate_by_base_points(D("1000"), [D("1.2"), D("1.5"), D("1.0")])
    assert parts == [D("324.32"), D("405.41"), D("270.27")]


def test_nobody_to_charge_gives_zeros():
    assert allocate_by_base_points(D("500"), []) == []
    assert allocate_by_base_points(D("500"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]


@settings(max_examples=200, deadline=None)
@given(
    loss=st.decimals(min_value=0, max_value=10_000_000, places=2),
    points=st.lists(
        st.decimals(min_value=D("0.1"), max_value=50, places=2), min_size=1, max_size=40
    ),
)
def test_allocations_add_up_to_the_loss(loss, points):
    parts = allocate_by_base_points(loss, points)
    assert sum(parts) == loss
    assert all(p >= 0 for p in parts)
    # nobody pays more than a cent over their exact share
    total = sum(points)
    for part, pt in zip(parts, points, strict=True):
        assert abs(part - loss * pt / total) < D("0.01")


def test_monthly_cap_is_half_the_bonus():
    assert monthly_cap(monthly_bonus=D("800"), cap_ratio=D("0.5")) == D("400.00")
    assert monthly_cap(monthly_bonus=D("1234.57"), cap_ratio=D("0.5")) == D("617.28")


def test_schedule_400_a_month_until_paid():
    # loss share 1,500 with a 800 bonus → 400/400/400/300
    debts = [Debt(1, M(2026, 10, 1), D("1500.00"))]
    schedule = project_schedule(debts, cap=D("400.00"), start=M(2026, 10, 1))
    assert schedule == [
        (M(2026, 10, 1), {1: D("400.00")}),
        (M(2026, 11, 1), {1: D("400.00")}),
        (M(2026, 12, 1), {1: D("400.00")}),
        (M(2027, 1, 1), {1: D("300.00")}),
    ]


def test_cap_is_shared_oldest_first():
    debts = [
        Debt(2, M(2026, 11, 1), D("300.00")),
        Debt(1, M(2026, 10, 1), D("500.00")),
    ]
    # October: only the October one (400); November: its last 100, then 300 of the newer one.
    assert month_instalments(debts, cap=D("400"), month=M(2026, 10, 1)) == {1: D("400")}
    debts = [Debt(1, M(2026, 10, 1), D("100.00")), Debt(2, M(2026, 11, 1), D("300.00"))]
    assert month_instalments(debts, cap=D("400"), month=M(2026, 11, 1)) == {
        1: D("100.00"),
        2: D("300.00"),
    }


def test_zero_bonus_deducts_nothing():
    assert (
        project_schedule([Debt(1, M(2026, 10, 1), D("10"))], cap=D("0"), start=M(2026, 10, 1)) == []
    )


@settings(max_examples=150, deadline=None)
@given(
    debts=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=5),
            st.decimals(min_value=D("0.01"), max_value=20_000, places=2),
        ),
        min_size=1,
        max_size=6,
    ),
    cap=st.decimals(min_value=D("50"), max_value=5_000, places=2),
)
def test_cap_never_exceeded_and_instalments_sum_to_the_loss(debts, cap):
    start = M(2026, 1, 1)

    def month_at(i: int) -> dt.date:
        return M(2026 + (i // 12), i % 12 + 1, 1)

    items = [Debt(k, month_at(off), amount) for k, (off, amount) in enumerate(debts)]
    schedule = project_schedule(items, cap=cap, start=start, limit=10_000)
    paid: dict[int, Decimal] = {}
    for month, lines in schedule:
        assert sum(lines.values()) <= cap
        for key, amount in lines.items():
            assert amount > 0
            assert month >= items[key].month  # never before its month
            paid[key] = paid.get(key, D("0")) + amount
    assert paid == {d.key: d.remaining for d in items}


def test_sanction_conversion():
    kw = {"monthly_bonus": D("1000"), "minor": D("0.3"), "major": D("1")}
    assert sanction_money("warning", **kw) == D("0.00")
    assert sanction_money("warning", **kw, warning=D("0.1")) == D("100.00")
    assert sanction_money("circulated_criticism", **kw) == D("0.00")
    assert sanction_money("minor_demerit", **kw) == D("300.00")
    assert sanction_money("major_demerit", **kw) == D("1000.00")
    assert sanction_money("dismissal", **kw) == D("1000.00")
