"""Interrupted background jobs — 中断的后台任务: a job left 执行中 by a dead worker is failed after
the policy's limit (security.job_stale_minutes), its creator told; live and ended jobs untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from kefu.core import jobs
from kefu.core.choices import JobKind, JobStatus
from kefu.core.models import AuditEvent, BackgroundJob, Notification
from kefu.core.policy import security_policy

pytestmark = pytest.mark.django_db
KIND = JobKind.EMPLOYEE_IMPORT.value


def _running(actor, started_minutes_ago: float) -> BackgroundJob:
    job = jobs.job_create(actor=actor, kind=KIND, payload={"n": 1})
    assert jobs.job_start(job)
    started = timezone.now() - dt.timedelta(minutes=started_minutes_ago)
    BackgroundJob.objects.filter(pk=job.pk).update(started_at=started)
    return job


def test_default_limit_is_policy_data(org):
    assert security_policy().job_stale_minutes == 180


def test_a_job_running_past_the_limit_is_failed_and_its_creator_told(hr, org):
    limit = security_policy().job_stale_minutes
    stale = _running(hr, limit + 1)
    fresh = _running(hr, limit - 1)
    failed = jobs.jobs_fail_stale()
    assert failed == [stale.pk]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == JobStatus.FAILED and f"{limit} 分钟" in stale.error
    assert stale.finished_at is not None and stale.payload in (b"", memoryview(b""))
    assert fresh.status == JobStatus.RUNNING
    note = Notification.objects.get(recipient=hr, link__contains=str(stale.pk))
    assert "失败" in note.title
    assert AuditEvent.objects.filter(action="job.fail", object_id=str(stale.pk)).exists()
    # a second scan changes nothing
    assert jobs.jobs_fail_stale() == []


def test_queued_and_ended_jobs_are_left_alone(hr, org):
    queued = jobs.job_create(actor=hr, kind=KIND)
    BackgroundJob.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    done = _running(hr, 10_000)
    jobs.job_finish(done, {"ok": True})
    assert jobs.jobs_fail_stale() == []
    assert BackgroundJob.objects.get(pk=queued.pk).status == JobStatus.QUEUED
    assert BackgroundJob.objects.get(pk=done.pk).status == JobStatus.SUCCEEDED


def test_the_worker_cannot_finish_a_job_failed_as_interrupted(hr, org):
    from kefu.core.errors import DomainError

    job = _running(hr, 100_000)
    jobs.jobs_fail_stale()
    with pytest.raises(DomainError) as exc:
        jobs.job_finish(job, {"late": True})
    assert exc.value.code == "job_already_ended"


def test_command_scans_now(hr, org, capsys):
    _running(hr, 100_000)
    call_command("jobs_schedule", "--now")
    assert "1 个中断的后台任务" in capsys.readouterr().out
    call_command("jobs_schedule")  # tasks run at once in tests: nothing to queue, no error


def test_the_scan_task_fails_stale_jobs(hr, org):
    from kefu.core.tasks import jobs_stale_scan_task

    job = _running(hr, 100_000)
    result = jobs_stale_scan_task.enqueue()
    assert result.return_value == {"failed": [job.pk]}
