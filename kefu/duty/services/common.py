"""Shared pieces of the duty services: permission names, the acting employee, scope checks."""

from __future__ import annotations

from typing import Any

from kefu.core.errors import PermissionDeniedError
from kefu.org.models import Employee
from kefu.org.selectors import employee_of, employee_scope_filter

VIEW_HANDOVER = "duty.view_handover"
ADD_HANDOVER = "duty.add_handover"
ACK_HANDOVER = "duty.acknowledge_handover"
WAIVE_FLAG = "duty.waive_handoverflag"
SET_PRESENCE = "duty.add_presenceevent"
SET_OTHERS_PRESENCE = "duty.set_others_presence"
VIEW_PRESENCE = "duty.view_presence"
EXCUSE_VIOLATION = "duty.excuse_presenceviolation"


def require(actor: Any, perm: str) -> None:
    if not (
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)
    ):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    """The employee record of the acting person; logins without one may not act on duty."""
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDeniedError(
            "只有在职员工可以办理交接班和在线状态", code="duty_not_employee"
        )
    return employee


def in_scope(actor: Any, employee_id: int) -> bool:
    """Whether ``employee_id`` is within the people ``actor`` may see (ORG-5 data scope)."""
    return Employee.objects.filter(employee_scope_filter(actor), pk=employee_id).exists()


def require_in_scope(actor: Any, employee_id: int) -> None:
    if not in_scope(actor, employee_id):
        raise PermissionDeniedError("该员工不在您的管理范围内", code="duty_out_of_scope")
