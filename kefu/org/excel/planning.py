"""Checking imported rows and planning the writes — 导入校验 (never writes to the database)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from kefu.core.errors import DomainError

from .. import selectors
from ..choices import EmployeeStatus, Role
from ..models import Department, Employee, Position, Team
from .layout import (
    _CHUNK,
    FIELD_LABELS,
    ROLE_BY_LABEL,
)
from .reading import ImportRow, RowError


# --- planning ---------------------------------------------------------------------------------
@dataclass
class PlannedRow:
    """A checked row and the service call it becomes (employee_create or employee_update)."""

    line: int
    employee_no: str
    values: dict[str, Any]
    roles: list[str] | None = None
    # Set when the direct superior is a new employee created earlier in the same import.
    superior_no: str = ""
    instance: Employee | None = None
    left_on: dt.date | None = None  # a new employee recorded as already 离职


@dataclass
class ImportPlan:
    creates: list[PlannedRow] = field(default_factory=list)  # superiors before subordinates
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _short(key: str, message: str) -> str:
    """A service message under its column: "手机号格式不正确" under 手机号 reads "格式不正确"."""
    label = FIELD_LABELS.get(key, "")
    if label and message.startswith(label) and message != label:
        return message.removeprefix(label).lstrip("：: ") or message
    return message


def row_errors(line: int, error: DomainError) -> list[RowError]:
    """A service's DomainError as row errors, one per field, named by the column to fix."""
    if not error.fields:
        return [RowError(line, "", error.message)]
    return _field_errors(line, {k: _short(k, m) for k, m in error.fields.items()})


def _field_errors(line: int, fields: dict[str, str]) -> list[RowError]:
    return [RowError(line, FIELD_LABELS.get(key, ""), message) for key, message in fields.items()]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass
class _Lookups:
    departments_by_code: dict[str, Department]
    departments_by_name: dict[str, list[Department]]
    teams: dict[tuple[int, str], Team]
    positions: dict[str, Position]
    employees: dict[str, Employee]
    visible: set[str] | None  # None: the actor sees everyone
    roles: dict[int, list[str]]


def _lookups(actor: Any, nos: set[str]) -> _Lookups:
    departments = list(Department.objects.all())
    by_name: dict[str, list[Department]] = defaultdict(list)
    for d in departments:
        by_name[d.name].append(d)
    employees: dict[str, Employee] = {}
    visible: set[str] | None = None
    scope = selectors.employee_scope_filter(actor)
    if scope:  # an empty Q means the actor's scope is the whole company
        visible = set()
    ordered = sorted(nos)
    for chunk in _chunks(ordered):
        for e in Employee.objects.filter(employee_no__in=chunk).select_related(
            "department", "team", "position", "superior", "user"
        ):
            employees[e.employee_no] = e
        if visible is not None:
            visible.update(
                Employee.objects.filter(scope, employee_no__in=chunk).values_list(
                    "employee_no", flat=True
                )
            )
    through = get_user_model().groups.through
    roles: dict[int, list[str]] = defaultdict(list)
    user_ids = [e.user_id for e in employees.values()]
    for start in range(0, len(user_ids), _CHUNK):
        pairs = through.objects.filter(user_id__in=user_ids[start : start + _CHUNK]).values_list(
            "user_id", "group__name"
        )
        for user_id, name in pairs:
            if name in ROLE_BY_LABEL:
                roles[user_id].append(ROLE_BY_LABEL[name])
    return _Lookups(
        departments_by_code={d.code: d for d in departments},
        departments_by_name=by_name,
        teams={(t.department_id, t.name): t for t in Team.objects.all()},
        positions={p.name: p for p in Position.objects.all()},
        employees=employees,
        visible=visible,
        roles=roles,
    )


def _resolve_department(
    values: dict[str, Any], lookups: _Lookups, errors: dict[str, str]
) -> Department | None:
    code = values.get("department_code", "")
    name = values.get("department_name", "")
    if code:
        department = lookups.departments_by_code.get(code)
        if department is None:
            errors["department"] = f"部门编码“{code}”不存在"
        return department
    if name:
        matches = lookups.departments_by_name.get(name, [])
        if len(matches) == 1:
            return matches[0]
        errors["department"] = (
            f"部门“{name}”不存在" if not matches else f"有多个名为“{name}”的部门，请填写部门编码"
        )
        return None
    errors["department"] = "请填写部门编码或部门名称"
    return None


def _check_row(
    row: ImportRow,
    lookups: _Lookups,
    new_nos: set[str],
    validate: Callable[..., dict[str, Any]],
) -> tuple[PlannedRow | None, dict[str, str]]:
    """Resolve one row's references and decide what changes; errors keyed by field."""
    v = row.values
    errors: dict[str, str] = dict(row.errors)
    no = v.get("employee_no", "")
    existing = lookups.employees.get(no)
    if existing is not None and lookups.visible is not None and no not in lookups.visible:
        return None, {"employee_no": "该员工不在您的管理范围内"}

    department: Department | None = existing.department if existing else None
    if "department_code" in v or "department_name" in v:
        department = _resolve_department(v, lookups, errors)
    elif existing is None:
        errors["department"] = "请填写部门编码或部门名称"

    team: Team | None = existing.team if existing else None
    if "team_name" in v:
        team = None
        if v["team_name"] and department is not None:
            team = lookups.teams.get((department.pk, v["team_name"]))
            if team is None:
                errors["team"] = f"{department.name}下没有班组“{v['team_name']}”"

    superior: Employee | None = existing.superior if existing else None
    superior_no = ""
    if "superior_no" in v:
        superior = None
        wanted = v["superior_no"]
        if wanted and wanted == no:
            errors["superior"] = "直接上级不能是本人"
        elif wanted in lookups.employees:
            superior = lookups.employees[wanted]
        elif wanted in new_nos:
            # Created earlier in this import: an unsaved stand-in lets the row be checked now.
            superior_no = wanted
            superior = Employee(employee_no=wanted, status=EmployeeStatus.ACTIVE)
        elif wanted:
            errors["superior"] = f"找不到工号为“{wanted}”的员工"

    position: Position | None = existing.position if existing else None
    if "position_name" in v:
        position = lookups.positions.get(v["position_name"]) if v["position_name"] else None
        if position is None:
            errors["position"] = (
                f"职位“{v['position_name']}”不存在" if v["position_name"] else "请填写职位"
            )
    elif existing is None:
        errors["position"] = "请填写职位"

    # Leaving is a deliberate act with its own page (the login is disabled at once), so an
    # import may record it only for people it creates, never change it for existing ones.
    status = v.get("status") or (existing.status if existing else EmployeeStatus.ACTIVE)
    left_on = v.get("left_on")
    if existing is not None and status != existing.status:
        errors["status"] = "已有员工的在职状态不能通过导入变更，请在员工详情页办理离职"
    elif status == EmployeeStatus.ACTIVE and left_on is not None:
        errors.setdefault("left_on", "在职员工不应填写离职日期")
    elif existing is None and status == EmployeeStatus.LEFT and left_on is None:
        errors.setdefault("left_on", "离职员工请填写离职日期")
    elif existing is not None and "left_on" in v and left_on != existing.left_on:
        errors.setdefault("left_on", "离职日期不能通过导入修改")

    # Masked values (138****5678) come from an export without the reveal right: they mean
    # "unchanged" and are never stored.
    personal = {k: v[k] for k in ("phone", "id_number") if k in v and "*" not in v[k]}

    roles: list[str] | None = v.get("roles") or None
    if existing is None:
        values: dict[str, Any] = {
            "employee_no": no,
            "name": v.get("name", ""),
            "phone": personal.get("phone", ""),
            "id_number": personal.get("id_number", ""),
            "hire_date": v.get("hire_date"),
            "department": department,
            "team": team,
            "superior": superior,
            "position": position,
            "speciality": v.get("speciality", ""),
        }
        for key in ("base_points", "monthly_bonus"):
            if v.get(key) is not None:
                values[key] = v[key]
        checked = dict(values)
        instance = None
        roles = roles or [Role.AGENT.value]
    else:
        candidates: dict[str, Any] = {
            k: v[k] for k in ("name", "hire_date", "speciality") if k in v
        } | personal
        for key in ("base_points", "monthly_bonus"):
            if v.get(key) is not None:
                candidates[key] = v[key]
        if "department_code" in v or "department_name" in v:
            candidates["department"] = department
        if "team_name" in v:
            candidates["team"] = team
        if "superior_no" in v:
            candidates["superior"] = superior
        if "position_name" in v:
            candidates["position"] = position
        values = {k: val for k, val in candidates.items() if _differs(existing, k, val)}
        if superior_no:
            values["superior"] = superior
        if roles is not None and sorted(lookups.roles.get(existing.user_id, [])) == roles:
            roles = None
        checked = values
        instance = existing
    if checked:
        try:
            validate(checked, instance=instance)
        except DomainError as exc:
            for key, message in exc.fields.items():
                errors.setdefault(key, _short(key, message))
    if errors:
        return None, errors
    if existing is not None and not values and roles is None:
        return PlannedRow(row.line, no, {}, instance=existing), {}
    if superior_no:
        values.pop("superior", None)
    plan_left = left_on if existing is None and status == EmployeeStatus.LEFT else None
    return (
        PlannedRow(
            row.line,
            no,
            values,
            roles=roles,
            superior_no=superior_no,
            instance=instance,
            left_on=plan_left,
        ),
        {},
    )


def _differs(employee: Employee, key: str, value: Any) -> bool:
    if key in ("department", "team", "superior", "position"):
        current_id = getattr(employee, f"{key}_id")
        return current_id != (value.pk if value is not None else None)
    current = getattr(employee, key)
    if isinstance(value, str):
        value = value.strip()
        if key == "id_number":
            value = value.upper()
        return current != value
    if isinstance(current, Decimal) and isinstance(value, Decimal):
        return current.compare(value) != 0
    return current != value


def _superiors_first(
    creates: list[PlannedRow], first_line: dict[str, int]
) -> tuple[list[PlannedRow], list[RowError]]:
    """Order new employees so each comes after its superior (depth-first from the top).

    A row that cannot be placed sits in a cycle of superiors or under a row that failed.
    """
    by_no = {p.employee_no: p for p in creates}
    children: dict[str, list[PlannedRow]] = defaultdict(list)
    for item in creates:
        if item.superior_no:
            children[item.superior_no].append(item)
    ordered: list[PlannedRow] = []
    stack = [item for item in reversed(creates) if not item.superior_no]
    while stack:
        item = stack.pop()
        ordered.append(item)
        stack.extend(reversed(children.get(item.employee_no, [])))
    placed = {item.employee_no for item in ordered}
    errors: list[RowError] = []
    for item in creates:
        if item.employee_no in placed:
            continue
        seen, no = {item.employee_no}, item.superior_no
        while no in by_no and no not in seen:
            seen.add(no)
            no = by_no[no].superior_no
        if no in by_no:
            message = "与文件中其他行的直接上级形成循环"
        else:
            message = f"直接上级（第{first_line[item.superior_no]}行）有错误"
        errors.append(RowError(item.line, "直接上级工号", message))
    return ordered, errors


def plan_import(
    *, actor: Any, rows: list[ImportRow], validate: Callable[..., dict[str, Any]]
) -> ImportPlan:
    """Check every row of an import and plan its writes; nothing is written here.

    ``validate`` is ``services.validate_employee_values`` — the same checks a form entry gets.
    """
    plan = ImportPlan()
    first_line: dict[str, int] = {}
    duplicate_lines: set[int] = set()
    for row in rows:
        no = row.values.get("employee_no", "")
        if not no:
            continue
        if no in first_line:
            plan.errors.append(RowError(row.line, "工号", f"与第{first_line[no]}行重复"))
            duplicate_lines.add(row.line)
        else:
            first_line[no] = row.line
    superior_nos = {r.values.get("superior_no") or "" for r in rows} - {""}
    lookups = _lookups(actor, set(first_line) | superior_nos)
    new_nos = {no for no in first_line if no not in lookups.employees}
    creates: list[PlannedRow] = []
    for row in rows:
        if row.line in duplicate_lines:
            continue
        planned, errors = _check_row(row, lookups, new_nos, validate)
        if errors:
            plan.errors.extend(_field_errors(row.line, errors))
            continue
        assert planned is not None
        if planned.instance is None:
            creates.append(planned)
        elif planned.values or planned.roles is not None or planned.superior_no:
            plan.updates.append(planned)
        else:
            plan.unchanged += 1
    ordered, order_errors = _superiors_first(creates, first_line)
    plan.errors.extend(order_errors)
    # An existing employee moved under a new one whose row failed cannot be updated either.
    created = {item.employee_no for item in ordered}
    for item in plan.updates:
        if item.superior_no and item.superior_no not in created:
            plan.errors.append(
                RowError(
                    item.line,
                    "直接上级工号",
                    f"直接上级（第{first_line[item.superior_no]}行）有错误",
                )
            )
    plan.creates = ordered
    plan.errors.sort(key=lambda e: e.line)
    return plan
