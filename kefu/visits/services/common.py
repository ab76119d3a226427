"""Shared pieces of the visit services: permissions, the acting employee, today, assignment."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from kefu.core.errors import PermissionDeniedError
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Employee
from kefu.org.selectors import employee_of

VIEW = "visits.view_visittask"
RECORD = "visits.change_visittask"
VIEW_ALL = "visits.view_all_visittasks"
REASSIGN = "visits.reassign_visittask"
MANAGE_PLANS = "visits.manage_visit_plans"
REPORTS = "visits.view_visit_reports"
VIEW_CARE = "visits.view_careplan"
ADD_CARE = "visits.add_careplan"
CHANGE_CARE = "visits.change_careplan"


def require(actor: Any, perm: str) -> None:
    if not (
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)
    ):
        raise PermissionDeniedError()


def acting_employee(actor: Any) -> Employee:
    """The employee record of the acting person; logins without one may not record visits."""
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDeniedError("只有在职员工可以办理回访", code="visit_not_employee")
    return employee


def today() -> dt.date:
    """Today in Asia/Shanghai (the business day of every plan)."""
    return timezone.localdate()


def active_visitor_ids() -> list[int]:
    """在职回访员, in id order — the round-robin ring of automatic assignment."""
    return list(
        Employee.objects.filter(
            status=EmployeeStatus.ACTIVE,
            user__is_active=True,
            user__groups__name=Role.RETURN_VISITOR.label,
        )
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def round_robin(ids: list[int], *, start: int = 0) -> Iterator[int | None]:
    """Assignees in turn (None forever when there is no active 回访员: a supervisor assigns)."""
    if not ids:
        return itertools.repeat(None)
    offset = start % len(ids)
    return itertools.cycle(ids[offset:] + ids[:offset])
