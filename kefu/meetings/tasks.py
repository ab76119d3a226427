"""Background tasks — 生成会议场次 (WFM-9): the daily occurrence generation, self-rescheduling.

Each run creates the missing occurrences of every active standing meeting up to the policy's
horizon and enqueues the next run ``KEFU_MEETINGS_SCHEDULE_SECONDS`` later (daily by default)
unless one is waiting; ``manage.py meetings_schedule`` starts the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from .services import occurrences_generate

DEFAULT_INTERVAL_SECONDS = 6 * 3600


def interval() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "KEFU_MEETINGS_SCHEDULE_SECONDS", DEFAULT_INTERVAL_SECONDS)
    )


@task()
def occurrences_generate_task() -> dict[str, Any]:
    """生成会议场次, then schedule the next run."""
    created = occurrences_generate()
    schedule_next_run()
    return {"created": created}


def _waiting() -> int:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(
        task_path=occurrences_generate_task.module_path, status="READY"
    ).count()


def schedule_next_run(*, now: dt.datetime | None = None) -> bool:
    """Queue the next generation one interval from now; False when one waits or tasks run at once."""
    if not default_task_backend.supports_defer:
        return False
    if _waiting():
        return False
    occurrences_generate_task.using(run_after=(now or timezone.now()) + interval()).enqueue()
    return True
