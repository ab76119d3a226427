"""Background tasks — 交接班与在线检查 (WFM-7, WFM-8): the periodic duty scan, self-rescheduling.

Like ``kefu.aftersales.tasks``: each run enqueues the next one ``KEFU_DUTY_SCAN_SECONDS`` later
unless one is already waiting; ``manage.py duty_handover_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

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


def _waiting_scans() -> int:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(task_path=duty_scan_task.module_path, status="READY").count()


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    if not default_task_backend.supports_defer:
        return False
    if _waiting_scans():
        return False
    run_after = (now or timezone.now()) + scan_interval()
    duty_scan_task.using(run_after=run_after).enqueue()
    return True
