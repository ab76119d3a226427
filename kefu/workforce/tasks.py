"""Background tasks of the roster module — 自动排班与发布提醒 (django-tasks).

* ``roster_solve_job_task`` — the 自动排班 button/API: a ``kefu.core.jobs`` job
  (``JobKind.ROSTER_SOLVE``) whose page shows the solver's progress and, at the end, the draft
  written (``workforce/_job_roster_solve.html``).
* ``roster_reminder_daily_task`` — once a day at ``REMINDER_TIME`` (Asia/Shanghai) the team leads
  whose next-month or holiday roster is due soon or overdue are reminded (WFM-2), then the task
  enqueues its next run; ``manage.py roster_reminder_schedule`` starts the chain and does nothing
  when a run is already waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection, connections
from django_tasks import task

from kefu.core import daily
from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, job_payload_json, run_job
from kefu.core.models import BackgroundJob

from .services.reminders import roster_reminders_send
from .services.rosters import roster_solve

logger = logging.getLogger(__name__)
REMINDER_TIME = dt.time(9, 0)


# --- 自动排班 ------------------------------------------------------------------------------------
@task()
def roster_solve_job_task(job_id: int) -> None:
    """自动排班 for job ``job_id``, as the person who asked."""
    run_job(job_id, solve_job)


def solver_progress(job_id: int, report: Progress) -> Callable[[float, str], None]:
    """The solver's progress (fraction, message) as the job's percent.

    CP-SAT calls back from its own worker threads. On the calling thread the job framework
    writes it (``report``); on another thread one UPDATE goes through that thread's own
    connection, closed again at once. The solve holds no transaction while CP-SAT runs (the
    draft is written afterwards), so this works on SQLite too, the single writer being free; a
    write that cannot get the lock within 100 ms is skipped (logged): the solve never waits on it.
    """
    owner = threading.current_thread()

    def progress(fraction: float, message: str) -> None:
        done = max(0, min(99, int(fraction * 100)))
        if threading.current_thread() is owner:
            report(done, 100)
            return
        try:
            if connection.vendor == "sqlite":  # this thread's own connection
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 100")
            BackgroundJob.objects.filter(pk=job_id, status="running").update(
                progress_done=done, progress_total=100
            )
        except DatabaseError:  # progress is a courtesy; never fail the solve for it
            logger.warning("job %s: solver progress not recorded", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    return progress


def solve_job(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of a solve job: read team and month, solve, write the draft."""
    payload = job_payload_json(job)
    month = dt.date.fromisoformat(payload["month"])
    progress(0, 100)
    try:
        outcome = roster_solve(
            actor=job.created_by,
            team_id=int(payload["team_id"]),
            month=month,
            time_limit_s=payload.get("time_limit_s"),
            progress=solver_progress(job.pk, progress),
            job_id=job.pk,
            expected_stamp=payload.get("draft_stamp"),
        )
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有编制该班组排班表的权限，本次未排班", code=exc.code
        ) from exc
    return JobOutcome(result=outcome.as_dict(), summary=outcome.summary)


# --- 发布提醒 ------------------------------------------------------------------------------------
@task()
def roster_reminder_daily_task() -> dict[str, Any]:
    """排班发布提醒 and 还班逾期提醒 (as the system), then schedule tomorrow's run — even after a
    failure."""
    from kefu.swaps.services import swap_paybacks_overdue_notify

    try:
        sent = roster_reminders_send()
        sent += swap_paybacks_overdue_notify()  # 还班逾期 (WFM-3), once per swap
    finally:
        schedule_next_reminder_run()
    logger.info("roster reminders: %s", sent)
    return {"sent": sent}


def next_reminder_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next ``REMINDER_TIME`` (Asia/Shanghai) strictly after ``now``."""
    return daily.next_daily_run(REMINDER_TIME, now)


def schedule_next_reminder_run(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily reminder run; None when one is waiting already or the backend runs
    tasks at once (tests), where a self-scheduling task would never end."""
    return daily.schedule_daily(roster_reminder_daily_task, REMINDER_TIME, now=now)
