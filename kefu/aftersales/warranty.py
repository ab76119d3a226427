"""Warranty arithmetic — 保修期计算 (AS-1, AS-3): pure functions, no database.

* ``warranty_months``: the company's minimum (policy, 1 year) or the manufacturer's if longer.
* ``warranty_end``: the **last day covered** — acceptance + months − 1 day (accepted 2026-03-01
  with 12 months → covered to 2027-02-28 inclusive). A month that lacks the day clamps to its end
  (accepted 01-31 + 1 month → 02-28/29).
* ``in_warranty``: on a day between acceptance and the end, both inclusive.
* ``card_deadline``: the day by which the 保修卡 must be issued (acceptance + N months).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    if months < 0:
        raise ValueError("months must be >= 0")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def warranty_months(minimum_months: int, manufacturer_months: int | None) -> int:
    """保修期（月）: the longer of the company's minimum and the manufacturer's warranty."""
    return max(int(minimum_months), int(manufacturer_months or 0))


def warranty_end(acceptance: dt.date, months: int) -> dt.date:
    """保修截止日期: the last day covered (inclusive)."""
    if months < 1:
        raise ValueError("months must be >= 1")
    return add_months(acceptance, months) - dt.timedelta(days=1)


def in_warranty(acceptance: dt.date, end: dt.date, on: dt.date) -> bool:
    """在保? ``on`` within [acceptance, end]. A fault before acceptance is not covered."""
    return acceptance <= on <= end


def days_left(end: dt.date, on: dt.date) -> int:
    """Days of warranty left after ``on`` (0 on the last day, negative once expired)."""
    return (end - on).days


def card_deadline(acceptance: dt.date, deadline_months: int) -> dt.date:
    """保修卡发放期限: acceptance + N months (AS-3: "竣工后一个月内发出")."""
    return add_months(acceptance, deadline_months)


class CardState(NamedTuple):
    """Where an installation's 保修卡 stands on a day: issued / overdue / due_soon / pending."""

    state: str
    deadline: dt.date
    days_left: int


def card_state(
    acceptance: dt.date,
    *,
    issued_on: dt.date | None,
    today: dt.date,
    deadline_months: int,
    due_soon_days: int,
) -> CardState:
    deadline = card_deadline(acceptance, deadline_months)
    left = (deadline - today).days
    if issued_on is not None:
        state = "issued" if issued_on <= deadline else "issued_late"
    elif left < 0:
        state = "overdue"
    elif left <= due_soon_days:
        state = "due_soon"
    else:
        state = "pending"
    return CardState(state, deadline, left)
