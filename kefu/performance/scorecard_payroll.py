"""Score cards in the payroll input — 考核计分卡的工资核算列 (PERF-4, PERF-8).

The month close asks this source for every person's card: 考核分 (``score``), 分段扣款
(``band_deduction``, negative), 全勤奖, 工作表现奖, 高分奖 and 主管奖惩 (``supervisor_adjust``),
plus the card's flags (口头警告 / 处罚 / 严重处罚 / 建议辞退) as lines of the FLAG pseudo-column.
A 十分制 card has no money: only its score and flags. A closed month answers with its snapshot.

Fast by construction: the ledger is summed per person in SQL (one grouped query for the month,
one for the supervisors' departments, two for the 十分制 streak), so the whole company costs a
constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from .payroll import FLAG, PayLine
from .periods import month_start
from .scorecard import POINTS100, ScoreCard
from .selectors_scorecards import cards_for, people_of_month

MONEY_COLUMNS = (
    "band_deduction",
    "full_attendance_bonus",
    "performance_bonus",
    "high_score_bonus",
    "supervisor_adjust",
)


def scorecards_for_month(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> dict[int, ScoreCard]:
    """Every card of ``month`` (everyone employed in it, or those of ``employee_ids``)."""
    month = month_start(month)
    people = people_of_month(month, employee_ids)
    found = cards_for(month, people, all_people=employee_ids is None)
    return {pk: pc.card for pk, pc in found.items()}


def card_pay_lines(employee_id: int, card: ScoreCard) -> list[PayLine]:
    """The payroll lines of one card."""
    lines = [PayLine(employee_id, "score", card.score)]
    if card.scheme == POINTS100:
        amounts = card.amounts()
        lines += [PayLine(employee_id, key, amounts[key]) for key in MONEY_COLUMNS]
    lines += [PayLine(employee_id, FLAG, Decimal("0"), note=flag) for flag in card.flags]
    return lines


def scorecard_payroll_lines(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> list[PayLine]:
    """This source's lines of ``month`` (registered as ``scorecard`` by PerformanceConfig)."""
    lines: list[PayLine] = []
    for pk, card in scorecards_for_month(month, employee_ids).items():
        lines += card_pay_lines(pk, card)
    return lines
