"""Writing the 员工档案 workbook — 导出 (scoped to the actor, masked as on screen)."""

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kefu.core.access import shown

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
@dataclass(frozen=True)
class ExportFile:
    content: bytes
    count: int
    filename: str


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
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    last_col = get_column_letter(len(COLUMNS))
    ws.append([f"{SHEET_TITLE}（导出时间 {now:%Y-%m-%d %H:%M}）"])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    ws.append([c.label for c in COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for i, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    count = 0
    for employee in employees.iterator(chunk_size=1000):
        ws.append(_export_row(actor, employee, roles.get(employee.user_id, [])))
        count += 1
        for cell, column in zip(ws[ws.max_row], COLUMNS, strict=True):
            if column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
            elif column.key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.key]
            elif column.key in TEXT_COLUMNS:
                # Text, so Excel keeps leading zeros and never turns a phone into 1.38E+10.
                cell.number_format = "@"
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{last_col}{max(ws.max_row, 2)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return ExportFile(
        content=buffer.getvalue(), count=count, filename=f"{SHEET_TITLE}_{now:%Y%m%d_%H%M}.xlsx"
    )
