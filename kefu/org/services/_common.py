"""Helpers shared by the organisation services: permission and scope checks, text checks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from kefu.core.errors import PermissionDeniedError

from ..models import Employee
from ..selectors import employee_scope_filter

User = get_user_model()


# Sentinel for "argument not given", so that None can still mean "clear this field".
_UNSET: Any = object()


def _max_length(model: type[Any], field: str) -> int:
    return model._meta.get_field(field).max_length


def _check_text(
    value: str, *, model: type[Any], field: str, label: str, errors: dict[str, str]
) -> None:
    """Required and within the column's length — a too-long value would fail in PostgreSQL."""
    if not value:
        errors[field] = f"请填写{label}"
    elif len(value) > _max_length(model, field):
        errors[field] = f"{label}最多{_max_length(model, field)}个字"


def _require(actor: Any, perm: str) -> None:
    if not (actor and actor.is_authenticated and actor.has_perm(perm)):
        raise PermissionDeniedError()


def _require_in_scope(actor: Any, employee: Employee) -> None:
    if not Employee.objects.filter(employee_scope_filter(actor), pk=employee.pk).exists():
        raise PermissionDeniedError("该员工不在您的管理范围内")
