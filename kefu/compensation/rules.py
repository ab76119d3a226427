"""Pure compensation rules — 投诉赔偿分摊与分期扣款规则 (CMP-9, PERF-10), no database.

* ``allocate_by_base_points`` — 第二十一条: a unit's share of a loss is split over its people as
  loss ÷ the unit's total 基点数 × the person's 基点数, in cents, largest remainder, so the parts
  add up to the loss exactly (the house way of ``kefu.complaints.findings.split_loss``).
* ``monthly_cap`` / ``month_instalments`` / ``project_schedule`` — 罚扣最高金额以全月绩效奖金50%为准,
  超过者逐月分期罚扣: a person's compensations together take at most the cap a month, oldest first;
  the rest is carried into the following months until paid.
* ``sanction_money`` — 第二十四条 行政罚扣折算: 警告/通报批评 nothing, 小过 the minor ratio, 大过
  and above the major ratio of the month's 绩效奖金.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from kefu.complaints.findings import split_loss

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# The proposed sanctions that become a PERF-10 ledger line (catalogue codes of category sanction).
SANCTION_RULES = ("warning", "circulated_criticism", "minor_demerit", "major_demerit", "dismissal")
MAJOR_SANCTIONS = frozenset({"major_demerit", "dismissal"})

# A projected schedule never runs longer than this (a cap of a cent on a huge loss).
MAX_PROJECTED_MONTHS = 240


def allocate_by_base_points(loss: Decimal, base_points: Sequence[Decimal]) -> list[Decimal]:
    """Each person's part of ``loss`` by 基点数, in cents; the parts add up to ``loss`` exactly.

    Nobody (or nobody with points) in the unit → every part 0; the caller reports such a finding
    instead of charging anyone.
    """
    if not base_points or sum(base_points, Decimal("0")) <= 0:
        return [ZERO for _ in base_points]
    return split_loss(Decimal(loss).quantize(CENT), base_points)


def monthly_cap(*, monthly_bonus: Decimal, cap_ratio: Decimal) -> Decimal:
    """The most a person's compensations take in a month: ratio × 月绩效奖金, rounded down to cents."""
    return (Decimal(monthly_bonus) * Decimal(cap_ratio)).quantize(CENT, rounding=ROUND_DOWN)


def sanction_money(
    sanction: str,
    *,
    monthly_bonus: Decimal,
    minor: Decimal,
    major: Decimal,
    warning: Decimal = Decimal(0),
) -> Decimal:
    """The money a proposed sanction costs (第二十四条): 警告 ``warning`` × 月绩效奖金 (policy
    ``fines.warning_ratio``, 0 by default), 通报批评 0, 小过 ``minor`` × 月绩效奖金, 大过 and 开除
    ``major`` × 月绩效奖金 (cents, rounded half up)."""
    if sanction == "warning":
        return (Decimal(monthly_bonus) * Decimal(warning)).quantize(CENT)
    if sanction == "minor_demerit":
        return (Decimal(monthly_bonus) * Decimal(minor)).quantize(CENT)
    if sanction in MAJOR_SANCTIONS:
        return (Decimal(monthly_bonus) * Decimal(major)).quantize(CENT)
    return ZERO


@dataclass(frozen=True)
class Debt:
    """Debt — 待扣赔偿: one compensation's amount still to deduct, from its month on.

    ``order`` sorts debts oldest first (the month, then creation).
    """

    key: int
    month: dt.date
    remaining: Decimal
    order: tuple = ()

    def sort_key(self) -> tuple:
        return (self.month, *self.order, self.key)


def month_instalments(debts: Iterable[Debt], *, cap: Decimal, month: dt.date) -> dict[int, Decimal]:
    """What each debt pays in ``month``: oldest first, all together at most ``cap``.

    A debt whose month is after ``month`` does not pay yet. Returns only non-zero instalments.
    """
    left = max(Decimal(cap), ZERO)
    paid: dict[int, Decimal] = {}
    for debt in sorted(debts, key=Debt.sort_key):
        if left <= 0:
            break
        if debt.month > month or debt.remaining <= 0:
            continue
        amount = min(debt.remaining, left)
        paid[debt.key] = amount
        left -= amount
    return paid


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def project_schedule(
    debts: Iterable[Debt], *, cap: Decimal, start: dt.date, limit: int = MAX_PROJECTED_MONTHS
) -> list[tuple[dt.date, dict[int, Decimal]]]:
    """The months from ``start`` on until every debt is paid: [(month, {debt: instalment})].

    Nothing is projected when the cap is 0 (no bonus to deduct from); at most ``limit`` months.
    """
    state = {d.key: d for d in debts if d.remaining > 0}
    month = start.replace(day=1)
    schedule: list[tuple[dt.date, dict[int, Decimal]]] = []
    if cap <= 0:
        return schedule
    while state and len(schedule) < limit:
        paid = month_instalments(state.values(), cap=cap, month=month)
        if paid:
            schedule.append((month, paid))
        for key, amount in paid.items():
            debt = state[key]
            rest = debt.remaining - amount
            if rest <= 0:
                del state[key]
            else:
                state[key] = Debt(debt.key, debt.month, rest, debt.order)
        if not paid and all(d.month <= month for d in state.values()):
            break  # nothing can be paid any more (cannot happen with cap > 0)
        month = _next_month(month)
    return schedule


def remaining_after(amounts: Mapping[int, Decimal], paid: Mapping[int, Decimal]) -> Decimal:
    """What is still owed over several compensations after the ``paid`` instalments."""
    return sum((amounts[k] - paid.get(k, ZERO) for k in amounts), ZERO)
