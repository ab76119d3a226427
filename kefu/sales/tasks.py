"""Background tasks of the sales app — 导入订单 (``JobKind.SALES_IMPORT``)."""

from __future__ import annotations

from django_tasks import task

from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, run_job
from kefu.core.models import BackgroundJob

from . import orderfile
from .services import sales_import


@task()
def sales_import_task(job_id: int) -> None:
    """Import the order export held by job ``job_id``, as the person who uploaded it."""
    run_job(job_id, import_orders)


def import_orders(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Read the stored file and run ``services.sales_import``; row errors are a normal outcome."""
    try:
        rows = orderfile.read_rows(bytes(job.payload))
        result = sales_import(actor=job.created_by, rows=rows, job=job, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入订单的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result=result.as_json(), summary=result.summary)
