"""Organisation reads — 组织查询, always scoped to what the actor may see (ORG-5)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from kefu.core import access_cache

from .choices import EmployeeStatus, Scope
from .models import Department, Employee, Position, Team
from .roles import scope_of


def department_tree() -> list[tuple[int, int | None]]:
    """(id, parent id) of every department — kept per process for a few seconds (the department
    services clear it; kefu/core/access_cache.py): every scoped page needs it."""
    return access_cache.cached_value(
        ("department_tree",), lambda: list(Department.objects.values_list("id", "parent_id"))
    )


def department_descendant_ids(
    root_id: int, departments: list[tuple[int, int | None]] | None = None
) -> set[int]:
    """Ids of ``root_id`` and every department below it."""
    if departments is None:
        departments = department_tree()
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in departments:
        children[parent].append(pk)
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def employee_of(user: Any) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_kefu_employee", False)
    if cached is False:
        cached = (
            Employee.objects.filter(user=user)
            .select_related("department", "team", "position")
            .first()
        )
        user._kefu_employee = cached
    return cached


def employee_scope_filter(user: Any) -> Q:
    """A Q over Employee that keeps only what ``user`` may see; matches nothing for no role."""
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()  # no need to load the user's own employee record
    me = employee_of(user)
    if scope is None or me is None:
        return Q(pk__in=[])
    if scope == Scope.DEPARTMENT:
        return Q(department_id__in=department_descendant_ids(me.department_id))
    if scope == Scope.TEAM and me.team_id:
        return Q(team_id=me.team_id) | Q(pk=me.pk)
    return Q(pk=me.pk)


def employees_for_user(
    user: Any,
    *,
    q: str = "",
    department_id: int | None = None,
    team_id: int | None = None,
    position_id: int | None = None,
    status: str = "",
) -> QuerySet[Employee]:
    """Employees ``user`` may see, filtered; related rows joined for list pages."""
    # Not "user": no list shows it, and a fifth join tripled PostgreSQL's planning time for
    # every page of the list (~1.2 → ~3.5 ms, docs/performance.md).
    qs = Employee.objects.filter(employee_scope_filter(user)).select_related(
        "department", "team", "position", "superior"
    )
    if q:
        qs = qs.filter(Q(employee_no__icontains=q) | Q(name__icontains=q) | Q(phone__contains=q))
    if department_id:
        qs = qs.filter(department_id__in=department_descendant_ids(department_id))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if position_id:
        qs = qs.filter(position_id=position_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("employee_no")


def employee_get_for_user(user: Any, pk: int) -> Employee:
    """One employee, or Employee.DoesNotExist when missing or outside the user's scope."""
    return employees_for_user(user).get(pk=pk)


def departments_for_user(user: Any) -> QuerySet[Department]:
    """The department tree is company-wide knowledge: every role with view_department sees it."""
    if not user.has_perm("org.view_department"):
        return Department.objects.none()
    return Department.objects.select_related("parent", "head").order_by("sort_order", "id")


def teams_for_user(user: Any, *, department_id: int | None = None) -> QuerySet[Team]:
    if not user.has_perm("org.view_team"):
        return Team.objects.none()
    qs = Team.objects.select_related("department", "leader")
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("department__sort_order", "name")


def positions_for_user(user: Any) -> QuerySet[Position]:
    if not user.has_perm("org.view_position"):
        return Position.objects.none()
    return Position.objects.order_by("name")


def org_chart_for_user(user: Any) -> list[dict[str, Any]]:
    """The department tree with teams and active head counts, as nested dicts (2 queries + teams)."""
    departments = list(
        departments_for_user(user).annotate(
            headcount=Count("employees", filter=Q(employees__status=EmployeeStatus.ACTIVE))
        )
    )
    teams_by_dept: dict[int, list[dict[str, Any]]] = defaultdict(list)
    team_rows = teams_for_user(user).annotate(
        headcount=Count("members", filter=Q(members__status=EmployeeStatus.ACTIVE))
    )
    for team in team_rows:
        teams_by_dept[team.department_id].append(
            {"id": team.pk, "name": team.name, "leader": team.leader, "headcount": team.headcount}
        )
    nodes = {
        d.pk: {
            "id": d.pk,
            "name": d.name,
            "code": d.code,
            "head": d.head,
            "headcount": d.headcount,
            "teams": teams_by_dept.get(d.pk, []),
            "children": [],
        }
        for d in departments
    }
    roots: list[dict[str, Any]] = []
    for d in departments:
        node = nodes[d.pk]
        if d.parent_id and d.parent_id in nodes:
            nodes[d.parent_id]["children"].append(node)
        else:
            roots.append(node)
    for node in nodes.values():
        node["total"] = node["headcount"]

    def total(node: dict[str, Any]) -> int:
        node["total"] = node["headcount"] + sum(total(c) for c in node["children"])
        return node["total"]

    for root in roots:
        total(root)
    return roots


def _by_department(rows: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """(department id, active count) pairs → dashboard rows, largest first, then by name."""
    names = dict(Department.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("id", "name"))
    result = [
        {"department__id": pk, "department__name": names.get(pk, ""), "n": n} for pk, n in rows if n
    ]
    result.sort(key=lambda row: (-row["n"], row["department__name"]))
    return result


def headcount_by_department(user: Any) -> list[dict[str, Any]]:
    """Active employees per department among those the user may see."""
    # Grouped by department id alone: grouping by the joined name as well joined every visible
    # employee to its department and hashed a text key (≈2× the time at 10,000 employees).
    counts = (
        Employee.objects.filter(employee_scope_filter(user), status=EmployeeStatus.ACTIVE)
        .values_list("department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by_department(list(counts))


def employee_figures_for_user(user: Any, *, today_start: dt.datetime) -> dict[str, Any]:
    """The dashboard's figures (工作台) over the employees ``user`` may see, in one query.

    Returns active_employees, left_employees, logged_in_today (active logins since
    ``today_start``), active_accounts and by_department (active head count per department).
    """
    # The same figures for everybody with the same scope: kept per process for
    # DASHBOARD_FIGURES_SECONDS (the page says so), so a dashboard refresh does not rescan
    # 10,000 employees (docs/performance.md).
    scope = scope_of(user)
    me = None if scope == Scope.ALL else employee_of(user)
    key = (
        "dashboard_figures",
        scope,
        getattr(me, "pk", None) if scope not in (Scope.ALL, Scope.DEPARTMENT) else None,
        getattr(me, "department_id", None) if scope == Scope.DEPARTMENT else None,
        today_start,
    )
    figures = access_cache.cached_value(
        key, lambda: _employee_figures(user, today_start), DASHBOARD_FIGURES_SECONDS
    )
    return dict(figures)  # a copy: callers may change it, the cached one must not change


DASHBOARD_FIGURES_SECONDS = 30.0


def _employee_figures(user: Any, today_start: dt.datetime) -> dict[str, Any]:
    # One grouped pass over employee ⨝ user: the four totals are sums of the per-department
    # counts, so the 10,000-row scan happens once instead of five times.
    rows = list(
        Employee.objects.filter(employee_scope_filter(user))
        .values_list("department_id")
        .annotate(
            active=Count("pk", filter=Q(status=EmployeeStatus.ACTIVE)),
            left=Count("pk", filter=Q(status=EmployeeStatus.LEFT)),
            logged_in=Count(
                "pk", filter=Q(user__last_login__gte=today_start, user__is_active=True)
            ),
            accounts=Count("pk", filter=Q(user__is_active=True)),
        )
        .order_by()
    )
    return {
        "active_employees": sum(r[1] for r in rows),
        "left_employees": sum(r[2] for r in rows),
        "logged_in_today": sum(r[3] for r in rows),
        "active_accounts": sum(r[4] for r in rows),
        "by_department": _by_department([(r[0], r[1]) for r in rows]),
    }
