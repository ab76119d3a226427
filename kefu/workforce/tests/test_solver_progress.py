"""自动排班 progress from CP-SAT's own threads (``tasks.solver_progress``): written through the
thread's own connection on every database, SQLite included, while the solve holds no transaction."""

from __future__ import annotations

import threading

import pytest

from kefu.core import jobs
from kefu.core.choices import JobKind, JobStatus
from kefu.workforce.tasks import solver_progress


@pytest.mark.django_db(transaction=True)  # the job row must be committed for another thread
def test_progress_from_another_thread_is_written(hr: object, org: object) -> None:
    job = jobs.job_create(actor=hr, kind=JobKind.ROSTER_SOLVE.value, payload={"n": 1})
    assert jobs.job_start(job)
    seen: list[tuple[int, int]] = []
    progress = solver_progress(job.pk, lambda done, total: seen.append((done, total)))

    progress(0.1, "on the calling thread")  # goes to the job framework's reporter
    assert seen == [(10, 100)]

    worker = threading.Thread(target=progress, args=(0.42, "from a CP-SAT thread"))
    worker.start()
    worker.join(timeout=10)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (42, 100)
    assert job.status == JobStatus.RUNNING
    # a job that ended is not touched any more
    jobs.job_fail(job, "测试结束")
    worker = threading.Thread(target=progress, args=(0.9, "late"))
    worker.start()
    worker.join(timeout=10)
    job.refresh_from_db()
    assert job.progress_done == 42
