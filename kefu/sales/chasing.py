"""Unpaid-order chasing rule — 未付款订单催付时限. Pure functions, no database.

Seed 000: "当班客服对于未付款订单没有及时催单的,拍下后一小时内没催付的,抽查一次扣5元" and
"后台交易状态为“等待买家付款”的,首先检查买家是否有已付款订单,如没有其他订单需要及时催付".

* The deadline (催付时限) is the moment the order was placed (拍下时间) plus the policy's window
  (``sales.unpaid_chase_minutes``, 60).
* The chase is missed (超时未催付) once the deadline has passed and, at or before the deadline,
  the order was neither chased (a 无需催付 record — the buyer has another paid order — counts as
  handled), nor paid, nor closed. A chase exactly at the deadline is in time.
* Anything that happens after the deadline does not undo a miss: the spot check looks at the
  first hour only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .choices import ChaseState, UnpaidStatus


def chase_deadline(placed_at: dt.datetime, minutes: int) -> dt.datetime:
    """拍下时间 + the window."""
    return placed_at + dt.timedelta(minutes=minutes)


def missed_chase(
    *, deadline: dt.datetime, handled: Iterable[dt.datetime | None], now: dt.datetime
) -> bool:
    """True when the deadline has passed with no chase, payment or close at or before it.

    ``handled`` lists the moments that discharge the duty (first chase, payment, close); None
    for those that did not happen.
    """
    if now <= deadline:
        return False
    return not any(t is not None and t <= deadline for t in handled)


def chase_state(
    *,
    status: str,
    deadline: dt.datetime,
    chased_at: dt.datetime | None,
    paid_at: dt.datetime | None,
    closed_at: dt.datetime | None,
    now: dt.datetime,
) -> ChaseState:
    """The state the page shows first: 已付款 / 交易关闭 / 已催付 / 超时未催付 / 待催付. Whether the
    first hour was missed is ``missed_chase`` (a late order may be paid or chased since)."""
    if status == UnpaidStatus.PAID:
        return ChaseState.PAID
    if status == UnpaidStatus.CLOSED:
        return ChaseState.CLOSED
    if chased_at is not None:
        return ChaseState.CHASED
    if missed_chase(deadline=deadline, handled=(paid_at, closed_at), now=now):
        return ChaseState.LATE
    return ChaseState.PENDING
