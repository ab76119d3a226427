"""Background tasks of the visits app — 回访计划后台生成 (django-tasks).

* ``visit_plans_job_task`` — the 重新生成回访计划 button/API: a ``kefu.core.jobs`` job
  (``JobKind.VISIT_PLANS``) whose page shows the progress and the counts; the job framework sends
  the notification when it ends.
* ``visit_plan_daily_task`` — the plans move forward by themselves: once a day, at the policy's
  ``plan.daily_run_time`` (Asia/Shanghai), the generator runs as the system and the task enqueues
  its next run. django-tasks has no timetable of its own, so the chain keeps itself going like
  ``tickets.tasks.tickets_sla_scan_task``; ``manage.py visit_plan_schedule`` starts it (worker
  start-up) and does nothing when a run is already waiting.
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

from .policy import visits_policy
from .services import generate_visit_plans

logger = logging.getLogger(__name__)


# --- the job behind the button ----------------------------------------------------------------
@task()
def visit_plans_job_task(job_id: int) -> None:
    """生成回访计划 for job ``job_id``, as the person who asked."""
    run_job(job_id, generate_plans_job)


def generate_plans_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of a plan job: the whole generator, reporting installation ranges as progress.

    The right is checked again by the service: someone whose role changed after submitting is
    refused and the job fails saying so.
    """
    try:
        result = generate_visit_plans(actor=job.created_by, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有生成回访计划的权限，本次未生成", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_dict(), summary=result.summary)


# --- the daily run ------------------------------------------------------------------------------
@task()
def visit_plan_daily_task() -> dict[str, Any]:
    """每日生成回访计划 (as the system), then schedule tomorrow's run — even after a failure."""
    try:
        result = generate_visit_plans()
    finally:
        schedule_next_daily_run()
    logger.info("daily visit plans: %s", result.as_dict())
    return result.as_dict()


def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next moment at the policy's daily time (Asia/Shanghai) strictly after ``now``."""
    now = (now or timezone.now()).astimezone(SHANGHAI)
    at = visits_policy(now.date()).plan.daily_run_at()
    candidate = dt.datetime.combine(now.date(), at, tzinfo=SHANGHAI)
    if candidate <= now:
        day = now.date() + dt.timedelta(days=1)
        at = visits_policy(day).plan.daily_run_at()  # the version in force that day
        candidate = dt.datetime.combine(day, at, tzinfo=SHANGHAI)
    return candidate


def _waiting_daily_runs() -> int:
    """Daily runs queued and not yet started (only the database backend can tell)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a fixed dependency
        return 0
    return DBTaskResult.objects.filter(
        task_path=visit_plan_daily_task.module_path, status="READY"
    ).count()


def schedule_next_daily_run(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily run; None when one is waiting already or the backend runs tasks at
    once (tests), where a self-scheduling task would never end."""
    if not default_task_backend.supports_defer:
        return None
    if _waiting_daily_runs():
        return None
    run_after = next_daily_run(now)
    visit_plan_daily_task.using(run_after=run_after).enqueue()
    return run_after
