"""Background tasks — 发货时限扫描 (AS-8): the periodic shipping-clock scan, self-rescheduling.

Like ``kefu.aftersales.tasks``: each run enqueues the next one ``KEFU_RETURNS_SCAN_SECONDS``
later unless one is already waiting; ``manage.py returns_clock_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

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


def _waiting_scans() -> int:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(
        task_path=returns_ship_clock_scan_task.module_path, status="READY"
    ).count()


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    if not default_task_backend.supports_defer:
        return False
    if _waiting_scans():
        return False
    run_after = (now or timezone.now()) + scan_interval()
    returns_ship_clock_scan_task.using(run_after=run_after).enqueue()
    return True
