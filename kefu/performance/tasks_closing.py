"""Background tasks of the month close — 月结提醒 (django-tasks).

``month_close_reminder_daily_task`` runs once a day at ``REMINDER_TIME`` (Asia/Shanghai): it
reminds the manager (or the GM) while last month's close is due soon or overdue (CMP-7), then
enqueues its next run. ``manage.py month_close_schedule`` starts the chain and does nothing when a
run is already waiting. The close job itself is ``services.closing.month_close_job_task``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django_tasks import task

from kefu.core import daily

from .services.closing import month_close_reminders

logger = logging.getLogger(__name__)
REMINDER_TIME = dt.time(9, 5)


@task()
def month_close_reminder_daily_task() -> dict[str, Any]:
    """月结提醒 (as the system), then schedule tomorrow's run — even after a failure."""
    try:
        sent = month_close_reminders()
    finally:
        schedule_next_reminder_run()
    logger.info("month close reminders: %s", sent)
    return {"sent": sent}


def next_reminder_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next ``REMINDER_TIME`` (Asia/Shanghai) strictly after ``now``."""
    return daily.next_daily_run(REMINDER_TIME, now)


def schedule_next_reminder_run(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily run; None when one is waiting already or the backend runs tasks at
    once (tests), where a self-scheduling task would never end."""
    return daily.schedule_daily(month_close_reminder_daily_task, REMINDER_TIME, now=now)
