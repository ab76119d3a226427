"""Customer Excel import and export — 客户档案导入导出 (CRM-1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from kefu.core import audit
from kefu.core.choices import JobKind
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.jobs import job_submit
from kefu.core.models import BackgroundJob

from ..excel import ImportResult, ImportRow, PlannedRow, plan_import, read_rows, row_errors
from ..policy import customer_policy
from .customers import (
    OBJECT_TYPE,
    _require,
    customer_add_phone,
    customer_create,
    customer_update,
    validate_customer_values,
)

IMPORT = "customers.import_customer"
EXPORT = "customers.export_customer"
# Written rows between two progress reports: a smooth bar at no measurable cost.
IMPORT_PROGRESS_EVERY = 20


@transaction.atomic
def customers_import(
    *,
    actor: Any,
    rows: list[ImportRow],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import customers from an Excel file — 导入客户档案: every row, or none.

    All rows are checked first (numbers against the archive and each other, fields with
    ``validate_customer_values``) and any error returns the full list without writing. The
    writes then go through ``customer_create``, ``customer_update`` and ``customer_add_phone``,
    so each customer is validated and audited exactly as if entered by hand; should one of them
    still refuse, the whole import is rolled back.
    """
    _require(actor, IMPORT)
    plan = plan_import(rows=rows, policy=customer_policy(), validate=validate_customer_values)
    if plan.errors:
        return ImportResult(errors=plan.errors)
    total = len(plan.creates) + len(plan.updates)
    done = 0
    current: PlannedRow | None = None
    try:
        with transaction.atomic():
            if progress is not None:
                progress(0, total)
            for current in plan.creates:
                customer_create(actor=actor, phones=current.phones, **current.values)
                done += 1
                if progress is not None and (done % IMPORT_PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
            for current in plan.updates:
                assert current.instance is not None
                if current.values:
                    customer_update(actor=actor, customer=current.instance, **current.values)
                for number in current.phones:
                    customer_add_phone(actor=actor, customer=current.instance, phone=number)
                done += 1
                if progress is not None and (done % IMPORT_PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        assert current is not None
        return ImportResult(errors=row_errors(current.line, exc))
    result = ImportResult(
        created=len(plan.creates), updated=len(plan.updates), unchanged=plan.unchanged
    )
    audit.record(
        actor=actor,
        action="customer.import",
        object_type=OBJECT_TYPE,
        after={
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result


def customers_import_submit(*, actor: Any, data: bytes, filename: str = "") -> BackgroundJob:
    """Check an uploaded 客户档案 file and queue its import — 提交客户档案导入 (a background job).

    The file itself (type, size, header row, row limit) is checked here so the uploader sees those
    errors at once under the field; the row checks and writes run in the job
    (``kefu.customers.tasks.customers_import_task``), which checks the permission again.
    """
    _require(actor, IMPORT)
    read_rows(data)
    from ..tasks import customers_import_task  # tasks imports this module

    return job_submit(
        actor=actor,
        kind=JobKind.CUSTOMER_IMPORT,
        payload=data,
        task=customers_import_task,
        description=filename,
    )


@transaction.atomic
def customers_export_record(*, actor: Any, count: int, filters: dict[str, Any]) -> None:
    """Record that a list of customers left the system as a file — 导出客户档案 (audited, SEC-1).

    The file holds what the list showed the exporter, phones masked as on screen.
    """
    _require(actor, EXPORT)
    audit.record(
        actor=actor,
        action="customer.export",
        object_type=OBJECT_TYPE,
        after={"count": count, "filters": {k: v for k, v in filters.items() if v}},
    )
