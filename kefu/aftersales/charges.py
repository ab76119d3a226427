"""Charges — 维修收费 (AS-1): pure arithmetic, no database.

In warranty (decided on the report date) parts and labour are free; after it the price list
applies. When nothing on the order is labour, a visit out of warranty costs the policy's default
labour fee (0 = none).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

CENT = Decimal("0.01")


class Line(NamedTuple):
    kind: str  # "part" / "labour"
    quantity: Decimal
    unit_price: Decimal


def line_amount(quantity: Decimal, unit_price: Decimal, *, in_warranty: bool) -> Decimal:
    """One line's amount: 0 in warranty, quantity × price (to the cent, half up) after."""
    if in_warranty:
        return Decimal("0.00")
    return (Decimal(quantity) * Decimal(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)


def order_total(
    lines: Iterable[Line], *, in_warranty: bool, visited: bool, default_labour_fee: Decimal
) -> Decimal:
    """收费合计 of an order."""
    lines = list(lines)
    total = sum(
        (line_amount(x.quantity, x.unit_price, in_warranty=in_warranty) for x in lines),
        Decimal("0.00"),
    )
    if not in_warranty and visited and not any(x.kind == "labour" for x in lines):
        total += Decimal(default_labour_fee).quantize(CENT)
    return total
