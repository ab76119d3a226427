"""Departments, teams and positions — 部门、班组、职位维护."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.core import access_cache, audit
from kefu.core.errors import ConflictError, DomainError

from ..choices import Level
from ..models import Department, Employee, Position, Team
from ._common import _UNSET, _check_text, _require


# --- departments and teams ------------------------------------------------------------------
def _department_would_cycle(department: Department, parent: Department | None) -> bool:
    seen = {department.pk}
    while parent is not None:
        if parent.pk in seen:
            return True
        seen.add(parent.pk)
        parent = parent.parent
    return False


@transaction.atomic
def department_create(
    *,
    actor: Any,
    name: str,
    code: str,
    parent: Department | None = None,
    head: Employee | None = None,
    sort_order: int = 0,
) -> Department:
    """Create a department — 新增部门."""
    _require(actor, "org.add_department")
    name, code = (name or "").strip(), (code or "").strip()
    errors: dict[str, str] = {}
    _check_text(name, model=Department, field="name", label="部门名称", errors=errors)
    _check_text(code, model=Department, field="code", label="部门编码", errors=errors)
    if sort_order is None or sort_order < 0:
        errors["sort_order"] = "排序不能为负数"
    if errors:
        raise DomainError("department_invalid", "部门信息不完整", fields=errors)
    if Department.objects.filter(code=code).exists():
        raise ConflictError(
            "department_code_taken", f"部门编码 {code} 已存在", fields={"code": "编码已存在"}
        )
    if Department.objects.filter(parent=parent, name=name).exists():
        raise ConflictError(
            "department_name_taken", f"同级已有部门“{name}”", fields={"name": "同级已有同名部门"}
        )
    department = Department.objects.create(
        name=name, code=code, parent=parent, head=head, sort_order=sort_order
    )
    access_cache.clear_on_commit()  # the cached department tree (scopes) must see it
    audit.record(
        actor=actor,
        action="department.create",
        obj=department,
        after=audit.snapshot(department, ["name", "code", "parent", "head", "sort_order"]),
    )
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, **changes: Any) -> Department:
    """Change a department's name, code, parent, head or order — 修改部门."""
    _require(actor, "org.change_department")
    allowed = {"name", "code", "parent", "head", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("department_unknown_field", f"不能修改：{', '.join(sorted(unknown))}")
    fields = sorted(allowed)
    before = audit.snapshot(department, fields)
    if "parent" in changes and _department_would_cycle(department, changes["parent"]):
        raise DomainError(
            "department_cycle", "上级部门不能是本部门或其下级", fields={"parent": "会形成循环"}
        )
    # Validate the values the row would have, before touching the caller's instance.
    values = {key: getattr(department, key) for key in ("name", "code", "sort_order")}
    for key in ("name", "code", "sort_order"):
        if key in changes:
            value = changes[key]
            values[key] = value.strip() if isinstance(value, str) else value
    errors: dict[str, str] = {}
    _check_text(
        values["name"] or "", model=Department, field="name", label="部门名称", errors=errors
    )
    _check_text(
        values["code"] or "", model=Department, field="code", label="部门编码", errors=errors
    )
    if values["sort_order"] is None or values["sort_order"] < 0:
        errors["sort_order"] = "排序不能为负数"
    if errors:
        raise DomainError("department_invalid", "部门信息有误", fields=errors)
    parent = changes.get("parent", department.parent)
    others = Department.objects.exclude(pk=department.pk)
    if others.filter(code=values["code"]).exists():
        raise ConflictError(
            "department_code_taken", "部门编码已存在", fields={"code": "编码已存在"}
        )
    if others.filter(parent=parent, name=values["name"]).exists():
        raise ConflictError(
            "department_name_taken",
            f"同级已有部门“{values['name']}”",
            fields={"name": "同级已有同名部门"},
        )
    for key, value in changes.items():
        setattr(department, key, values.get(key, value))
    department.save()
    access_cache.clear_on_commit()  # a new parent changes the cached department tree
    audit.record(
        actor=actor,
        action="department.update",
        obj=department,
        before=before,
        after=audit.snapshot(department, fields),
    )
    return department


@transaction.atomic
def team_create(
    *, actor: Any, department: Department, name: str, leader: Employee | None = None
) -> Team:
    """Create a team (班组) in a department — 新增班组."""
    _require(actor, "org.add_team")
    name = (name or "").strip()
    errors: dict[str, str] = {}
    _check_text(name, model=Team, field="name", label="班组名称", errors=errors)
    if errors:
        raise DomainError("team_invalid", errors["name"], fields=errors)
    if Team.objects.filter(department=department, name=name).exists():
        raise ConflictError(
            "team_name_taken", f"{department.name}已有班组“{name}”", fields={"name": "已存在"}
        )
    team = Team.objects.create(department=department, name=name, leader=leader)
    audit.record(
        actor=actor,
        action="team.create",
        obj=team,
        after=audit.snapshot(team, ["department", "name", "leader"]),
    )
    return team


@transaction.atomic
def team_update(
    *, actor: Any, team: Team, name: str | None = None, leader: Employee | None = _UNSET
) -> Team:
    """Rename a team or change its leader — 修改班组. Omitted arguments stay as they are."""
    _require(actor, "org.change_team")
    before = audit.snapshot(team, ["name", "leader"])
    new_name = team.name if name is None else name.strip()
    errors: dict[str, str] = {}
    _check_text(new_name, model=Team, field="name", label="班组名称", errors=errors)
    if errors:
        raise DomainError("team_invalid", errors["name"], fields=errors)
    siblings = Team.objects.filter(department_id=team.department_id).exclude(pk=team.pk)
    if siblings.filter(name=new_name).exists():
        raise ConflictError(
            "team_name_taken", f"本部门已有班组“{new_name}”", fields={"name": "已存在"}
        )
    team.name = new_name
    if leader is not _UNSET:
        team.leader = leader
    team.save()
    audit.record(
        actor=actor,
        action="team.update",
        obj=team,
        before=before,
        after=audit.snapshot(team, ["name", "leader"]),
    )
    return team


@transaction.atomic
def position_create(*, actor: Any, name: str, level: str) -> Position:
    """Create a position (职位) — 新增职位."""
    _require(actor, "org.add_position")
    name = (name or "").strip()
    errors: dict[str, str] = {}
    _check_text(name, model=Position, field="name", label="职位名称", errors=errors)
    if level not in Level.values:
        errors["level"] = "职级不在可选范围内"
    if errors:
        raise DomainError("position_invalid", "职位信息有误", fields=errors)
    if Position.objects.filter(name=name).exists():
        raise ConflictError("position_name_taken", f"职位“{name}”已存在", fields={"name": "已存在"})
    position = Position.objects.create(name=name, level=level)
    audit.record(
        actor=actor, action="position.create", obj=position, after={"name": name, "level": level}
    )
    return position
