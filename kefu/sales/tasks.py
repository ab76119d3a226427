"""Background tasks of the sales app — 导入订单 and 导入询单数 (``JobKind.SALES_IMPORT``), and the
daily 检查超时未催付 chain (``manage.py sales_schedule`` starts it; ``KEFU_SALES_UNPAID_CHECK_AT``,
default 02:00 Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django_tasks import task

from kefu.core import daily
from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, run_job
from kefu.core.models import BackgroundJob

from . import orderfile
from .services import sales_import

logger = logging.getLogger(__name__)


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


@task()
def inquiry_import_task(job_id: int) -> None:
    """Import the chat tool's inquiry file held by job ``job_id``, as the person who uploaded it."""
    run_job(job_id, import_inquiries)


def import_inquiries(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """Read the stored file and run ``services_lines.inquiry_import`` (all rows or none)."""
    from . import inquiryfile
    from .services_lines import inquiry_import

    try:
        rows = inquiryfile.read_rows(bytes(job.payload))
        result = inquiry_import(actor=job.created_by, rows=rows, job=job, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有导入询单数的权限，本次未导入任何数据", code=exc.code
        ) from exc
    return JobOutcome(result={**result.as_json(), "what": "inquiries"}, summary=result.summary)


# --- 每日检查超时未催付 ----------------------------------------------------------------------------
DEFAULT_CHECK_AT = "02:00"


def check_at() -> dt.time:
    """The configured time of the daily 超时未催付 check (Asia/Shanghai)."""
    return dt.time.fromisoformat(getattr(settings, "KEFU_SALES_UNPAID_CHECK_AT", DEFAULT_CHECK_AT))


@task()
def unpaid_check_daily_task() -> dict[str, Any]:
    """每日检查超时未催付 (as the system), then schedule tomorrow's run — even after a failure.
    Idempotent: an order already proposed is never proposed again."""
    from .services_unpaid import unpaid_check

    try:
        result = unpaid_check(actor=None)
    finally:
        schedule_unpaid_check()
    logger.info("daily unpaid-order check: %s", result.summary)
    return {"proposed": result.proposed}


def schedule_unpaid_check(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily check; None when one is waiting or the backend runs tasks at once."""
    return daily.schedule_daily(unpaid_check_daily_task, check_at(), now=now)
