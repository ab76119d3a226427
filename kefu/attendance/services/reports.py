"""考勤月报报送 (WFM-6): the 考勤员 records that a department's month went to 行政人事部."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.org.models import Department

from ..models import AttendanceReportSubmission
from ..report import line_json
from .common import SUBMIT_REPORT, VIEW_REPORT, acting_employee, require

NOTE_MAX = 200


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    department: Department | int,
    month: dt.date,
    note: str = "",
    now: dt.datetime | None = None,
) -> AttendanceReportSubmission:
    """已报送行政人事部 — record who sent the department's month and when, with the figures as
    sent. The month must be over; a later submission (after corrections) is kept beside the first,
    never over it. Audited."""
    from .. import selectors

    require(actor, VIEW_REPORT)
    require(actor, SUBMIT_REPORT)
    employee = acting_employee(actor)
    pk = department.pk if isinstance(department, Department) else department
    dept = selectors.report_departments(actor).filter(pk=pk).first()
    if dept is None:
        raise PermissionDeniedError("只能报送本人管理范围内部门的考勤", code="report_out_of_scope")
    now = now or timezone.now()
    first = month.replace(day=1)
    _, last = selectors.month_bounds(first)
    if timezone.localdate(now) <= last:
        message = f"{first.year}年{first.month}月尚未结束，月末后才能报送"
        raise DomainError("report_month_open", message, fields={"month": message})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            "report_note_too_long", "备注过长", fields={"note": f"备注不能超过{NOTE_MAX}字"}
        )
    report = selectors.monthly_report(actor, dept, first)
    due = selectors.report_due(first)
    submission = AttendanceReportSubmission.objects.create(
        department=dept,
        month=first,
        due_on=due,
        submitted_by=employee,
        submitted_at=now,
        on_time=timezone.localdate(now) <= due,
        note=note,
        snapshot={
            "lines": [line_json(x) for x in report.lines],
            "totals": line_json(report.totals),
        },
    )
    audit.record(
        actor=actor,
        action="attendance.report_submit",
        obj=submission,
        after={
            "department": dept.pk,
            "month": first,
            "due_on": due,
            "on_time": submission.on_time,
            "people": len(report.lines),
        },
        reason=note,
    )
    return submission
