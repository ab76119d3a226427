"""Pure ledger rules — 奖惩计算规则 (PERF-5, PERF-6, CMP-11, WFM-7): amounts from the catalogue and
the escalating fines, as plain functions over data so they are tested without a database."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal("0")
NEGATIVE_CATEGORIES = frozenset({"deduction", "fine", "sanction"})


def signed(category: str, magnitude: Decimal) -> Decimal:
    """The ledger sign of a catalogue amount: 扣分/罚款/处分 negative, 加分/奖励 positive."""
    magnitude = abs(magnitude)
    return -magnitude if category in NEGATIVE_CATEGORIES else magnitude


def escalated_fine(
    occurrence: int, *, first: Decimal, multiplier: Decimal, dismissal_on: int
) -> tuple[Decimal, bool]:
    """The fine of the ``occurrence``-th time in a calendar month and whether it proposes dismissal.

    The Nth costs ``first × multiplier^(N−1)``; from ``dismissal_on`` on there is no fine, the
    person is proposed for dismissal (CMP-11 "达到三次以上自动离职", WFM-7 "dismissal on the third").
    """
    if occurrence < 1:
        raise ValueError("occurrence starts at 1")
    if occurrence >= dismissal_on:
        return ZERO, True
    return (first * multiplier ** (occurrence - 1)).quantize(Decimal("0.01")), False


def within(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    """True when ``value`` lies in the optional closed range ``low``..``high``."""
    return (low is None or value >= low) and (high is None or value <= high)
