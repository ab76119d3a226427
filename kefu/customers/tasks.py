"""Background tasks of the customer archive — 客户档案后台任务, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, run_job
from kefu.core.models import BackgroundJob

from . import excel, services


@task()
def customers_import_task(job_id: int) -> None:
    """Import the 客户档案 file held by job ``job_id`` — 客户档案导入, as the job's creator."""
    run_job(job_id, import_customers)


def import_customers(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of an import job: read the stored file and run ``services.customers_import``.

    Row errors are a normal outcome (the job succeeds and lists them; nothing was imported). The
    permission is checked again by the service: someone whose role changed after submitting is
    refused, and the job fails saying so.
    """
    try:
        rows = excel.read_rows(bytes(job.payload))
        result = services.customers_import(actor=job.created_by, rows=rows, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入客户档案的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_json(), summary=result.summary)
