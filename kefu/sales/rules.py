"""Commission and ranking rules — 提成与排名规则 (PERF-2, PERF-3, RPT-6). Pure functions, no database.

* Conversion (询单转化率) = orders (distinct 订单号) ÷ inquiries of the month. An agent with no
  inquiry recorded takes the ``sales.no_inquiry_conversion`` policy value (default 100 %).
* Commission (提成) = the month's sales × ``rate_below`` when the conversion is below
  ``conversion_threshold``, else × ``rate_at_or_above``; rounded to the fen (half up).
* Top seller (销售冠军): the customer-service agent(s) with the highest sales of the month (sales
  > 0). Ties: everyone tied at the top is top seller and gets the award. The award is
  ``top_seller_awards[min(streak, len) - 1]`` where the streak counts this month and the months
  right before it in which the person was (one of) the top seller(s).
* Return-visit ranking (回访部排名): standard competition ranking by sales (1, 1, 3 …): tied
  people share a rank and each gets its award (冠军, 亚军, 季军); nobody with no sales is ranked.
  Weekly champion (周冠军): the same for rank 1 over each ISO week (Monday–Sunday) whose Sunday
  falls in the month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
FEN = Decimal("0.01")
RATIO = Decimal("0.0001")


def round_yuan(amount: Decimal) -> Decimal:
    """Money to the fen, half up (¥0.005 → ¥0.01)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def conversion_of(orders: int, inquiries: int, *, no_inquiry: Decimal) -> Decimal:
    """询单转化率 as a ratio (0.6900 = 69 %), four places, half up; ``no_inquiry`` when none."""
    if inquiries <= 0:
        return no_inquiry
    return (Decimal(orders) / Decimal(inquiries)).quantize(RATIO, rounding=ROUND_HALF_UP)


def rate_for(
    conversion: Decimal, *, threshold: Decimal, below: Decimal, at_or_above: Decimal
) -> Decimal:
    """提成比例: ``below`` under the threshold, ``at_or_above`` from it on (70 % → 1.5 %)."""
    return at_or_above if conversion >= threshold else below


@dataclass(frozen=True)
class Commission:
    """One agent's month — 提成: inquiries, orders, conversion, sales, rate and commission."""

    inquiries: int
    orders: int
    conversion: Decimal
    sales: Decimal
    rate: Decimal
    commission: Decimal


def commission_for(
    *,
    sales: Decimal,
    orders: int,
    inquiries: int,
    threshold: Decimal,
    rate_below: Decimal,
    rate_at_or_above: Decimal,
    no_inquiry: Decimal,
) -> Commission:
    """The commission of one agent's month (PERF-2)."""
    conversion = conversion_of(orders, inquiries, no_inquiry=no_inquiry)
    rate = rate_for(conversion, threshold=threshold, below=rate_below, at_or_above=rate_at_or_above)
    return Commission(
        inquiries=inquiries,
        orders=orders,
        conversion=conversion,
        sales=sales,
        rate=rate,
        commission=round_yuan(sales * rate),
    )


def merge_inquiries(
    imported: Iterable[tuple[int, dt.date, int]],
    tickets: Iterable[tuple[int, dt.date, int]],
) -> dict[int, int]:
    """Inquiries per agent over a period: per (agent, day) the chat tool's count when there is
    one, else the tickets' count."""
    per_day: dict[tuple[int, dt.date], int] = {}
    for agent, day, count in tickets:
        per_day[(agent, day)] = count
    for agent, day, count in imported:
        per_day[(agent, day)] = count  # the chat tool wins
    totals: dict[int, int] = {}
    for (agent, _), count in per_day.items():
        totals[agent] = totals.get(agent, 0) + count
    return totals


def top_of(totals: Mapping[int, Decimal]) -> set[int]:
    """Everyone with the highest total (> 0); empty when nobody sold anything."""
    best = max((v for v in totals.values() if v > 0), default=None)
    if best is None:
        return set()
    return {k for k, v in totals.items() if v == best}


def competition_ranks(totals: Mapping[int, Decimal]) -> list[tuple[int, int, Decimal]]:
    """(person, rank, total) by total descending, standard competition ranking (1, 1, 3);
    people with no sales are left out. Ties keep a stable order by person id."""
    ordered = sorted(((k, v) for k, v in totals.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    ranked: list[tuple[int, int, Decimal]] = []
    for index, (person, total) in enumerate(ordered):
        rank = ranked[-1][1] if ranked and ranked[-1][2] == total else index + 1
        ranked.append((person, rank, total))
    return ranked


def streak_of(person: int, tops_before: list[set[int]]) -> int:
    """Months running as top seller, this month included: ``tops_before`` lists the previous
    months' top sellers, most recent first."""
    count = 1
    for tops in tops_before:
        if person not in tops:
            break
        count += 1
    return count


def top_seller_award(streak: int, awards: list[Decimal]) -> Decimal:
    """50 / 100 / 200 for 1 / 2 / 3+ months running (the policy's list, its last value repeating)."""
    return awards[min(max(streak, 1), len(awards)) - 1]


def rank_award(rank: int, *, champion: Decimal, runner_up: Decimal, third: Decimal) -> Decimal:
    """回访部 monthly award of a rank (0 past third place)."""
    return {1: champion, 2: runner_up, 3: third}.get(rank, ZERO)


@dataclass(frozen=True)
class IsoWeek:
    """One ISO week: ``label`` like 2026-W05, Monday and Sunday."""

    label: str
    monday: dt.date
    sunday: dt.date


def weeks_ending_in(month: dt.date) -> list[IsoWeek]:
    """The ISO weeks whose Sunday falls in ``month`` (a week is counted in the month it ends in)."""
    first = month.replace(day=1)
    day = first + dt.timedelta(days=(6 - first.weekday()) % 7)  # the first Sunday
    weeks: list[IsoWeek] = []
    while day.month == first.month:
        year, week, _ = day.isocalendar()
        weeks.append(IsoWeek(f"{year}-W{week:02d}", day - dt.timedelta(days=6), day))
        day += dt.timedelta(days=7)
    return weeks
