"""Background tasks of the attendance app — 考勤后台任务 (django-tasks).

* ``clock_import_task`` — 导入打卡记录: a ``kefu.core.jobs`` job (``JobKind.ATTENDANCE_IMPORT``)
  whose page shows the progress and then the row errors or the counts.
* ``attendance_classify_daily_task`` — every day at the policy's ``daily_run_time`` the days just
  ended (and those whose 补卡 deadline passed) are judged as the system, and the task enqueues its
  next run. ``manage.py attendance_classify_schedule`` starts the chain (worker start-up) and does
  nothing when a run is already waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django_tasks import default_task_backend, task

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, run_job
from kefu.core.models import BackgroundJob

from . import csvimport
from .policy import attendance_policy
from .services import attendance_classify_daily, clock_import

logger = logging.getLogger(__name__)


# --- the import job ---------------------------------------------------------------------------
@task()
def clock_import_task(job_id: int) -> None:
    """Import the time-clock file held by job ``job_id``, as the person who uploaded it."""
    run_job(job_id, import_clocks)


def import_clocks(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Read the stored CSV and run ``services.clock_import``; row errors are a normal outcome."""
    try:
        rows = csvimport.read_rows(bytes(job.payload))
        result = clock_import(actor=job.created_by, rows=rows, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入打卡记录的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_json(), summary=result.summary)


# --- the daily run ------------------------------------------------------------------------------
@task()
def attendance_classify_daily_task() -> dict[str, Any]:
    """每日考勤计算 (as the system), then schedule tomorrow's run — even after a failure."""
    try:
        result = attendance_classify_daily()
    finally:
        schedule_next_daily_run()
    logger.info("daily attendance classification: %s", result.as_dict())
    return result.as_dict()


def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next moment at the policy's daily time (Asia/Shanghai) strictly after ``now``."""
    now = (now or timezone.now()).astimezone(SHANGHAI)
    at = attendance_policy(now.date()).daily_run_at()
    candidate = dt.datetime.combine(now.date(), at, tzinfo=SHANGHAI)
    if candidate <= now:
        day = now.date() + dt.timedelta(days=1)
        at = attendance_policy(day).daily_run_at()  # the version in force that day
        candidate = dt.datetime.combine(day, at, tzinfo=SHANGHAI)
    return candidate


def _waiting_daily_runs() -> int:
    """Daily runs queued and not yet started (only the database backend can tell)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(
        task_path=attendance_classify_daily_task.module_path, status="READY"
    ).count()


def schedule_next_daily_run(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily run; None when one is waiting already or the backend runs tasks at
    once (tests), where a self-scheduling task would never end."""
    if not default_task_backend.supports_defer:
        return None
    if _waiting_daily_runs():
        return None
    run_after = next_daily_run(now)
    attendance_classify_daily_task.using(run_after=run_after).enqueue()
    return run_after
