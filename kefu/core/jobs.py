"""Background jobs — 后台任务: long work (imports, roster solving, month close, reports) run by the
task worker, with progress the user can watch and a notification when it ends (UI.md).

How a module uses it:

1. add its kind to ``JobKind`` (kefu/core/choices.py);
2. define a django-tasks task taking only the job id, whose body is
   ``run_job(job_id, work)``; ``work(job, progress)`` reads ``job.payload``, calls the module's
   services as ``job.created_by``, reports ``progress(done, total)`` now and then and returns a
   ``JobOutcome``; a DomainError it raises fails the job with its Chinese message;
3. submit from the page with ``job_submit(actor=…, kind=…, payload=…, task=…)`` and redirect
   to ``job_url(job)``;
4. optionally show the result with a template ``<app>/_job_<name>.html`` (``job.result``).

Creating and ending a job are audited; starting and progress are bookkeeping and are not.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from . import audit, context
from .choices import JobKind, JobStatus
from .errors import DomainError, PermissionDeniedError
from .models import BackgroundJob, Notification

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Shown when a job dies of an unexpected exception: the traceback goes to the worker's log and
# the task result, not to the user.
UNEXPECTED_FAILURE = "处理过程中发生系统错误，未完成。请稍后重试，或联系系统管理员。"


@dataclass(frozen=True)
class JobOutcome:
    """What a job's work returns: the JSON ``result`` the page shows and a one-line summary
    for the notification."""

    result: dict[str, Any]
    summary: str = ""


# --- reads ------------------------------------------------------------------------------------
def jobs_for_user(user: Any) -> QuerySet[BackgroundJob]:
    """The jobs ``user`` may see: only those they started (a job's result can hold personal data
    of the people it touched). The payload is left out: it can be megabytes and pages never show
    it."""
    if not (user and user.is_authenticated):
        return BackgroundJob.objects.none()
    return BackgroundJob.objects.filter(created_by=user).defer("payload")


def job_url(job: BackgroundJob) -> str:
    return reverse("job_detail", args=[job.pk])


def job_payload_json(job: BackgroundJob) -> Any:
    """The payload of a job created with a JSON payload."""
    return json.loads(bytes(job.payload).decode("utf-8"))


def result_template(job: BackgroundJob) -> str | None:
    """The template that shows this kind's result ("<app>/_job_<name>.html"), if there is one."""
    app, _, name = job.kind.partition(".")
    candidate = f"{app}/_job_{name}.html"
    try:
        get_template(candidate)
    except TemplateDoesNotExist:
        return None
    return candidate


def _kind_label(kind: str) -> str:
    return JobKind(kind).label if kind in JobKind.values else kind


# --- writes -----------------------------------------------------------------------------------
def _encode_payload(payload: bytes | dict[str, Any] | list[Any] | None) -> bytes:
    if payload is None:
        return b""
    if isinstance(payload, bytes | bytearray | memoryview):
        return bytes(payload)
    return json.dumps(audit.to_jsonable(payload), ensure_ascii=False).encode("utf-8")


@transaction.atomic
def job_create(
    *,
    actor: Any,
    kind: str,
    payload: bytes | dict[str, Any] | list[Any] | None = None,
    description: str = "",
) -> BackgroundJob:
    """Create a queued background job for ``actor`` — 新建后台任务 (audited).

    ``payload`` is the input: an uploaded file's bytes, or something JSON-serialisable. The
    request's IP and id are kept so the audit events the worker writes carry them too.
    The module that owns ``kind`` checks the actor's permission before calling this.
    """
    if not (actor and actor.is_authenticated):
        raise PermissionDeniedError()
    if kind not in JobKind.values:
        raise DomainError("job_kind_unknown", "未知的后台任务类型", fields={"kind": "未知类型"})
    data = _encode_payload(payload)
    ctx = context.current()
    job = BackgroundJob.objects.create(
        kind=kind,
        description=(description or "").strip()[:200],
        created_by=actor,
        payload=data,
        ip=ctx.ip,
        request_id=ctx.request_id,
    )
    audit.record(
        actor=actor,
        action="job.create",
        obj=job,
        after={"kind": kind, "description": job.description, "payload_bytes": len(data)},
    )
    return job


@transaction.atomic
def job_submit(
    *,
    actor: Any,
    kind: str,
    task: Any,
    payload: bytes | dict[str, Any] | list[Any] | None = None,
    description: str = "",
) -> BackgroundJob:
    """Create a job and enqueue ``task`` (a django-tasks task taking the job id) — 提交后台任务.

    One transaction: with the database task backend the queued task row commits together with
    the job, so a worker never picks up a task whose job it cannot read, and a failed enqueue
    leaves no job stuck in 排队中.
    """
    job = job_create(actor=actor, kind=kind, payload=payload, description=description)
    task.enqueue(job.pk)
    return job


def job_start(job: BackgroundJob) -> bool:
    """Mark a queued job as running — 开始执行. False when it was not queued (already taken).

    One conditional UPDATE, so two workers handed the same job cannot both run it. Not audited:
    it is the worker's bookkeeping; the job's creation and its end are.
    """
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    if claimed:
        job.status = JobStatus.RUNNING
        job.started_at = now
    return bool(claimed)


_side = threading.local()


def _side_connection() -> Any:
    conn = getattr(_side, "connection", None)
    if conn is None:
        conn = connections.create_connection(DEFAULT_DB_ALIAS)
        _side.connection = conn
    return conn


def _close_side_connection() -> None:
    conn = getattr(_side, "connection", None)
    if conn is not None:
        _side.connection = None
        try:
            conn.close()
        except DatabaseError:  # closing a broken connection must not fail the job
            logger.warning("closing the job progress connection failed", exc_info=True)


def job_progress(job: BackgroundJob, done: int, total: int) -> None:
    """Record how far a running job is — 进度 (cheap, not audited; ignored once it has ended).

    The work usually reports from inside its own transaction (an import writes all rows or none),
    where an ordinary UPDATE would stay invisible to the page until the very end. On PostgreSQL
    the figure is therefore written through a second, autocommitting connection. SQLite allows
    one writer at a time and the work's transaction holds it, so there the figure is kept on the
    instance and written by the next call made outside a transaction, or by job_finish.
    """
    total = max(int(total), 0)
    done = min(max(int(done), 0), total)
    job.progress_done, job.progress_total = done, total
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress_done=done, progress_total=total
        )
        return
    if conn.vendor != "postgresql":
        return
    meta = BackgroundJob._meta
    side = _side_connection()
    qn = side.ops.quote_name
    col = {name: qn(meta.get_field(name).column) for name in ("progress_done", "progress_total")}
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {col['progress_done']} = %s, "
        f"{col['progress_total']} = %s WHERE {qn(meta.pk.column)} = %s AND {qn('status')} = %s"
    )
    try:
        with side.cursor() as cursor:
            cursor.execute(sql, [done, total, job.pk, JobStatus.RUNNING.value])
    except DatabaseError:
        # Progress is a courtesy: losing one figure must never fail the work itself.
        logger.warning("job %s: progress not recorded", job.pk, exc_info=True)
        _close_side_connection()


def _end(
    job: BackgroundJob, *, status: JobStatus, result: Any, error: str, summary: str
) -> BackgroundJob:
    # Only a running job can succeed; a queued one can also fail (it could not even start).
    allowed = (
        (JobStatus.RUNNING,)
        if status == JobStatus.SUCCEEDED
        else (JobStatus.QUEUED, JobStatus.RUNNING)
    )
    locked = (
        BackgroundJob.objects.select_for_update()
        .defer("payload")
        .select_related("created_by")
        .get(pk=job.pk)
    )
    if locked.status not in allowed:
        raise DomainError("job_already_ended", "该后台任务已结束", status=409)
    total = max(job.progress_total, locked.progress_total)
    done = total if status == JobStatus.SUCCEEDED else min(job.progress_done, total)
    locked.status = status
    locked.finished_at = timezone.now()
    locked.result = audit.to_jsonable(result) if result is not None else None
    locked.error = error
    locked.progress_total, locked.progress_done = total, done
    # The input is no longer needed; an uploaded file may hold personal data (SEC-1).
    locked.payload = b""
    locked.save(
        update_fields=[
            "status",
            "finished_at",
            "result",
            "error",
            "progress_total",
            "progress_done",
            "payload",
        ]
    )
    label = _kind_label(locked.kind)
    Notification.objects.create(
        recipient_id=locked.created_by_id,
        title=f"{label}：{'已完成' if status == JobStatus.SUCCEEDED else '失败'}",
        body=summary or error,
        link=job_url(locked),
    )
    audit.record(
        actor=locked.created_by,
        action="job.finish" if status == JobStatus.SUCCEEDED else "job.fail",
        obj=locked,
        after={"kind": locked.kind, "status": status.value, "error": error},
    )
    for name in ("status", "finished_at", "result", "error", "progress_total", "progress_done"):
        setattr(job, name, getattr(locked, name))
    _close_side_connection()  # no more progress to report for this job
    job.payload = b""
    return job


@transaction.atomic
def job_finish(job: BackgroundJob, result: dict[str, Any], *, summary: str = "") -> BackgroundJob:
    """End a running job successfully — 任务完成 (audited): store its result and tell its creator
    with a notification linking to the job page; ``summary`` is the notification's text."""
    return _end(job, status=JobStatus.SUCCEEDED, result=result, error="", summary=summary)


@transaction.atomic
def job_fail(job: BackgroundJob, message: str) -> BackgroundJob:
    """End a queued or running job as failed — 任务失败 (audited): ``message`` (Chinese) is shown
    on the job page and in the creator's notification."""
    message = (message or "").strip() or UNEXPECTED_FAILURE
    return _end(job, status=JobStatus.FAILED, result=None, error=message, summary="")


def stale_message(minutes: int) -> str:
    return f"后台任务运行超过 {minutes} 分钟仍未结束（处理它的工作进程可能已中断），已标记为失败，请重新提交。"


def jobs_fail_stale(*, now: dt.datetime | None = None) -> list[int]:
    """中断的后台任务 — fail every job still running longer than the policy's limit.

    A worker that is killed (deploy, out of memory, machine lost) leaves its job 执行中 for ever;
    its creator would wait on a progress bar that never moves. Each stale job is failed through
    ``job_fail`` (audited, creator notified) in its own transaction; a job that ended meanwhile is
    skipped. Returns the ids failed."""
    from .policy import security_policy

    now = now or timezone.now()
    minutes = security_policy(timezone.localdate(now)).job_stale_minutes
    cutoff = now - dt.timedelta(minutes=minutes)
    stale = BackgroundJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
    failed = []
    for job in stale.defer("payload").order_by("pk"):
        try:
            job_fail(job, stale_message(minutes))
        except DomainError:  # it ended between the query and the lock
            continue
        failed.append(job.pk)
    if failed:
        logger.warning("background jobs failed as interrupted: %s", failed)
    return failed


def run_job(job_id: int, work: Callable[[BackgroundJob, Progress], JobOutcome]) -> None:
    """The body of every job task: start the job, run ``work``, then finish or fail it.

    ``work`` acts as the job's creator and must check permissions through the services as a page
    would (the creator may have lost a right since submitting). A DomainError fails the job with
    its message; any other exception fails it with a general message and is raised again, so
    the task backend records the traceback.
    """
    job = BackgroundJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("background job %s no longer exists", job_id)
        return
    token = context.bind(job.ip, job.request_id or None)
    try:
        if not job_start(job):
            logger.warning("background job %s is %s, not queued; not run again", job.pk, job.status)
            return
        try:
            outcome = work(job, lambda done, total: job_progress(job, done, total))
        except DomainError as exc:
            job_fail(job, exc.message)
            return
        except Exception:
            logger.exception("background job %s (%s) failed", job.pk, job.kind)
            job_fail(job, UNEXPECTED_FAILURE)
            raise
        job_finish(job, outcome.result, summary=outcome.summary)
    finally:
        _close_side_connection()
        context.reset(token)
