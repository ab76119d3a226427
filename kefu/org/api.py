"""Organisation API — 组织接口: departments, teams, positions and employees (all writes via services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from kefu.core.access import MASKERS, can_reveal, shown
from kefu.core.apikit import ErrorOut, Page, fast_json, paginate, require_perm
from kefu.core.errors import DomainError

from . import selectors, services
from .models import Department, Employee, Position, Team
from .roles import roles_of

router = Router(tags=["org"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class Ref(Schema):
    id: int
    name: str


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    head_id: int | None
    sort_order: int


class DepartmentIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    code: str = Field(min_length=1, max_length=30)
    parent_id: int | None = None
    head_id: int | None = None
    sort_order: int = Field(0, ge=0)


class DepartmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    code: str | None = Field(None, min_length=1, max_length=30)
    parent_id: int | None = None
    head_id: int | None = None
    sort_order: int | None = Field(None, ge=0)


class TeamOut(Schema):
    id: int
    name: str
    department_id: int
    leader_id: int | None


class TeamIn(Schema):
    department_id: int
    name: str = Field(min_length=1, max_length=60)
    leader_id: int | None = None


class PositionOut(Schema):
    id: int
    name: str
    level: str


class EmployeeOut(Schema):
    id: int
    employee_no: str
    name: str
    phone: str
    id_number: str
    hire_date: dt.date
    department: Ref
    team: Ref | None
    position: Ref
    superior: Ref | None
    speciality: str
    base_points: Decimal
    monthly_bonus: Decimal
    status: str
    left_on: dt.date | None


class EmployeeIn(Schema):
    employee_no: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=40)
    hire_date: dt.date
    department_id: int
    position_id: int
    phone: str = ""
    id_number: str = ""
    team_id: int | None = None
    superior_id: int | None = None
    speciality: str = ""
    base_points: Decimal = Decimal("1")
    monthly_bonus: Decimal = Decimal("0")
    roles: list[str] = ["agent"]


class EmployeePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    phone: str | None = None
    id_number: str | None = None
    hire_date: dt.date | None = None
    department_id: int | None = None
    team_id: int | None = None
    superior_id: int | None = None
    position_id: int | None = None
    speciality: str | None = None
    base_points: Decimal | None = None
    monthly_bonus: Decimal | None = None
    roles: list[str] | None = None


class EmployeeLeaveIn(Schema):
    left_on: dt.date
    reason: str = ""


class EmployeeFilter(Schema):
    q: str = ""
    department_id: int | None = None
    team_id: int | None = None
    position_id: int | None = None
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = 20


class MeOut(Schema):
    username: str
    employee: EmployeeOut | None
    roles: list[str]
    permissions: list[str]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def employee_out(employee: Employee, viewer: Any) -> dict[str, Any]:
    """The API shape of an employee as ``viewer`` may see it (phone and ID masked server-side)."""
    return {
        "id": employee.pk,
        "employee_no": employee.employee_no,
        "name": employee.name,
        "phone": shown(viewer, "phone", employee.phone),
        "id_number": shown(viewer, "id_number", employee.id_number),
        "hire_date": employee.hire_date,
        "department": _ref(employee.department),
        "team": _ref(employee.team),
        "position": _ref(employee.position),
        "superior": _ref(employee.superior),
        "speciality": employee.speciality,
        "base_points": employee.base_points,
        "monthly_bonus": employee.monthly_bonus,
        "status": employee.status,
        "left_on": employee.left_on,
    }


def _lookup(model: type[Any], pk: int | None, field: str, label: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise DomainError(f"{field}_not_found", f"{label}不存在", fields={field: f"{label}不存在"})
    return obj


def _visible_employee(request: HttpRequest, pk: int | None, field: str) -> Employee | None:
    if pk is None:
        return None
    obj = selectors.employees_for_user(request.user).filter(pk=pk).first()
    if obj is None:
        raise DomainError(
            f"{field}_not_found", "员工不存在或不在您的范围内", fields={field: "员工不存在"}
        )
    return obj


# --- departments ----------------------------------------------------------------------------
@router.get("/departments", response={200: list[DepartmentOut], **ERRORS})
def department_list(request: HttpRequest) -> Any:
    require_perm(request, "org.view_department")
    return list(selectors.departments_for_user(request.user))


@router.post("/departments", response={201: DepartmentOut, **ERRORS})
def department_create(request: HttpRequest, payload: DepartmentIn) -> Any:
    # Refuse before the lookups, so a refused role gets 403 rather than a hint about the data.
    require_perm(request, "org.add_department")
    department = services.department_create(
        actor=request.user,
        name=payload.name,
        code=payload.code,
        parent=_lookup(Department, payload.parent_id, "parent_id", "上级部门"),
        head=_visible_employee(request, payload.head_id, "head_id"),
        sort_order=payload.sort_order,
    )
    return Status(201, department)


@router.patch("/departments/{department_id}", response={200: DepartmentOut, **ERRORS})
def department_update(request: HttpRequest, department_id: int, payload: DepartmentPatch) -> Any:
    require_perm(request, "org.change_department")
    department = get_object_or_404(Department, pk=department_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key in ("name", "code", "sort_order"):
        if key in data and data[key] is not None:
            changes[key] = data[key]
    if "parent_id" in data:
        changes["parent"] = _lookup(Department, data["parent_id"], "parent_id", "上级部门")
    if "head_id" in data:
        changes["head"] = _visible_employee(request, data["head_id"], "head_id")
    return services.department_update(actor=request.user, department=department, **changes)


# --- teams and positions --------------------------------------------------------------------
@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def team_list(request: HttpRequest, department_id: int | None = None) -> Any:
    require_perm(request, "org.view_team")
    return list(selectors.teams_for_user(request.user, department_id=department_id))


@router.post("/teams", response={201: TeamOut, **ERRORS})
def team_create(request: HttpRequest, payload: TeamIn) -> Any:
    require_perm(request, "org.add_team")
    team = services.team_create(
        actor=request.user,
        department=_lookup(Department, payload.department_id, "department_id", "部门"),
        name=payload.name,
        leader=_visible_employee(request, payload.leader_id, "leader_id"),
    )
    return Status(201, team)


@router.get("/positions", response={200: list[PositionOut], **ERRORS})
def position_list(request: HttpRequest) -> Any:
    require_perm(request, "org.view_position")
    return list(selectors.positions_for_user(request.user))


# --- employees ------------------------------------------------------------------------------
@router.get("/employees", response={200: Page[EmployeeOut], **ERRORS})
def employee_list(request: HttpRequest, filters: Query[EmployeeFilter]) -> Any:
    require_perm(request, "org.view_employee")
    qs = selectors.employees_for_user(
        request.user,
        q=filters.q.strip(),
        department_id=filters.department_id,
        team_id=filters.team_id,
        position_id=filters.position_id,
        status=filters.status,
    )
    # Plain rows and one masking decision per request, rendered by fast_json: the hot list
    # endpoint skips model instances and ninja's per-object validation (docs/performance.md).
    page = paginate(qs, filters.page, filters.page_size, values=_EMPLOYEE_ROW)
    page["items"] = [_employee_row_out(row, can_reveal(request.user)) for row in page["items"]]
    return fast_json(page, Page[EmployeeOut])


_EMPLOYEE_ROW = (
    "id",
    "employee_no",
    "name",
    "phone",
    "id_number",
    "hire_date",
    "department_id",
    "department__name",
    "team_id",
    "team__name",
    "position_id",
    "position__name",
    "superior_id",
    "superior__name",
    "speciality",
    "base_points",
    "monthly_bonus",
    "status",
    "left_on",
)


def _row_ref(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    pk = row[f"{name}_id"]
    return {"id": pk, "name": row[f"{name}__name"]} if pk is not None else None


def _employee_row_out(row: dict[str, Any], reveal: bool) -> dict[str, Any]:
    """``employee_out`` for a ``.values(*_EMPLOYEE_ROW)`` row (same shape, same masking)."""
    phone, id_number = row["phone"] or "", row["id_number"] or ""
    return {
        "id": row["id"],
        "employee_no": row["employee_no"],
        "name": row["name"],
        "phone": phone if reveal else MASKERS["phone"](phone),
        "id_number": id_number if reveal else MASKERS["id_number"](id_number),
        "hire_date": row["hire_date"],
        "department": _row_ref(row, "department"),
        "team": _row_ref(row, "team"),
        "position": _row_ref(row, "position"),
        "superior": _row_ref(row, "superior"),
        "speciality": row["speciality"],
        "base_points": row["base_points"],
        "monthly_bonus": row["monthly_bonus"],
        "status": row["status"],
        "left_on": row["left_on"],
    }


@router.get("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS})
def employee_detail(request: HttpRequest, employee_id: int) -> Any:
    require_perm(request, "org.view_employee")
    return employee_out(selectors.employee_get_for_user(request.user, employee_id), request.user)


@router.post("/employees", response={201: EmployeeOut, **ERRORS})
def employee_create(request: HttpRequest, payload: EmployeeIn) -> Any:
    require_perm(request, "org.add_employee")
    employee = services.employee_create(
        actor=request.user,
        employee_no=payload.employee_no,
        name=payload.name,
        hire_date=payload.hire_date,
        department=_lookup(Department, payload.department_id, "department_id", "部门"),
        position=_lookup(Position, payload.position_id, "position_id", "职位"),
        phone=payload.phone,
        id_number=payload.id_number,
        team=_lookup(Team, payload.team_id, "team_id", "班组"),
        superior=_visible_employee(request, payload.superior_id, "superior_id"),
        speciality=payload.speciality,
        base_points=payload.base_points,
        monthly_bonus=payload.monthly_bonus,
        roles=payload.roles,
    )
    return Status(201, employee_out(employee, request.user))


@router.patch("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS})
def employee_update(request: HttpRequest, employee_id: int, payload: EmployeePatch) -> Any:
    require_perm(request, "org.change_employee")
    employee = selectors.employee_get_for_user(request.user, employee_id)
    data = payload.dict(exclude_unset=True)
    roles = data.pop("roles", None)
    changes: dict[str, Any] = {}
    lookups = {
        "department_id": (Department, "department", "部门"),
        "team_id": (Team, "team", "班组"),
        "position_id": (Position, "position", "职位"),
    }
    for key, value in data.items():
        if key in lookups:
            model, name, label = lookups[key]
            changes[name] = _lookup(model, value, key, label)
        elif key == "superior_id":
            changes["superior"] = _visible_employee(request, value, key)
        elif value is not None:
            changes[key] = value
    employee = services.employee_update(
        actor=request.user, employee=employee, roles=roles, **changes
    )
    return employee_out(selectors.employee_get_for_user(request.user, employee.pk), request.user)


@router.post("/employees/{employee_id}/leave", response={200: EmployeeOut, **ERRORS})
def employee_leave(request: HttpRequest, employee_id: int, payload: EmployeeLeaveIn) -> Any:
    require_perm(request, "org.change_employee")
    employee = selectors.employee_get_for_user(request.user, employee_id)
    employee = services.employee_leave(
        actor=request.user, employee=employee, left_on=payload.left_on, reason=payload.reason
    )
    return employee_out(employee, request.user)


# --- me -------------------------------------------------------------------------------------
me_router = Router(tags=["me"])


@me_router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> Any:
    employee = selectors.employee_of(request.user)
    return {
        "username": request.user.get_username(),
        "employee": employee_out(employee, request.user) if employee else None,
        "roles": roles_of(request.user),
        "permissions": sorted(request.user.get_all_permissions()),
    }
