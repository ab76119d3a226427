"""Data scope — 数据范围 (ORG-5): who sees which employees, on the selector, the pages and the API.

make_org(): 总部 → 客服部 (售前组, 售后组, sub-department 售后服务组) + 行政人事部 + 信息中心.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from kefu.org import selectors, services
from kefu.org.choices import Role
from kefu.org.tests.factories import EmployeeFactory, TeamFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

EVERYONE = {
    "G001",
    "G002",
    "KF001",
    "KF002",
    "KF010",
    "KF020",
    "KF011",
    "KF012",
    "KF021",
    "AS001",
    "HR001",
    "IT001",
    "CK001",
}
# 客服部 and its sub-department 售后服务组.
CS_DEPARTMENT = {"KF001", "KF002", "KF010", "KF020", "KF011", "KF012", "KF021", "AS001"}
TEAM_A = {"KF010", "KF011", "KF012"}
TEAM_B = {"KF020", "KF021"}

EXPECTED = {
    "agent_a1": {"KF011"},
    "agent_b1": {"KF021"},
    "after_sales": {"AS001"},
    "lead_a": TEAM_A,
    "lead_b": TEAM_B,
    "supervisor": CS_DEPARTMENT,
    "manager": CS_DEPARTMENT,
    "hr": EVERYONE,
    "gm": EVERYONE,
    "dgm": EVERYONE,
    "sysadmin": EVERYONE,
    "warehouse": {"CK001"},
}


def visible(user: Any) -> set[str]:
    return set(selectors.employees_for_user(user).values_list("employee_no", flat=True))


def fresh(user: Any) -> Any:
    # Roles and the user's employee are cached on the user object; a new one is a new request.
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(("who", "expected"), sorted(EXPECTED.items()))
def test_selector_scope_per_role(org: dict[str, Any], who: str, expected: set[str]) -> None:
    assert visible(org[who].user) == expected


def test_supervisor_does_not_see_hr_or_management(org: dict[str, Any]) -> None:
    seen = visible(org["supervisor"].user)
    assert "HR001" not in seen
    assert "G001" not in seen
    assert "AS001" in seen  # the sub-department 售后服务组 belongs to 客服部


def test_team_lead_without_a_team_sees_only_self(org: dict[str, Any]) -> None:
    lonely = EmployeeFactory(
        employee_no="KF030",
        department=org["cs"],
        position=org["agent_position"],
        roles=["team_lead"],
    )
    assert visible(lonely.user) == {"KF030"}


def test_new_team_member_appears_for_its_lead_only(org: dict[str, Any]) -> None:
    EmployeeFactory(employee_no="KF013", department=org["cs"], team=org["team_a"])
    assert "KF013" in visible(fresh(org["lead_a"].user))
    assert "KF013" not in visible(fresh(org["lead_b"].user))
    assert "KF013" not in visible(fresh(org["agent_a1"].user))


def test_user_with_no_role_sees_nothing(org: dict[str, Any]) -> None:
    nobody = EmployeeFactory(employee_no="X001", department=org["cs"], roles=[])
    nobody.user.groups.clear()
    assert visible(fresh(nobody.user)) == set()
    loose_user = User.objects.create_user("loose", password="x-pass-123456")
    assert visible(loose_user) == set()


def test_role_without_employee_record_sees_only_what_all_scope_allows(org: dict[str, Any]) -> None:
    # A department-scoped role needs an employee record to know which department; without one,
    # nothing is visible rather than everything.
    user = User.objects.create_user("sup-no-employee", password="x-pass-123456")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=Role.SUPERVISOR.label))
    assert visible(user) == set()
    user2 = User.objects.create_user("gm-no-employee", password="x-pass-123456")
    user2.groups.add(Group.objects.get(name=Role.GM.label))
    assert visible(user2) == EVERYONE


def test_superuser_sees_all(org: dict[str, Any]) -> None:
    admin = User.objects.create_superuser("root", password="x-pass-123456")
    assert visible(admin) == EVERYONE


def test_widest_role_wins(org: dict[str, Any]) -> None:
    from django.contrib.auth.models import Group

    user = fresh(org["agent_a1"].user)
    user.groups.add(Group.objects.get(name=Role.TEAM_LEAD.label))
    assert visible(fresh(user)) == TEAM_A


def test_anonymous_sees_nothing(org: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


def test_employee_get_for_user_outside_scope_is_does_not_exist(org: dict[str, Any]) -> None:
    from kefu.org.models import Employee

    agent = org["agent_a1"].user
    assert selectors.employee_get_for_user(agent, org["agent_a1"].pk).employee_no == "KF011"
    with pytest.raises(Employee.DoesNotExist):
        selectors.employee_get_for_user(agent, org["agent_a2"].pk)


def test_filters_cannot_widen_the_scope(org: dict[str, Any]) -> None:
    supervisor = org["supervisor"].user
    qs = selectors.employees_for_user(supervisor, department_id=org["hr_dept"].pk)
    assert list(qs) == []
    qs = selectors.employees_for_user(supervisor, q="HR001")
    assert list(qs) == []


def test_headcount_by_department_is_scoped(org: dict[str, Any]) -> None:
    rows = {
        r["department__name"]: r["n"]
        for r in selectors.headcount_by_department(org["supervisor"].user)
    }
    assert rows == {"客服部": 7, "售后服务组": 1}
    assert selectors.headcount_by_department(org["agent_a1"].user) == [
        {"department__id": org["cs"].pk, "department__name": "客服部", "n": 1}
    ]


# --- pages and API ---------------------------------------------------------------------------
def _all_keys() -> list[str]:
    return [
        "gm",
        "dgm",
        "manager",
        "supervisor",
        "lead_a",
        "lead_b",
        "agent_a1",
        "agent_a2",
        "agent_b1",
        "after_sales",
        "hr",
        "sysadmin",
        "warehouse",
    ]


@pytest.mark.parametrize(("who", "expected"), sorted(EXPECTED.items()))
def test_list_page_and_api_show_exactly_the_scope(
    org: dict[str, Any], client_for: Any, who: str, expected: set[str]
) -> None:
    client = client_for(org[who].user)
    page = client.get("/org/employees/", {"page_size": 100})
    assert page.status_code == 200
    assert {e.employee_no for e in page.context["page"].object_list} == expected
    api = client.get("/api/v1/org/employees", {"page_size": 100})
    assert api.status_code == 200
    data = api.json()
    assert data["count"] == len(expected)
    assert {item["employee_no"] for item in data["items"]} == expected


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_detail_is_404_outside_scope_on_pages_and_api(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(org[who].user)
    for key in _all_keys():
        employee = org[key]
        inside = employee.employee_no in EXPECTED[who]
        page = client.get(f"/org/employees/{employee.pk}/")
        api = client.get(f"/api/v1/org/employees/{employee.pk}")
        if inside:
            assert page.status_code == 200, (who, key)
            assert api.status_code == 200, (who, key)
            assert api.json()["employee_no"] == employee.employee_no
        else:
            assert page.status_code == 404, (who, key)
            assert employee.name not in page.content.decode()
            assert api.status_code == 404, (who, key)
            assert api.json()["code"] == "not_found"


def test_user_with_no_role_is_refused_on_pages_and_api(
    org: dict[str, Any], client_for: Any
) -> None:
    nobody = EmployeeFactory(employee_no="X001", department=org["cs"], roles=[])
    nobody.user.groups.clear()
    client = client_for(nobody.user)
    assert client.get("/org/employees/").status_code == 403
    assert client.get(f"/org/employees/{nobody.pk}/").status_code == 403
    assert client.get("/api/v1/org/employees").status_code == 403
    assert client.get(f"/api/v1/org/employees/{org['agent_a1'].pk}").status_code == 403


def test_no_role_but_view_permission_still_sees_nothing(
    org: dict[str, Any], client_for: Any
) -> None:
    nobody = EmployeeFactory(employee_no="X002", department=org["cs"], roles=[])
    nobody.user.groups.clear()
    nobody.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="org", codename="view_employee")
    )
    client = client_for(nobody.user)
    response = client.get("/api/v1/org/employees")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert client.get(f"/org/employees/{nobody.pk}/").status_code == 404


def test_scope_follows_a_team_change(org: dict[str, Any], client_for: Any) -> None:
    new_team = TeamFactory(department=org["cs"], name="回访组")
    services.employee_update(actor=org["hr"].user, employee=org["agent_a2"], team=new_team)
    data = client_for(org["lead_a"].user).get("/api/v1/org/employees").json()
    assert "KF012" not in {i["employee_no"] for i in data["items"]}
