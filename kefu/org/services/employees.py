"""Employees — 员工档案维护: hire, change, roles, leave, password."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.core import access_cache, audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import ApiToken

from ..choices import EmployeeStatus, Role, Speciality
from ..models import Department, Employee, Position, Team
from ..roles import ROLE_BY_GROUP_NAME
from ._common import User, _check_text, _require, _require_in_scope

EMPLOYEE_FIELDS = [
    "employee_no",
    "name",
    "phone",
    "id_number",
    "hire_date",
    "department",
    "team",
    "superior",
    "position",
    "speciality",
    "base_points",
    "monthly_bonus",
    "status",
    "left_on",
]
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]{2,20}$")


# --- employees ------------------------------------------------------------------------------
def _clean_decimal(value: Any, field: str, label: str, errors: dict[str, str]) -> Decimal | None:
    """A non-negative amount that fits its column, quantized like the stored value.

    Quantizing keeps audit snapshots comparable: "1", "1.0" and the stored "1.00" are one value.
    """
    model_field = Employee._meta.get_field(field)
    places, digits = model_field.decimal_places, model_field.max_digits
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = f"{label}必须是数字"
        return None
    if not result.is_finite():
        errors[field] = f"{label}必须是数字"
        return None
    if result < 0:
        errors[field] = f"{label}不能为负数"
        return None
    step = Decimal(1).scaleb(-places)
    try:
        quantized = result.quantize(step)
    except InvalidOperation:  # more digits than the decimal context holds: far too large anyway
        quantized = None
    if quantized is None or len(quantized.as_tuple().digits) > digits:
        errors[field] = f"{label}过大（最多{digits - places}位整数）"
        return None
    if quantized != result:
        errors[field] = f"{label}最多{places}位小数"
        return None
    return quantized


def validate_employee_values(
    values: dict[str, Any], *, instance: Employee | None = None
) -> dict[str, Any]:
    """Check an employee's field values; raise one DomainError listing every bad field."""
    errors: dict[str, str] = {}
    cleaned = dict(values)
    for key in ("employee_no", "name", "phone", "id_number", "speciality"):
        if key in cleaned and isinstance(cleaned[key], str):
            cleaned[key] = cleaned[key].strip()
    if "employee_no" in cleaned:
        no = cleaned["employee_no"]
        if not no:
            errors["employee_no"] = "请填写工号"
        elif not EMPLOYEE_NO_RE.match(no):
            errors["employee_no"] = "工号只能包含字母、数字、-、_，长度2-20"
    if "name" in cleaned:
        _check_text(
            cleaned["name"] or "", model=Employee, field="name", label="姓名", errors=errors
        )
    if cleaned.get("phone") and not PHONE_RE.match(cleaned["phone"]):
        errors["phone"] = "手机号格式不正确（11位手机号或区号-座机号）"
    if cleaned.get("id_number"):
        cleaned["id_number"] = cleaned["id_number"].upper()
        if not ID_RE.match(cleaned["id_number"]):
            errors["id_number"] = "身份证号应为18位"
    if "hire_date" in cleaned:
        if not isinstance(cleaned["hire_date"], dt.date):
            errors["hire_date"] = "请填写入职日期"
        elif cleaned["hire_date"] > timezone.localdate() + dt.timedelta(days=365):
            errors["hire_date"] = "入职日期不合理"
    if "speciality" in cleaned and cleaned["speciality"] not in Speciality.values:
        errors["speciality"] = "专长不在可选范围内"
    for key, label in (("base_points", "基点数"), ("monthly_bonus", "月绩效奖金")):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = _clean_decimal(cleaned[key], key, label, errors)
    department = cleaned.get("department", instance.department if instance else None)
    team = cleaned.get("team", instance.team if instance else None)
    if "department" in cleaned and department is None:
        errors["department"] = "请选择部门"
    if "position" in cleaned and cleaned["position"] is None:
        errors["position"] = "请选择职位"
    if team is not None and department is not None and team.department_id != department.pk:
        errors["team"] = "班组不属于所选部门"
    superior = cleaned.get("superior")
    if superior is not None and instance is not None:
        walker: Employee | None = superior
        hops = 0
        while walker is not None and hops < 50:
            if walker.pk == instance.pk:
                errors["superior"] = "直接上级不能是本人或其下属"
                break
            walker = walker.superior
            hops += 1
    if superior is not None and superior.status != EmployeeStatus.ACTIVE:
        errors["superior"] = "直接上级已离职"
    if errors:
        raise DomainError("employee_invalid", "员工信息有误，请检查标红的字段", fields=errors)
    return cleaned


def _check_roles(actor: Any, roles: list[str]) -> None:
    """Refuse role assignment before anything is written: the right first, then the codes."""
    if not actor.has_perm("org.manage_roles"):
        raise PermissionDeniedError("您没有分配角色的权限")
    if not roles:
        # A login without a role sees nothing and can do nothing: almost certainly a mistake.
        raise DomainError(
            "role_required", "请至少选择一个角色", fields={"roles": "请至少选择一个角色"}
        )
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise DomainError(
            "role_unknown", f"未知角色：{', '.join(unknown)}", fields={"roles": "未知角色"}
        )


def _role_codes(user: Any) -> list[str]:
    """Role codes from the database (not the per-request cache), sorted for snapshots."""
    names = user.groups.values_list("name", flat=True)
    return sorted(ROLE_BY_GROUP_NAME[n] for n in names if n in ROLE_BY_GROUP_NAME)


def _set_roles(user: Any, roles: list[str]) -> None:
    groups = list(Group.objects.filter(name__in=[Role(r).label for r in roles]))
    user.groups.set(groups)
    user._kefu_roles = None
    access_cache.clear_on_commit()
    # The admin site (系统设置 → 制度参数, 节假日日历) is part of the 系统管理员 role: granted and
    # withdrawn with it, never by hand.
    is_staff = Role.SYSADMIN.value in roles
    if user.is_staff != is_staff and not user.is_superuser:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    employee_no: str,
    name: str,
    hire_date: dt.date,
    department: Department,
    position: Position,
    phone: str = "",
    id_number: str = "",
    team: Team | None = None,
    superior: Employee | None = None,
    speciality: str = "",
    base_points: Decimal | int | str = 1,
    monthly_bonus: Decimal | int | str = 0,
    roles: list[str] | None = None,
    password: str | None = None,
) -> Employee:
    """Hire an employee — 新增员工: a personal login (username = 工号) and the employee record."""
    _require(actor, "org.add_employee")
    roles = roles if roles is not None else [Role.AGENT.value]
    _check_roles(actor, roles)
    values = validate_employee_values(
        {
            "employee_no": employee_no,
            "name": name,
            "phone": phone,
            "id_number": id_number,
            "hire_date": hire_date,
            "department": department,
            "team": team,
            "superior": superior,
            "position": position,
            "speciality": speciality,
            "base_points": base_points,
            "monthly_bonus": monthly_bonus,
        }
    )
    no = values["employee_no"]
    # Case-insensitive: "kf011" beside "KF011" would be two logins nobody can tell apart.
    if (
        Employee.objects.filter(employee_no__iexact=no).exists()
        or User.objects.filter(username__iexact=no).exists()
    ):
        raise ConflictError(
            "employee_no_taken", f"工号 {no} 已存在", fields={"employee_no": "工号已存在"}
        )
    user = User(username=no, first_name=values["name"][:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.save()
        employee = Employee.objects.create(user=user, **values)
    except IntegrityError as exc:  # a concurrent hire took the same 工号
        raise ConflictError(
            "employee_no_taken", f"工号 {no} 已存在", fields={"employee_no": "工号已存在"}
        ) from exc
    _set_roles(user, roles)
    audit.record(
        actor=actor,
        action="employee.create",
        obj=employee,
        after={**audit.snapshot(employee, EMPLOYEE_FIELDS), "roles": sorted(set(roles))},
    )
    return employee


@transaction.atomic
def employee_update(
    *, actor: Any, employee: Employee, roles: list[str] | None = None, **changes: Any
) -> Employee:
    """Change an employee's record (and roles) — 修改员工信息."""
    _require(actor, "org.change_employee")
    _require_in_scope(actor, employee)
    editable = set(EMPLOYEE_FIELDS) - {"employee_no", "status", "left_on"}
    unknown = set(changes) - editable
    if unknown:
        raise DomainError("employee_unknown_field", f"不能修改：{', '.join(sorted(unknown))}")
    if roles is not None:
        _check_roles(actor, roles)
    before = audit.snapshot(employee, EMPLOYEE_FIELDS)
    # Role codes, the same vocabulary as employee.create's snapshot.
    before_roles = _role_codes(employee.user)
    values = validate_employee_values(changes, instance=employee)
    for key, value in values.items():
        setattr(employee, key, value)
    employee.save()
    if "name" in values and employee.user.first_name != employee.name[:150]:
        employee.user.first_name = employee.name[:150]
        employee.user.save(update_fields=["first_name"])
    if roles is not None:
        _set_roles(employee.user, roles)
    after = audit.snapshot(employee, EMPLOYEE_FIELDS)
    after_roles = _role_codes(employee.user)
    if after != before or after_roles != before_roles:
        audit.record(
            actor=actor,
            action="employee.update",
            obj=employee,
            before={**before, "roles": before_roles},
            after={**after, "roles": after_roles},
        )
    return employee


@transaction.atomic
def employee_leave(
    *, actor: Any, employee: Employee, left_on: dt.date, reason: str = ""
) -> Employee:
    """Record that an employee left — 离职: the login is disabled and its sessions and tokens end.

    An inactive user is refused by the authentication backend on its next request, which ends
    every open session at once without scanning the session table; API tokens are revoked.
    """
    _require(actor, "org.change_employee")
    _require_in_scope(actor, employee)
    if employee.status == EmployeeStatus.LEFT:
        raise ConflictError("employee_already_left", "该员工已离职")
    if left_on < employee.hire_date:
        raise DomainError(
            "employee_left_before_hire",
            "离职日期不能早于入职日期",
            fields={"left_on": "早于入职日期"},
        )
    if employee.subordinates.filter(status=EmployeeStatus.ACTIVE).exists():
        raise ConflictError(
            "employee_has_subordinates",
            "该员工还有在职下属，请先为下属更换直接上级",
            fields={"left_on": "还有在职下属"},
        )
    # A department or team must not be left headed by someone who is gone (approvals and the
    # org chart would point at a disabled login), so the successor is named first.
    headed = [d.name for d in Department.objects.filter(head=employee)]
    led = [t.name for t in Team.objects.filter(leader=employee)]
    if headed or led:
        where = "、".join([*(f"{n}负责人" for n in headed), *(f"{n}组长" for n in led)])
        raise ConflictError(
            "employee_still_heads",
            f"该员工仍是{where}，请先指定接任人",
            fields={"left_on": f"仍是{where}"},
        )
    before = audit.snapshot(employee, ["status", "left_on"])
    employee.status = EmployeeStatus.LEFT
    employee.left_on = left_on
    employee.save(update_fields=["status", "left_on"])
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        actor=actor,
        action="employee.leave",
        obj=employee,
        before=before,
        after=audit.snapshot(employee, ["status", "left_on"]),
        reason=reason,
    )
    return employee


@transaction.atomic
def employee_set_password(*, actor: Any, employee: Employee, password: str) -> None:
    """Set an employee's login password — 重置密码 (audited; the password itself is never logged)."""
    _require(actor, "org.change_employee")
    _require_in_scope(actor, employee)
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, employee.user)
    except ValidationError as exc:
        raise DomainError(
            "password_weak", "；".join(exc.messages), fields={"password": "；".join(exc.messages)}
        ) from exc
    employee.user.set_password(password)
    employee.user.save(update_fields=["password"])
    audit.record(actor=actor, action="employee.password_reset", obj=employee)
