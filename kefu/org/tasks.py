"""Background tasks of the organisation module — 组织后台任务, run by the task worker.

A task takes only the job id (task arguments must be JSON); the job holds the input and the
creator, and ``kefu.core.jobs.run_job`` starts, finishes or fails it.
"""

from __future__ import annotations

from django_tasks import task

from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, run_job
from kefu.core.models import BackgroundJob

from . import excel, services


@task()
def employees_import_task(job_id: int) -> None:
    """Import the 员工档案 file held by job ``job_id`` — 员工档案导入, as the job's creator."""
    run_job(job_id, import_employees)


def import_employees(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of an import job: read the stored file and run ``services.employees_import``.

    Row errors are a normal outcome (the job succeeds and lists them; nothing was imported). The
    permission is checked again by the service: someone whose role changed after submitting is
    refused, and the job fails saying so.
    """
    try:
        rows = excel.read_rows(bytes(job.payload))
        result = services.employees_import(actor=job.created_by, rows=rows, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入员工档案的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_json(), summary=result.summary)
