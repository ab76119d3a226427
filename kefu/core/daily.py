"""Daily task chains — 每日定时任务: a django-tasks task that runs once a day at a wall-clock time
(Asia/Shanghai) and enqueues its own next run.

django-tasks has no periodic scheduler; each daily module's task calls ``schedule_daily`` in a
``finally`` so the chain survives a failed run, and its ``manage.py <x>_schedule`` command starts
the chain. A run already waiting is never doubled (several workers may start it at once), and
when the backend runs tasks immediately (tests) nothing is queued — a self-scheduling task would
never end there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import default_task_backend

from .calendar import SHANGHAI


def next_daily_run(at: dt.time, now: dt.datetime | None = None) -> dt.datetime:
    """The next ``at`` (Asia/Shanghai) strictly after ``now``."""
    now = (now or timezone.now()).astimezone(SHANGHAI)
    candidate = dt.datetime.combine(now.date(), at, tzinfo=SHANGHAI)
    if candidate <= now:
        candidate = dt.datetime.combine(now.date() + dt.timedelta(days=1), at, tzinfo=SHANGHAI)
    return candidate


def waiting_runs(task: Any) -> int:
    """How many runs of ``task`` are queued and not started."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").count()


def schedule_daily(task: Any, at: dt.time, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue ``task``'s next run at ``at``; None when one is waiting already or the backend runs
    tasks at once."""
    if not default_task_backend.supports_defer or waiting_runs(task):
        return None
    run_after = next_daily_run(at, now)
    task.using(run_after=run_after).enqueue()
    return run_after


def schedule_after(task: Any, delay: dt.timedelta, *, now: dt.datetime | None = None) -> bool:
    """Queue ``task``'s next run ``delay`` from ``now`` — the interval chains (SLA scan, repair and
    shipping clocks, handover scan); False when one is waiting already or the backend runs tasks
    at once."""
    if not default_task_backend.supports_defer or waiting_runs(task):
        return False
    task.using(run_after=(now or timezone.now()) + delay).enqueue()
    return True
