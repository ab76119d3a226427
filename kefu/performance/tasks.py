"""Background tasks — 汇总各模块奖惩事件 (django-tasks).

* ``incident_import_task`` — the job (``JobKind.INCIDENT_IMPORT``) started from the 奖惩台账 page or
  the API: ``services.imports.incidents_import`` as the person who started it.
* ``incident_import_daily_task`` — every day at ``KEFU_PERFORMANCE_IMPORT_AT`` (Asia/Shanghai,
  default 01:30) the last days' workforce incidents (``KEFU_PERFORMANCE_IMPORT_DAYS``, default 3,
  ending yesterday) are booked as the system; the run enqueues the next one.
  ``manage.py performance_schedule`` starts the chain and does nothing when a run is waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kefu.core import daily
from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, job_payload_json, run_job
from kefu.core.models import BackgroundJob

from .services.imports import import_workforce_incidents, incidents_import

logger = logging.getLogger(__name__)

DEFAULT_RUN_AT = "01:30"
DEFAULT_DAYS = 3


# --- the job ------------------------------------------------------------------------------------
@task()
def incident_import_task(job_id: int) -> None:
    """导入各模块事件 for job ``job_id``, as the person who started it."""
    run_job(job_id, import_incidents_job)


def import_incidents_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    payload = job_payload_json(job)
    start = dt.date.fromisoformat(payload["start"])
    end = dt.date.fromisoformat(payload["end"])
    try:
        result = incidents_import(actor=job.created_by, start=start, end=end, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入奖惩事件的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_json(), summary=result.summary)


# --- the daily run ------------------------------------------------------------------------------
def daily_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days the daily run reads: the last ``KEFU_PERFORMANCE_IMPORT_DAYS`` up to yesterday."""
    days = max(int(getattr(settings, "KEFU_PERFORMANCE_IMPORT_DAYS", DEFAULT_DAYS)), 1)
    end = today - dt.timedelta(days=1)
    return end - dt.timedelta(days=days - 1), end


@task()
def incident_import_daily_task() -> dict[str, Any]:
    """每日汇总各模块奖惩事件 (as the system), then schedule tomorrow's run — even after a failure."""
    try:
        start, end = daily_window(timezone.localdate())
        result = import_workforce_incidents(actor=None, start=start, end=end)
    finally:
        schedule_next_daily_run()
    logger.info("daily incident import: %s", result.summary)
    return result.as_json()


def run_at() -> dt.time:
    """The configured time of the daily run (Asia/Shanghai)."""
    return dt.time.fromisoformat(getattr(settings, "KEFU_PERFORMANCE_IMPORT_AT", DEFAULT_RUN_AT))


def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next moment at the configured time (Asia/Shanghai) strictly after ``now``."""
    return daily.next_daily_run(run_at(), now)


def schedule_next_daily_run(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily run; None when one is waiting or the backend runs tasks at once."""
    return daily.schedule_daily(incident_import_daily_task, run_at(), now=now)
