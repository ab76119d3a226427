"""Time-clock import — 导入打卡记录 (WFM-5): a CSV of 工号 / 时间 / 类型, in a background job.

Every row or none: all rows are checked first (工号 known and in the importer's scope, time valid
and not in the future, 类型 readable) and any error returns the list with 第N行 and the column.
Re-importing the same file adds nothing: a clock of the same person at the same second exists
once (also enforced by the database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.choices import JobKind
from kefu.core.jobs import job_submit
from kefu.core.models import BackgroundJob
from kefu.core.xlsx import ImportRow, RowError
from kefu.org.models import Employee
from kefu.org.selectors import employee_scope_filter

from .. import csvimport
from ..choices import ClockSource
from ..models import ClockEvent
from .classification import classify_range
from .common import IMPORT, require

PROGRESS_EVERY = 500
DEFAULT_DEVICE = "考勤机"


@dataclass
class ClockImportResult:
    """导入结果: clocks added, clocks already there (not added twice), days judged again."""

    created: int = 0
    unchanged: int = 0
    days: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "days": self.days,
            "errors": [
                {"row": e.line, "field": e.field, "message": e.message} for e in self.errors
            ],
        }

    @property
    def summary(self) -> str:
        if self.errors:
            return f"发现 {len(self.errors)} 处错误，本次未导入任何数据"
        return f"新增打卡记录 {self.created} 条，已存在 {self.unchanged} 条（未重复导入）"


def _check_rows(
    actor: Any, rows: list[ImportRow], now: dt.datetime
) -> tuple[list[RowError], list[tuple[int, dt.datetime, str, str]]]:
    errors: list[RowError] = []
    numbers = {r.values.get("employee_no") for r in rows if r.values.get("employee_no")}
    people = {
        e.employee_no: e
        for e in Employee.objects.filter(
            employee_scope_filter(actor), employee_no__in=numbers
        ).only("id", "employee_no", "hire_date", "left_on")
    }
    tz = timezone.get_current_timezone()
    clocks: list[tuple[int, dt.datetime, str, str]] = []
    for row in rows:
        for key, message in row.errors.items():
            errors.append(RowError(row.line, csvimport.LABELS[key], message))
        if row.errors:
            continue
        number = row.values["employee_no"]
        employee = people.get(number)
        if employee is None:
            errors.append(RowError(row.line, "工号", f"工号不存在或不在您的管理范围内（{number}）"))
            continue
        at = row.values["time"].replace(tzinfo=tz)
        if at > now:
            errors.append(RowError(row.line, "时间", "打卡时间不能晚于当前时间"))
            continue
        local_day = at.date()
        if local_day < employee.hire_date or (
            employee.left_on is not None and local_day > employee.left_on
        ):
            errors.append(RowError(row.line, "时间", "打卡时间不在该员工的在职期间内"))
            continue
        clocks.append(
            (employee.pk, at, row.values.get("direction", ""), row.values.get("device", ""))
        )
    return errors, clocks


@transaction.atomic
def clock_import(
    *,
    actor: Any,
    rows: list[ImportRow],
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> ClockImportResult:
    """导入打卡记录 — all rows or none; clocks already stored are skipped; the days they touch
    are judged again. One audit event for the import."""
    require(actor, IMPORT)
    now = now or timezone.now()
    errors, clocks = _check_rows(actor, rows, now)
    if errors:
        return ClockImportResult(errors=errors)
    seen: set[tuple[int, dt.datetime]] = set()
    unique: list[tuple[int, dt.datetime, str, str]] = []
    for clock in clocks:
        key = (clock[0], clock[1])
        if key not in seen:
            seen.add(key)
            unique.append(clock)
    ids = sorted({c[0] for c in unique})
    lo, hi = min(c[1] for c in unique), max(c[1] for c in unique)
    existing = set(
        ClockEvent.objects.filter(employee_id__in=ids, at__gte=lo, at__lte=hi).values_list(
            "employee_id", "at"
        )
    )
    new = [c for c in unique if (c[0], c[1]) not in existing]
    total = len(new)
    if progress is not None:
        progress(0, total)
    for offset in range(0, total, PROGRESS_EVERY):
        ClockEvent.objects.bulk_create(
            [
                ClockEvent(
                    employee_id=emp,
                    at=at,
                    direction=direction,
                    source=ClockSource.IMPORT,
                    device=device or DEFAULT_DEVICE,
                    created_by=actor,
                )
                for emp, at, direction, device in new[offset : offset + PROGRESS_EVERY]
            ]
        )
        if progress is not None:
            progress(min(offset + PROGRESS_EVERY, total), total)
    result = ClockImportResult(created=total, unchanged=len(clocks) - total)
    if new:
        touched = sorted({c[0] for c in new})
        first = timezone.localdate(min(c[1] for c in new)) - dt.timedelta(days=1)
        last = timezone.localdate(max(c[1] for c in new)) + dt.timedelta(days=1)
        result.days = classify_range(start=first, end=last, employee_ids=touched, now=now).days
    audit.record(
        actor=actor,
        action="attendance.import",
        object_type="attendance.clockevent",
        after={"rows": len(rows), "created": result.created, "unchanged": result.unchanged},
    )
    return result


def clock_import_submit(*, actor: Any, data: bytes, filename: str = "") -> BackgroundJob:
    """Check an uploaded time-clock CSV and queue its import — 提交打卡记录导入 (a background job).

    File-level problems (size, encoding, header, row limit) are refused here, under the field;
    the row checks and the writes run in the job, which checks the permission again.
    """
    require(actor, IMPORT)
    csvimport.read_rows(data)
    from ..tasks import clock_import_task  # tasks imports the services

    return job_submit(
        actor=actor,
        kind=JobKind.ATTENDANCE_IMPORT,
        payload=data,
        task=clock_import_task,
        description=filename,
    )
