"""Writing the 员工档案 workbook — 导出 (scoped to the actor, masked as on screen)."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from kefu.core import xlsx
from kefu.core.access import shown
from kefu.core.xlsx import ExportFile

from .. import selectors
from ..choices import EmployeeStatus, Role, Speciality
from ..models import Employee
from .layout import (
    COLUMNS,
    NUMBER_FORMATS,
    SHEET_TITLE,
    TEXT_COLUMNS,
)


# --- export -----------------------------------------------------------------------------------
def _roles_by_user(employees: QuerySet[Employee]) -> dict[int, list[str]]:
    """Role labels per user id, in the roles' canonical order — one query whatever the count."""
    through = get_user_model().groups.through
    order = {role.label: i for i, role in enumerate(Role)}
    found: dict[int, list[str]] = defaultdict(list)
    pairs = through.objects.filter(user_id__in=employees.values("user_id")).values_list(
        "user_id", "group__name"
    )
    for user_id, group_name in pairs:
        if group_name in order:
            found[user_id].append(group_name)
    return {uid: sorted(labels, key=order.__getitem__) for uid, labels in found.items()}


def _export_row(actor: Any, e: Employee, roles: list[str]) -> list[Any]:
    return [
        e.employee_no,
        e.name,
        shown(actor, "phone", e.phone),
        shown(actor, "id_number", e.id_number),
        e.hire_date,
        e.department.code,
        e.department.name,
        e.team.name if e.team_id else "",
        e.superior.employee_no if e.superior_id else "",
        e.position.name,
        Speciality(e.speciality).label if e.speciality else "",
        e.base_points,
        e.monthly_bonus,
        "、".join(roles),
        EmployeeStatus(e.status).label,
        e.left_on,
    ]


def export_employees(
    *, actor: Any, filters: dict[str, Any], now: dt.datetime | None = None
) -> ExportFile:
    """The 员工档案 workbook of the employees ``actor`` may see, filtered like the list page.

    Phones and ID numbers are masked unless the actor may reveal them (SEC-1): a file leaves the
    system, so it must never carry more than the screen shows.
    """
    now = timezone.localtime(now or timezone.now())
    employees = selectors.employees_for_user(actor, **filters)
    roles = _roles_by_user(employees)
    content, count = xlsx.write_workbook(
        sheet_title=SHEET_TITLE,
        title=f"{SHEET_TITLE}（导出时间 {now:%Y-%m-%d %H:%M}）",
        columns=COLUMNS,
        rows=(
            _export_row(actor, e, roles.get(e.user_id, []))
            for e in employees.iterator(chunk_size=1000)
        ),
        number_formats=NUMBER_FORMATS,
        text_columns=TEXT_COLUMNS,
    )
    return ExportFile(
        content=content, count=count, filename=f"{SHEET_TITLE}_{now:%Y%m%d_%H%M}.xlsx"
    )
