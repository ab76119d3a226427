"""Background tasks — 交接班与在线检查 (WFM-7, WFM-8): the periodic duty scan, self-rescheduling.

Like ``kefu.aftersales.tasks``: each run enqueues the next one ``KEFU_DUTY_SCAN_SECONDS`` later
unless one is already waiting; ``manage.py duty_handover_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django_tasks import task

from kefu.core.daily import schedule_after

from .services import duty_scan

DEFAULT_INTERVAL_SECONDS = 300


def scan_interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_DUTY_SCAN_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def duty_scan_task() -> dict[str, Any]:
    """交接班与在线检查: flag missing/unconfirmed handovers, record offline periods, reschedule."""
    result = duty_scan()
    schedule_next_scan()
    return dict(result.__dict__)


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    return schedule_after(duty_scan_task, scan_interval(), now=now)
