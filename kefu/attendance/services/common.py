"""Shared pieces of the attendance services: permissions, the acting employee, today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.core.errors import PermissionDeniedError
from kefu.org.models import Employee
from kefu.org.selectors import employee_of

CLOCK = "attendance.add_clockevent"
VIEW_EVENTS = "attendance.view_clockevent"
IMPORT = "attendance.import_clockevent"
VIEW_DAYS = "attendance.view_attendanceday"
CLASSIFY = "attendance.classify_attendance"
VIEW_CORRECTIONS = "attendance.view_clockcorrection"
ADD_CORRECTION = "attendance.add_clockcorrection"
VIEW_REPORT = "attendance.view_attendance_report"
SUBMIT_REPORT = "attendance.submit_attendance_report"


def require(actor: Any, perm: str) -> None:
    if not (
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)
    ):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    """The employee record of the acting person; logins without one (or who left) may not clock."""
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDeniedError(
            "只有在职员工可以打卡或申请补卡", code="attendance_not_employee"
        )
    return employee


def today() -> dt.date:
    """Today in Asia/Shanghai."""
    return timezone.localdate()
