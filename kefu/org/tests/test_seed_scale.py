"""seed_scale — 规模测试数据: a coherent synthetic company, inserted in bulk, never twice."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from kefu.core.models import AuditEvent
from kefu.core.tokens import api_token_create
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.management.commands.seed_scale import BENCH_PASSWORD, BENCH_USERS, ROOT_CODE
from kefu.org.models import Department, Employee, Team
from kefu.org.roles import roles_of
from kefu.org.selectors import employees_for_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(**options: int) -> str:
    out = StringIO()
    call_command("seed_scale", stdout=out, **options)
    return out.getvalue()


def test_creates_a_coherent_company_of_the_requested_size() -> None:
    output = seed(employees=200, departments=3, teams_per_department=4)

    employees = list(Employee.objects.select_related("department", "team", "superior", "user"))
    assert len(employees) == 200
    assert User.objects.filter(employee__isnull=False).count() == 200
    assert Department.objects.filter(code__startswith="SC-").count() == 1 + 1 + 3
    assert Team.objects.count() == 3 * 4

    root = Department.objects.get(code=ROOT_CODE)
    tops = [e for e in employees if e.superior_id is None]
    assert [e.employee_no for e in tops] == [BENCH_USERS[Role.GM]]
    by_pk = {e.pk: e for e in employees}
    for e in employees:
        if e.team_id is not None:
            assert e.team.department_id == e.department_id, e.employee_no
        # Every reporting line climbs to the GM without a cycle.
        seen, walker = set(), e
        while walker.superior_id is not None:
            assert walker.pk not in seen
            seen.add(walker.pk)
            walker = by_pk[walker.superior_id]
        assert walker.department_id == root.pk

    # Exactly one role group each, matching the rank; agents report to their team's leader.
    assert User.groups.through.objects.filter(user__employee__isnull=False).count() == 200
    for e in employees:
        (role,) = roles_of(e.user)
        if role == Role.AGENT:
            assert e.superior.team_id == e.team_id
            assert Team.objects.get(pk=e.team_id).leader_id == e.superior_id
    assert all(team.leader_id for team in Team.objects.all())
    assert all(d.head_id for d in Department.objects.all())

    # Left employees have a date and a disabled login; the rest are active.
    for e in employees:
        assert (
            (e.status == EmployeeStatus.LEFT) == (e.left_on is not None) == (not e.user.is_active)
        )

    assert "BENCH_HR" in output and BENCH_PASSWORD in output
    assert not AuditEvent.objects.filter(action__startswith="employee.").exists()


def test_only_the_benchmark_logins_have_a_password() -> None:
    seed(employees=120, departments=2, teams_per_department=3)
    bench = User.objects.filter(username__in=BENCH_USERS.values())
    assert bench.count() == len(BENCH_USERS)
    assert all(u.check_password(BENCH_PASSWORD) for u in bench)
    others = User.objects.exclude(username__in=BENCH_USERS.values())
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_benchmark_users_see_their_role_scope() -> None:
    seed(employees=150, departments=2, teams_per_department=3)
    hr = User.objects.get(username=BENCH_USERS[Role.HR])
    sup = User.objects.get(username=BENCH_USERS[Role.SUPERVISOR])
    agent = User.objects.get(username=BENCH_USERS[Role.AGENT])
    assert employees_for_user(hr).count() == 150
    sup_dept = sup.employee.department_id
    visible = employees_for_user(sup)
    assert visible.count() == Employee.objects.filter(department_id=sup_dept).count()
    assert 0 < visible.count() < 150
    assert list(employees_for_user(agent)) == [agent.employee]


def test_refuses_to_run_twice() -> None:
    seed(employees=100, departments=1, teams_per_department=2)
    with pytest.raises(CommandError, match="已存在"):
        seed(employees=100, departments=1, teams_per_department=2)
    assert Employee.objects.count() == 100


def test_refuses_a_company_too_small_for_its_structure() -> None:
    with pytest.raises(CommandError, match="至少需要"):
        seed(employees=20, departments=5, teams_per_department=4)
    assert not Employee.objects.exists()
    assert not Department.objects.exists()


# --- at scale: the list and the dashboard cost the same number of queries at any size ----------
def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_employee_list_api_queries_do_not_grow_with_the_page(
    django_assert_max_num_queries: Any,
) -> None:
    seed(employees=300, departments=2, teams_per_department=4)
    hr = User.objects.get(username=BENCH_USERS[Role.HR])
    _, raw = api_token_create(actor=hr, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/org/employees")  # the first call also stamps the token's last use
    for size in (20, 100):
        # token, permissions ×2, roles, count, page: nothing per row, nothing per size.
        with django_assert_max_num_queries(6):
            response = client.get(f"/api/v1/org/employees?page=1&page_size={size}")
        assert response.status_code == 200
        assert response.json()["count"] == 300
        assert len(response.json()["items"]) == size


def test_dashboard_figures_at_scale_in_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    seed(employees=300, departments=3, teams_per_department=4)
    active = Employee.objects.filter(status=EmployeeStatus.ACTIVE)

    hr_client = _client_for(BENCH_USERS[Role.HR])
    hr_client.get("/dashboard/")  # the first request also writes the session
    # session, user, policy (+ its body once per process), roles, permissions ×2, the employee
    # (shell), figures, department names, calendar day, notifications ×2: the same at 300 or
    # 10,000 employees (it was 16 with one COUNT per figure).
    with django_assert_max_num_queries(13):
        response = hr_client.get("/dashboard/")
    assert response.status_code == 200
    ctx = response.context
    assert ctx["active_employees"] == active.count()
    assert ctx["left_employees"] == 300 - active.count() > 0
    assert (
        ctx["active_accounts"]
        == User.objects.filter(employee__isnull=False, is_active=True).count()
    )
    assert ctx["logged_in_today"] == 1  # only the HR login of this test
    rows = {row["department__id"]: row["n"] for row in ctx["by_department"]}
    assert rows == {
        d.pk: active.filter(department=d).count()
        for d in Department.objects.all()
        if active.filter(department=d).exists()
    }
    assert [row["n"] for row in ctx["by_department"]] == sorted(rows.values(), reverse=True)

    sup = User.objects.get(username=BENCH_USERS[Role.SUPERVISOR])
    sup_client = _client_for(sup.username)
    sup_client.get("/dashboard/")
    with django_assert_max_num_queries(14):  # + the department tree for the scope
        response = sup_client.get("/dashboard/")
    mine = active.filter(department_id=sup.employee.department_id).count()
    assert response.context["active_employees"] == mine
    assert [row["n"] for row in response.context["by_department"]] == [mine]
