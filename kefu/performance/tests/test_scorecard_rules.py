"""考核计分卡的计分规则 (PERF-4) — pure functions, exact yuan, hypothesis properties."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.performance.scorecard import (
    FLAG_DISMISSAL,
    FLAG_PENALTY,
    FLAG_SEVERE,
    FLAG_WARNING,
    POINTS10,
    POINTS100,
    band_deduction,
    rules_from_policy,
    score_card,
    supervisor_adjust,
)

D = Decimal

# The seed's numbers (default_policy.toml [scorecard]), as a plain object like the policy.
POLICY = SimpleNamespace(
    base_points=100,
    dismissal_below=60,
    full_attendance_bonus=D("100"),
    performance_bonus=D("200"),
    high_score_threshold=110,
    high_score_bonus=D("100"),
    supervisor_bonus=D("100"),
    supervisor_malus=D("100"),
    ten_point_warning_at_or_below=5,
    ten_point_penalty_at_or_below=2,
    ten_point_low_months_for_severe=3,
    bands=[
        SimpleNamespace(upper=100, lower=90, money_per_point=D("10")),
        SimpleNamespace(upper=90, lower=80, money_per_point=D("20")),
        SimpleNamespace(upper=80, lower=70, money_per_point=D("30")),
        SimpleNamespace(upper=70, lower=60, money_per_point=D("40")),
    ],
)
R100 = rules_from_policy(POINTS100, POLICY, "10")
R10 = rules_from_policy(POINTS10, POLICY, "10")


def card100(score: str, **kw):  # type: ignore[no-untyped-def]
    return score_card(R100, points=D(score) - D(100), **kw)


@pytest.mark.parametrize(
    ("score", "deducted"),
    [
        ("100", "0"),
        ("120", "0"),
        ("99", "10"),
        ("90", "100"),  # 10 × 10
        ("89.5", "110"),  # + 0.5 × 20
        ("85", "200"),  # 10×10 + 5×20
        ("80", "300"),
        ("79", "330"),  # + 1 × 30
        ("70", "600"),  # 100 + 200 + 300
        ("65", "800"),  # + 5 × 40
        ("60", "1000"),
        ("59.5", "1000"),  # every band used up
        ("10", "1000"),
        ("99.75", "2.50"),  # a fraction of a point, pro rata
    ],
)
def test_band_deduction_exact_yuan(score: str, deducted: str) -> None:
    card = card100(score)
    assert card.band_deduction == -D(deducted)
    assert band_deduction(D(score), R100.bands) == D(deducted)


def test_dismissal_below_sixty_not_at_sixty() -> None:
    assert card100("59.5").flags == (FLAG_DISMISSAL,)
    assert card100("60").flags == ()


def test_bonuses() -> None:
    plain = card100("100")
    assert (plain.full_attendance_bonus, plain.performance_bonus, plain.high_score_bonus) == (
        D("100"),
        D("200"),
        D("0"),
    )
    assert plain.total == D("300")
    assert card100("109.5").high_score_bonus == D("0")
    high = card100("110")
    assert high.high_score_bonus == D("100") and high.total == D("400")
    late = card100("99.5", breaks_full_attendance=True)
    assert late.full_attendance_bonus == D("0") and late.lost_full_attendance
    assert late.total == D("-5") + D("200")


def test_supervisor_plus_and_minus() -> None:
    half = supervisor_adjust([D("100"), D("99")], R100)
    assert (half.bonus, half.malus, half.amount) == (D("100"), D("0"), D("100"))
    less = supervisor_adjust([D("100"), D("99"), D("98")], R100)
    assert less.amount == D("0") and less.at_or_above_base == 1
    both = supervisor_adjust([D("110"), D("100"), D("59.5")], R100)
    assert (both.bonus, both.malus, both.amount, both.below_dismissal) == (
        D("100"),
        D("100"),
        D("0"),
        1,
    )
    low = supervisor_adjust([D("90"), D("59")], R100)
    assert low.amount == D("-100")
    assert supervisor_adjust([], R100).amount == D("0")
    assert supervisor_adjust([D("10")], R10).amount == D("0")  # 十分制: no supervisor money
    card = card100("100", supervisor=low)
    assert card.supervisor_adjust == D("-100") and card.total == D("200")


@pytest.mark.parametrize(
    ("score", "flags"),
    [
        ("10", ()),
        ("5.5", ()),
        ("5", (FLAG_WARNING,)),
        ("2.5", (FLAG_WARNING,)),
        ("2", (FLAG_PENALTY,)),
        ("-1", (FLAG_PENALTY,)),
    ],
)
def test_ten_point_flags(score: str, flags: tuple[str, ...]) -> None:
    card = score_card(R10, points=D(score) - D(10))
    assert card.flags == flags
    assert card.band_deduction == 0 and card.total == 0


def test_ten_point_three_low_months_running_is_severe() -> None:
    third = score_card(R10, points=D("-8"), low_months_before=[True, True])
    assert third.flags == (FLAG_PENALTY, FLAG_SEVERE) and third.streak == 3
    broken = score_card(R10, points=D("-8"), low_months_before=[True, False])
    assert broken.flags == (FLAG_PENALTY,) and broken.streak == 1
    not_low_now = score_card(R10, points=D("-6"), low_months_before=[True, True])
    assert not_low_now.flags == (FLAG_WARNING,) and not_low_now.streak == 0


points = st.decimals(min_value=-200, max_value=50, places=2)


@given(points, points)
def test_band_deduction_never_decreases_as_points_fall(a: Decimal, b: Decimal) -> None:
    high, low = max(a, b), min(a, b)
    assert -card100(str(100 + low)).band_deduction >= -card100(str(100 + high)).band_deduction


@given(st.lists(points, max_size=30), st.integers(min_value=0, max_value=29))
def test_score_is_base_plus_sum_and_revoking_restores_it(lines: list[Decimal], i: int) -> None:
    card = score_card(R100, points=sum(lines, D(0)))
    assert card.score == D(100) + sum(lines, D(0))
    if lines:
        revoked = lines[i % len(lines)]
        again = score_card(R100, points=sum([*lines, -revoked], D(0)))
        without = score_card(R100, points=sum(lines, D(0)) - revoked)
        assert again == without
        assert again.score == D(100) + sum(lines, D(0)) - revoked
