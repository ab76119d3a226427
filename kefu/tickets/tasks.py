"""Background tasks of the tickets app — 工单后台任务: the periodic SLA scan (TKT-4, CMP-6).

django-tasks has no timetable of its own, so the scan keeps itself going: each run, when it ends,
enqueues the next one ``KEFU_SLA_SCAN_SECONDS`` later (``run_after``), unless a run is already
waiting (two chains started at once merge after one round). ``manage.py sla_schedule`` starts the
chain — ``make run`` and the deployment's worker start-up call it; it does nothing when a run is
already queued. Any number of workers may serve the queue: ``ticket_sla_check`` locks each ticket
row and re-checks it, so a ticket is never escalated twice for the same step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django_tasks import task

from kefu.core.daily import schedule_after

from .services import tickets_sla_scan

DEFAULT_INTERVAL_SECONDS = 60


def scan_interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_SLA_SCAN_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def tickets_sla_scan_task() -> dict[str, Any]:
    """时限扫描: flag breaches and send warnings and escalations, then schedule the next scan."""
    result = tickets_sla_scan()
    schedule_next_scan()
    return {
        "checked": result.checked,
        "first_response_breaches": result.first_response_breaches,
        "steps": result.steps,
        "notifications": result.notifications,
    }


def schedule_next_scan(*, now: dt.datetime | None = None) -> bool:
    """Queue the next scan one interval from now; False when one is waiting or the backend runs
    tasks at once (tests), where a self-scheduling task would never end."""
    return schedule_after(tickets_sla_scan_task, scan_interval(), now=now)
