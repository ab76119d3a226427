"""Background tasks — 发货时限扫描 (AS-8): the periodic shipping-clock scan, self-rescheduling.

Like ``kefu.aftersales.tasks``: each run enqueues the next one ``KEFU_RETURNS_SCAN_SECONDS``
later unless one is already waiting; ``manage.py returns_clock_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django_tasks import task

from kefu.core.daily import schedule_after

from .services import returns_ship_clock_scan

DEFAULT_INTERVAL_SECONDS = 300


def scan_interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_RETURNS_SCAN_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def returns_ship_clock_scan_task() -> dict[str, Any]:
    """发货时限扫描: notify the 24 h / 48 h steps reached, schedule the next scan."""
    result = returns_ship_clock_scan()
    schedule_next_scan()
    return {
        "checked": result.checked,
        "breaches": result.breaches,
        "notifications": result.notifications,
    }


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    return schedule_after(returns_ship_clock_scan_task, scan_interval(), now=now)
