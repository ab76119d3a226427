"""Background tasks — 维修时限扫描 (AS-2): the periodic clock scan, self-rescheduling.

Like ``kefu.tickets.tasks``: each run enqueues the next one ``KEFU_REPAIR_SCAN_SECONDS`` later
unless one is already waiting; ``manage.py repair_clock_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django_tasks import task

from kefu.core.daily import schedule_after

from .services import repairs_clock_scan

DEFAULT_INTERVAL_SECONDS = 60


def scan_interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_REPAIR_SCAN_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def repairs_clock_scan_task() -> dict[str, Any]:
    """维修时限扫描: flag breaches, send warnings and breach notices, schedule the next scan."""
    result = repairs_clock_scan()
    schedule_next_scan()
    return {
        "checked": result.checked,
        "breaches": result.breaches,
        "notifications": result.notifications,
    }


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    return schedule_after(repairs_clock_scan_task, scan_interval(), now=now)
