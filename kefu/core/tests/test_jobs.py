"""Background jobs — 后台任务: lifecycle, notifications, the job page and its polling, failures."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django_tasks import task

from kefu.core import jobs
from kefu.core.choices import JobKind, JobStatus
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress
from kefu.core.models import AuditEvent, BackgroundJob, Notification

pytestmark = pytest.mark.django_db

KIND = JobKind.EMPLOYEE_IMPORT.value
HTMX = {"HX-Request": "true"}


# Module-level work and tasks: django-tasks runs only module-level functions.
def counting_work(job: BackgroundJob, progress: Progress) -> JobOutcome:
    payload = jobs.job_payload_json(job)
    for done in range(payload["n"] + 1):
        progress(done, payload["n"])
    return JobOutcome(result={"counted": payload["n"]}, summary=f"数了 {payload['n']} 个")


def crashing_work(job: BackgroundJob, progress: Progress) -> JobOutcome:
    progress(3, 10)
    raise RuntimeError("database exploded")


def refusing_work(job: BackgroundJob, progress: Progress) -> JobOutcome:
    raise DomainError("nothing_to_do", "没有可处理的数据")


@task()
def counting_task(job_id: int) -> None:
    jobs.run_job(job_id, counting_work)


@task()
def crashing_task(job_id: int) -> None:
    jobs.run_job(job_id, crashing_work)


@task()
def refusing_task(job_id: int) -> None:
    jobs.run_job(job_id, refusing_work)


@pytest.fixture(autouse=True)
def _no_side_connection_left() -> Any:
    # On PostgreSQL progress may open a second connection; one left open would keep the test
    # database from being dropped.
    yield
    jobs._close_side_connection()


def job_page(client: Any, job: BackgroundJob, **kwargs: Any) -> Any:
    return client.get(f"/jobs/{job.pk}/", **kwargs)


# --- lifecycle --------------------------------------------------------------------------------
def test_lifecycle_create_start_progress_finish(hr, org):
    job = jobs.job_create(actor=hr, kind=KIND, payload={"n": 3}, description="测试")

    stored = BackgroundJob.objects.get(pk=job.pk)
    assert stored.status == JobStatus.QUEUED and stored.created_by == hr
    assert stored.started_at is None and stored.finished_at is None
    assert jobs.job_payload_json(stored) == {"n": 3}
    created = AuditEvent.objects.get(action="job.create")
    assert created.actor_id == hr.pk and created.object_id == str(job.pk)
    assert created.after == {"kind": KIND, "description": "测试", "payload_bytes": 8}

    assert jobs.job_start(job) is True
    assert jobs.job_start(job) is False  # a second worker cannot take it again
    stored.refresh_from_db()
    assert stored.status == JobStatus.RUNNING and stored.started_at is not None

    jobs.job_progress(job, 2, 3)
    assert (job.progress_done, job.progress_total) == (2, 3)
    jobs.job_progress(job, 9, 3)  # never more than the total
    assert (job.progress_done, job.progress_total) == (3, 3)

    jobs.job_finish(job, {"counted": 3}, summary="数了 3 个")

    stored.refresh_from_db()
    assert stored.status == JobStatus.SUCCEEDED and stored.finished_at is not None
    assert stored.result == {"counted": 3}
    assert (stored.progress_done, stored.progress_total) == (3, 3)
    assert bytes(stored.payload) == b""  # the input is not kept once the job has ended
    notice = Notification.objects.get(recipient=hr)
    assert notice.title == "导入员工档案：已完成" and notice.body == "数了 3 个"
    assert notice.link == f"/jobs/{job.pk}/" and notice.read_at is None
    assert AuditEvent.objects.get(action="job.finish").after["status"] == "succeeded"
    # Progress and start are bookkeeping: only creation and the end are in the audit trail.
    assert set(
        AuditEvent.objects.filter(action__startswith="job.").values_list("action", flat=True)
    ) == {"job.create", "job.finish"}
    with pytest.raises(DomainError) as ended:
        jobs.job_finish(job, {"counted": 4})
    assert ended.value.code == "job_already_ended"
    with pytest.raises(DomainError):
        jobs.job_fail(job, "太晚了")
    assert Notification.objects.filter(recipient=hr).count() == 1


def test_submit_runs_the_task_and_notifies_only_the_creator(client_for, hr, supervisor, org):
    job = jobs.job_submit(actor=hr, kind=KIND, payload={"n": 4}, task=counting_task)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 4}
    assert (job.progress_done, job.progress_total) == (4, 4)
    assert Notification.objects.filter(recipient=hr, link=f"/jobs/{job.pk}/").count() == 1
    assert not Notification.objects.filter(recipient=supervisor).exists()


def test_create_refuses_anonymous_and_unknown_kinds(hr, org):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        jobs.job_create(actor=AnonymousUser(), kind=KIND, payload=b"x")
    with pytest.raises(PermissionDeniedError):
        jobs.job_create(actor=None, kind=KIND)
    with pytest.raises(DomainError) as unknown:
        jobs.job_create(actor=hr, kind="org.nothing")
    assert unknown.value.code == "job_kind_unknown"
    assert not BackgroundJob.objects.exists()
    assert not AuditEvent.objects.filter(action="job.create").exists()


def test_constraints_hold_in_the_database(hr, org):
    job = jobs.job_create(actor=hr, kind=KIND)
    for changes in (
        {"progress_done": 5, "progress_total": 4},
        {"status": "paused"},
        {"status": JobStatus.SUCCEEDED},  # ended without an end time
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            BackgroundJob.objects.filter(pk=job.pk).update(**changes)
    assert BackgroundJob.objects.get(pk=job.pk).status == JobStatus.QUEUED


# --- the job page -----------------------------------------------------------------------------
def test_only_the_creator_sees_the_job_page(client_for, client, hr, supervisor, sysadmin, org):
    job = jobs.job_create(actor=hr, kind=KIND, payload={"n": 1}, description="名单.xlsx")

    mine = job_page(client_for(hr), job)
    assert mine.status_code == 200
    body = mine.content.decode()
    assert "导入员工档案" in body and "名单.xlsx" in body and "排队中" in body
    for other in (supervisor, sysadmin):
        assert job_page(client_for(other), job).status_code == 404
        assert job_page(client_for(other), job, headers=HTMX).status_code == 404
    anonymous = job_page(client, job)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert client_for(hr).get("/jobs/999999/").status_code == 404


def test_fragment_polls_while_active_and_stops_when_finished(client_for, hr, org):
    client = client_for(hr)
    job = jobs.job_create(actor=hr, kind=KIND, payload={"n": 10})

    queued = job_page(client, job, headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in queued and f'hx-get="/jobs/{job.pk}/"' in queued
    assert "<html" not in queued  # only the fragment is swapped
    assert 'data-status="queued"' in queued

    jobs.job_start(job)
    jobs.job_progress(job, 4, 10)
    # Inside a test's transaction the figure is written on PostgreSQL through a second connection
    # that cannot see this uncommitted job; write it the ordinary way to look at the page.
    BackgroundJob.objects.filter(pk=job.pk).update(progress_done=4, progress_total=10)
    running = job_page(client, job, headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'data-status="running"' in running
    assert 'aria-valuenow="40"' in running and "40%（4 / 10）" in running
    full = job_page(client, job).content.decode()
    assert 'hx-trigger="every 1s"' in full and "<html" in full

    jobs.job_finish(job, {"counted": 10})

    for page in (job_page(client, job, headers=HTMX), job_page(client, job)):
        body = page.content.decode()
        assert 'data-status="succeeded"' in body and "已完成" in body
        assert "hx-trigger" not in body and "hx-get" not in body
        assert "100%（10 / 10）" in body


def test_page_includes_the_result_template_of_the_kind(client_for, hr, org):
    job = jobs.job_create(actor=hr, kind=KIND)
    jobs.job_start(job)
    jobs.job_finish(
        job,
        {
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [{"row": 7, "field": "姓名", "message": "请填写姓名"}],
        },
    )

    body = job_page(client_for(hr), job).content.decode()

    assert jobs.result_template(job) == "org/_job_employee_import.html"
    assert 'data-testid="import-errors"' in body
    assert "<td>第7行</td><td>姓名</td><td>请填写姓名</td>" in body
    assert jobs.result_template(BackgroundJob(kind="core.nothing")) is None


def test_page_in_english(client_for, hr, org):
    from kefu.core.management.commands.compile_translations import ensure_compiled

    ensure_compiled()  # a fresh clone has only the .po
    job = jobs.job_create(actor=hr, kind=KIND)
    body = job_page(client_for(hr), job, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Import employee records" in body and "Queued" in body
    assert "排队中" not in body


# --- failures ---------------------------------------------------------------------------------
def test_task_that_raises_fails_the_job(client_for, hr, org):
    job = jobs.job_submit(actor=hr, kind=KIND, payload=b"raw", task=crashing_task)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == jobs.UNEXPECTED_FAILURE
    assert "database exploded" not in job.error  # the traceback is for the log, not the user
    assert job.result is None and bytes(job.payload) == b""
    assert job.progress_done == 3 and job.progress_total == 10
    notice = Notification.objects.get(recipient=hr)
    assert "失败" in notice.title and notice.body == jobs.UNEXPECTED_FAILURE
    assert notice.link == f"/jobs/{job.pk}/"
    assert AuditEvent.objects.get(action="job.fail").after["error"] == jobs.UNEXPECTED_FAILURE
    body = job_page(client_for(hr), job).content.decode()
    assert 'data-status="failed"' in body and jobs.UNEXPECTED_FAILURE in body
    assert "hx-trigger" not in body and 'role="progressbar"' not in body


def test_domain_error_fails_the_job_with_its_message(hr, org):
    job = jobs.job_submit(actor=hr, kind=KIND, task=refusing_task)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "没有可处理的数据"
    assert Notification.objects.get(recipient=hr).title == "导入员工档案：失败"


def test_a_job_is_run_once(hr, org):
    job = jobs.job_submit(actor=hr, kind=KIND, payload={"n": 2}, task=counting_task)

    counting_task.enqueue(job.pk)  # delivered twice: the second run finds it already ended

    assert Notification.objects.filter(recipient=hr).count() == 1
    assert AuditEvent.objects.filter(action="job.finish").count() == 1
    counting_task.enqueue(987654)  # a job deleted meanwhile is skipped quietly


def test_a_queued_job_can_fail(hr, org):
    job = jobs.job_create(actor=hr, kind=KIND, payload=b"data")

    jobs.job_fail(job, "")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.UNEXPECTED_FAILURE


def test_audit_events_of_the_task_carry_the_submitting_request(client_for, hr, org):
    from kefu.core import context

    token = context.bind("10.1.2.3", "req-123")
    try:
        job = jobs.job_create(actor=hr, kind=KIND, payload={"n": 1})
    finally:
        context.reset(token)
    assert (job.ip, job.request_id) == ("10.1.2.3", "req-123")

    counting_task.enqueue(job.pk)

    finished = AuditEvent.objects.get(action="job.finish")
    assert (finished.ip, finished.request_id) == ("10.1.2.3", "req-123")


# --- progress outside the test transaction ------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_work_holds_its_transaction(hr, org):
    job = jobs.job_create(actor=hr, kind=KIND)
    jobs.job_start(job)

    jobs.job_progress(job, 2, 10)  # outside any transaction: an ordinary UPDATE
    assert BackgroundJob.objects.values_list("progress_done", "progress_total").get(pk=job.pk) == (
        2,
        10,
    )

    with transaction.atomic():
        jobs.job_progress(job, 6, 10)
        if connection.vendor == "postgresql":
            # What the page's request sees while the work's transaction is still open.
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT progress_done FROM core_backgroundjob WHERE id = %s", [job.pk]
                    )
                    assert cursor.fetchone() == (6,)
            finally:
                other.close()
    jobs._close_side_connection()
    if connection.vendor != "postgresql":
        # SQLite has one writer, held by the work's transaction: the figure waits on the instance.
        assert BackgroundJob.objects.get(pk=job.pk).progress_done == 2
    assert job.progress_done == 6

    jobs.job_finish(job, {})
    assert BackgroundJob.objects.values_list("progress_done", "progress_total").get(pk=job.pk) == (
        10,
        10,
    )
