"""Employee Excel import and export — 员工档案导入导出 (ORG-3)."""

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
from ..models import Employee
from ._common import _require
from .employees import (
    employee_create,
    employee_leave,
    employee_update,
    validate_employee_values,
)

# --- Excel import / export ------------------------------------------------------------------
# How many written rows between two progress reports of an import: often enough for a smooth
# bar, rarely enough that reporting costs nothing next to the writes (~7 ms each).
IMPORT_PROGRESS_EVERY = 20


@transaction.atomic
def employees_import(
    *,
    actor: Any,
    rows: list[ImportRow],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import employees from an Excel file — 导入员工档案: every row, or none.

    All rows are checked first (references resolved, ``validate_employee_values`` run) and any
    error returns the full list without writing. The writes then go through ``employee_create``
    and ``employee_update``, so each person is validated and audited exactly as if entered by
    hand; should one of them still refuse, the whole import is rolled back.

    ``progress(done, total)`` is told how many of the planned writes (creations, updates and
    recorded departures) are done: at the start, every ``IMPORT_PROGRESS_EVERY`` and at the end.
    It is called inside the import's transaction (see ``kefu.core.jobs.job_progress``).
    """
    _require(actor, "org.import_employee")
    plan = plan_import(actor=actor, rows=rows, validate=validate_employee_values)
    if plan.errors:
        return ImportResult(errors=plan.errors)
    total = (
        len(plan.creates)
        + len(plan.updates)
        + sum(1 for item in plan.creates if item.left_on is not None)
    )
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % IMPORT_PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    created: dict[str, Employee] = {}
    current: PlannedRow | None = None
    try:
        with transaction.atomic():
            if progress is not None:
                progress(0, total)
            for current in plan.creates:  # superiors come before their subordinates
                values = dict(current.values)
                if current.superior_no:
                    values["superior"] = created[current.superior_no]
                created[current.employee_no] = employee_create(
                    actor=actor, roles=current.roles, **values
                )
                step()
            for current in plan.updates:
                values = dict(current.values)
                if current.superior_no:
                    values["superior"] = created[current.superior_no]
                assert current.instance is not None
                employee_update(
                    actor=actor, employee=current.instance, roles=current.roles, **values
                )
                step()
            # People recorded as already gone leave last, subordinates before their superiors.
            for current in reversed(plan.creates):
                if current.left_on is not None:
                    employee_leave(
                        actor=actor,
                        employee=created[current.employee_no],
                        left_on=current.left_on,
                        reason="Excel导入：历史离职员工",
                    )
                    step()
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
        action="employee.import",
        object_type="org.employee",
        after={
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result


def employees_import_submit(*, actor: Any, data: bytes, filename: str = "") -> BackgroundJob:
    """Check an uploaded 员工档案 file and queue its import — 提交员工档案导入 (a background job).

    The file itself (type, size, header row, row limit) is checked here, so the uploader sees
    those errors at once under the field; the row checks and the writes run in the job
    (``kefu.org.tasks.employees_import_task``), which checks the permission again. Not wrapped
    in a transaction of its own: reading the file writes nothing, and ``job_submit`` is the
    atomic, audited write.
    """
    _require(actor, "org.import_employee")
    read_rows(data)
    from ..tasks import employees_import_task  # tasks imports this module

    return job_submit(
        actor=actor,
        kind=JobKind.EMPLOYEE_IMPORT,
        payload=data,
        task=employees_import_task,
        description=filename,
    )


@transaction.atomic
def employees_export_record(*, actor: Any, count: int, filters: dict[str, Any]) -> None:
    """Record that a list of employees left the system as a file — 导出员工档案 (audited).

    Anyone who may see the list may export it: the file holds only their scope, masked as on screen.
    """
    _require(actor, "org.view_employee")
    audit.record(
        actor=actor,
        action="employee.export",
        object_type="org.employee",
        after={"count": count, "filters": {k: v for k, v in filters.items() if v}},
    )
