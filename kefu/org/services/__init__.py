"""Organisation writes — 组织维护: the only path that changes departments, teams and employees.

Every service checks the actor's permission, validates, writes and records an audit event in one
transaction. The package is split by subject; everything is importable from here.
"""

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError

from .employees import (
    EMPLOYEE_FIELDS,
    employee_create,
    employee_leave,
    employee_set_password,
    employee_update,
    validate_employee_values,
)
from .imports import (
    IMPORT_PROGRESS_EVERY,
    employees_export_record,
    employees_import,
    employees_import_submit,
)
from .structure import (
    department_create,
    department_update,
    position_create,
    team_create,
    team_update,
)

__all__ = [
    "EMPLOYEE_FIELDS",
    "IMPORT_PROGRESS_EVERY",
    "ConflictError",
    "DomainError",
    "PermissionDeniedError",
    "department_create",
    "department_update",
    "employee_create",
    "employee_leave",
    "employee_set_password",
    "employee_update",
    "employees_export_record",
    "employees_import",
    "employees_import_submit",
    "position_create",
    "team_create",
    "team_update",
    "validate_employee_values",
]
