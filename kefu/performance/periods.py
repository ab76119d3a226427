"""Months and the month lock — 考核月份与月结锁定 (CMP-7, PERF-8).

Every performance figure belongs to a calendar month. Once the GM has approved a month's close
the month is locked: nothing booked in it changes. An event that happened in a locked month, or
a correction of one, is booked in the first open month after it (``booking_month``).
"""

from __future__ import annotations

import datetime as dt

from kefu.core.errors import ConflictError

from .choices import MonthCloseStatus
from .models import MonthClose

# Once the GM approved, the month is frozen (the close job is then only writing the snapshot).
LOCKED_STATUSES = (MonthCloseStatus.CLOSING, MonthCloseStatus.CLOSED)


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month``."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before ``month``."""
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``."""
    return next_month(month) - dt.timedelta(days=1)


def locked_months() -> set[dt.date]:
    """Every locked month (one query)."""
    return set(
        MonthClose.objects.filter(status__in=LOCKED_STATUSES).values_list("month", flat=True)
    )


def month_is_locked(month: dt.date) -> bool:
    """True when ``month`` has been approved for closing (or is closed)."""
    return MonthClose.objects.filter(month=month_start(month), status__in=LOCKED_STATUSES).exists()


def booking_month(day: dt.date, *, locked: set[dt.date] | None = None) -> dt.date:
    """The month an event of ``day`` is booked in: its own, or the first open one after it."""
    locked = locked_months() if locked is None else locked
    month = month_start(day)
    while month in locked:
        month = next_month(month)
    return month


def ensure_month_open(month: dt.date) -> None:
    """Refuse to change anything booked in a locked month (CMP-7: a closed month never changes)."""
    if month_is_locked(month):
        raise ConflictError(
            "month_closed",
            f"{month:%Y年%m月}已月结，不能再修改；更正请计入下月（冲销）",
        )
