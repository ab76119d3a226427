"""Background tasks of the platform — 平台后台任务: the periodic scan for interrupted jobs.

Like the other interval chains (``kefu.core.daily.schedule_after``): each run enqueues the next
one ``KEFU_JOB_SCAN_SECONDS`` later unless one is already waiting; ``manage.py jobs_schedule``
starts the chain (``make run`` does).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django_tasks import task

from .daily import schedule_after
from .jobs import jobs_fail_stale

DEFAULT_INTERVAL_SECONDS = 900


def scan_interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_JOB_SCAN_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def jobs_stale_scan_task() -> dict[str, Any]:
    """中断任务检查: fail the jobs running longer than the policy allows, then reschedule."""
    try:
        return {"failed": jobs_fail_stale()}
    finally:
        schedule_next_scan()


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one waits or tasks run at once."""
    return schedule_after(jobs_stale_scan_task, scan_interval(), now=now)
