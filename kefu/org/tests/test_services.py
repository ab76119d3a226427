"""Organisation services — 组织维护 (ORG-1..3, ORG-5): the only write path, validated and audited.

Every refusal is checked to leave the database exactly as it was (rows, field values, audit trail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import ApiToken, AuditEvent
from kefu.core.tokens import api_token_create
from kefu.org import services
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Department, Employee, Position, Team
from kefu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
HIRE_DATE = dt.date(2025, 3, 1)


def counts() -> dict[str, int]:
    return {
        "employees": Employee.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
        "departments": Department.objects.count(),
        "teams": Team.objects.count(),
        "positions": Position.objects.count(),
        "tokens": ApiToken.objects.filter(revoked_at__isnull=True).count(),
    }


def row(obj: Any) -> dict[str, Any]:
    """Every stored column of ``obj``, read fresh from the database."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def hire_kwargs(org: dict[str, Any], **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "employee_no": "KF099",
        "name": "新员工",
        "hire_date": HIRE_DATE,
        "department": org["cs"],
        "position": org["agent_position"],
        "team": org["team_a"],
        "superior": org["lead_a"],
        "phone": "13900001111",
        "id_number": "11010119900307123x",
        "speciality": "presales",
        "base_points": "1.5",
        "monthly_bonus": 800,
    }
    values.update(over)
    return values


def events(action: str, obj: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_object(obj._meta.label_lower, obj.pk)
        .filter(action=action)
        .order_by("seq")
    )


# --- employee_create -------------------------------------------------------------------------
class TestEmployeeCreate:
    def test_creates_user_named_by_employee_no_with_roles_and_audit(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        before = counts()
        employee = services.employee_create(
            actor=hr, roles=["team_lead", "agent"], password="Kefu-pass-2025", **hire_kwargs(org)
        )
        employee.refresh_from_db()
        assert employee.user.username == "KF099"
        assert employee.user.first_name == "新员工"
        assert employee.user.is_active
        assert employee.user.check_password("Kefu-pass-2025")
        assert set(employee.user.groups.values_list("name", flat=True)) == {"组长", "客服代表"}
        assert employee.id_number == "11010119900307123X"  # normalised to upper-case X
        assert employee.base_points == Decimal("1.5")
        assert employee.status == EmployeeStatus.ACTIVE
        after = counts()
        assert after["employees"] == before["employees"] + 1
        assert after["users"] == before["users"] + 1
        assert after["audit"] == before["audit"] + 1
        (event,) = events("employee.create", employee)
        assert event.actor_id == hr.pk
        assert event.actor_label == "赵人事"
        assert event.before is None
        assert event.after["employee_no"] == "KF099"
        assert event.after["name"] == "新员工"
        assert event.after["department"] == org["cs"].pk
        assert event.after["team"] == org["team_a"].pk
        assert event.after["superior"] == org["lead_a"].pk
        assert event.after["phone"] == "13900001111"
        assert event.after["base_points"] == "1.50"
        assert event.after["roles"] == ["agent", "team_lead"]

    def test_default_role_is_agent_and_password_unusable(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        employee = services.employee_create(actor=hr, **hire_kwargs(org))
        assert list(employee.user.groups.values_list("name", flat=True)) == ["客服代表"]
        assert not employee.user.has_usable_password()

    def test_values_are_stripped(self, org: dict[str, Any], hr: Any) -> None:
        employee = services.employee_create(
            actor=hr, **hire_kwargs(org, employee_no="  KF098 ", name=" 钱七 ")
        )
        assert employee.employee_no == "KF098"
        assert employee.user.username == "KF098"
        assert employee.name == "钱七"

    @pytest.mark.parametrize("taken", ["KF011", "G001", "kf011", " Kf011 "])
    def test_duplicate_employee_no_is_conflict(
        self, org: dict[str, Any], hr: Any, taken: str
    ) -> None:
        before = counts()
        with pytest.raises(ConflictError) as exc:
            services.employee_create(actor=hr, **hire_kwargs(org, employee_no=taken))
        assert exc.value.status == 409
        assert exc.value.code == "employee_no_taken"
        assert "employee_no" in exc.value.fields
        assert counts() == before

    def test_username_taken_by_a_login_without_employee_is_conflict(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        UserFactory(username="KF099")
        before = counts()
        with pytest.raises(ConflictError):
            services.employee_create(actor=hr, **hire_kwargs(org))
        assert counts() == before

    @pytest.mark.parametrize(
        ("over", "field"),
        [
            ({"phone": "12345"}, "phone"),
            ({"phone": "1381234567a"}, "phone"),
            ({"phone": "138123456789"}, "phone"),
            ({"id_number": "11010119900307"}, "id_number"),
            ({"id_number": "11010119900307123Y"}, "id_number"),
            ({"employee_no": "中文工号"}, "employee_no"),
            ({"employee_no": "K"}, "employee_no"),
            ({"employee_no": ""}, "employee_no"),
            ({"name": "  "}, "name"),
            ({"name": "名" * 41}, "name"),
            ({"hire_date": None}, "hire_date"),
            ({"hire_date": "2025-01-01"}, "hire_date"),
            ({"speciality": "cooking"}, "speciality"),
            ({"base_points": "-1"}, "base_points"),
            ({"base_points": "abc"}, "base_points"),
            ({"base_points": "NaN"}, "base_points"),
            ({"base_points": "1234567"}, "base_points"),
            ({"base_points": "1.234"}, "base_points"),
            ({"monthly_bonus": "Infinity"}, "monthly_bonus"),
            ({"monthly_bonus": "123456789"}, "monthly_bonus"),
            ({"monthly_bonus": "1E+30"}, "monthly_bonus"),
            ({"department": None}, "department"),
            ({"position": None}, "position"),
        ],
    )
    def test_invalid_value_names_the_field_and_writes_nothing(
        self, org: dict[str, Any], hr: Any, over: dict[str, Any], field: str
    ) -> None:
        before = counts()
        with pytest.raises(DomainError) as exc:
            services.employee_create(actor=hr, **hire_kwargs(org, **over))
        assert exc.value.code == "employee_invalid"
        assert exc.value.status == 422
        assert field in exc.value.fields
        assert exc.value.fields[field]  # a Chinese message, not an empty string
        assert counts() == before

    def test_team_of_another_department_is_refused(self, org: dict[str, Any], hr: Any) -> None:
        before = counts()
        with pytest.raises(DomainError) as exc:
            services.employee_create(
                actor=hr, **hire_kwargs(org, department=org["hr_dept"], superior=org["hr"])
            )
        assert exc.value.fields == {"team": "班组不属于所选部门"}
        assert counts() == before
        assert not User.objects.filter(username="KF099").exists()

    def test_every_bad_field_is_reported_at_once(self, org: dict[str, Any], hr: Any) -> None:
        with pytest.raises(DomainError) as exc:
            services.employee_create(
                actor=hr, **hire_kwargs(org, phone="1", id_number="2", name="", speciality="x")
            )
        assert set(exc.value.fields) == {"phone", "id_number", "name", "speciality"}

    def test_superior_who_left_is_refused(self, org: dict[str, Any], hr: Any) -> None:
        services.employee_leave(actor=hr, employee=org["agent_a2"], left_on=dt.date(2025, 5, 1))
        with pytest.raises(DomainError) as exc:
            services.employee_create(actor=hr, **hire_kwargs(org, superior=org["agent_a2"]))
        assert "superior" in exc.value.fields

    def test_unknown_role_rolls_back_the_user_and_employee(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        before = counts()
        with pytest.raises(DomainError) as exc:
            services.employee_create(actor=hr, roles=["agent", "boss"], **hire_kwargs(org))
        assert exc.value.code == "role_unknown"
        assert "roles" in exc.value.fields
        assert counts() == before
        assert not User.objects.filter(username="KF099").exists()

    def test_assigning_roles_needs_manage_roles(self, org: dict[str, Any]) -> None:
        clerk = UserFactory(username="clerk")
        clerk.user_permissions.add(
            Permission.objects.get(content_type__app_label="org", codename="add_employee")
        )
        clerk = User.objects.get(pk=clerk.pk)
        before = counts()
        with pytest.raises(PermissionDeniedError):
            services.employee_create(actor=clerk, roles=["gm"], **hire_kwargs(org))
        assert counts() == before


# --- employee_update -------------------------------------------------------------------------
class TestEmployeeUpdate:
    def test_change_is_audited_with_before_and_after(self, org: dict[str, Any], hr: Any) -> None:
        agent = Employee.objects.get(pk=org["agent_a1"].pk)
        services.employee_update(
            actor=hr, employee=agent, phone="13700000000", name="客服甲一改", base_points="2"
        )
        agent.refresh_from_db()
        assert agent.phone == "13700000000"
        assert agent.base_points == Decimal("2")
        assert agent.user.first_name == "客服甲一改"
        (event,) = events("employee.update", agent)
        assert event.actor_id == hr.pk
        assert event.before["phone"] == "13812345678"
        assert event.after["phone"] == "13700000000"
        assert event.before["name"] == "客服甲一"
        assert event.after["name"] == "客服甲一改"
        assert event.before["base_points"] == "1.00"
        assert event.after["base_points"] == "2.00"

    def test_roles_change_is_audited_as_role_codes(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        services.employee_update(actor=hr, employee=agent, roles=["agent", "team_lead"])
        assert set(agent.user.groups.values_list("name", flat=True)) == {"客服代表", "组长"}
        (event,) = events("employee.update", agent)
        # The same vocabulary as employee.create's snapshot, so a history reads consistently.
        assert event.before["roles"] == ["agent"]
        assert event.after["roles"] == ["agent", "team_lead"]

    @pytest.mark.parametrize(
        "changes",
        [
            {"phone": "13812345678"},
            {"base_points": "1"},
            {"base_points": Decimal("1.0")},
            {"monthly_bonus": 1000},
            {"name": " 客服甲一 "},
            {"roles": ["agent"]},
        ],
    )
    def test_unchanged_values_record_nothing(
        self, org: dict[str, Any], hr: Any, changes: dict[str, Any]
    ) -> None:
        agent = Employee.objects.get(pk=org["agent_a1"].pk)
        before = counts()
        services.employee_update(actor=hr, employee=agent, **changes)
        assert counts() == before

    def test_move_to_another_team(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        services.employee_update(
            actor=hr, employee=agent, team=org["team_b"], superior=org["lead_b"]
        )
        agent.refresh_from_db()
        assert (agent.team_id, agent.superior_id) == (org["team_b"].pk, org["lead_b"].pk)

    @pytest.mark.parametrize(
        ("who", "new_superior"),
        [
            ("lead_a", "agent_a1"),  # own subordinate
            ("manager", "agent_a1"),  # a subordinate three levels down
            ("gm", "agent_b1"),  # the top of the company under an agent
            ("agent_a1", "agent_a1"),  # oneself
        ],
    )
    def test_superior_cycle_is_refused(
        self, org: dict[str, Any], hr: Any, who: str, new_superior: str
    ) -> None:
        employee = org[who]
        before, audit_before = row(employee), AuditEvent.objects.count()
        with pytest.raises(DomainError) as exc:
            services.employee_update(actor=hr, employee=employee, superior=org[new_superior])
        assert exc.value.fields == {"superior": "直接上级不能是本人或其下属"}
        assert row(employee) == before
        assert AuditEvent.objects.count() == audit_before

    def test_department_change_with_a_team_left_behind_is_refused(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        agent = org["agent_a1"]
        before = row(agent)
        with pytest.raises(DomainError) as exc:
            services.employee_update(actor=hr, employee=agent, department=org["hr_dept"])
        assert "team" in exc.value.fields
        assert row(agent) == before

    @pytest.mark.parametrize("field", ["employee_no", "status", "left_on", "user", "password"])
    def test_fields_outside_the_form_cannot_be_changed(
        self, org: dict[str, Any], hr: Any, field: str
    ) -> None:
        agent = org["agent_a1"]
        before = row(agent)
        with pytest.raises(DomainError) as exc:
            services.employee_update(actor=hr, employee=agent, **{field: "X"})
        assert exc.value.code == "employee_unknown_field"
        assert row(agent) == before

    def test_bad_phone_changes_nothing(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        before, n = row(agent), counts()
        with pytest.raises(DomainError) as exc:
            services.employee_update(actor=hr, employee=agent, phone="123", name="新名字")
        assert set(exc.value.fields) == {"phone"}
        assert row(agent) == before
        assert counts() == n

    def test_change_right_without_a_role_has_no_scope(self, org: dict[str, Any]) -> None:
        # A user-level permission without a role gives no data scope: every target is outside.
        editor = UserFactory(username="editor")
        editor.user_permissions.add(
            Permission.objects.get(content_type__app_label="org", codename="change_employee")
        )
        agent = org["agent_a1"]
        before = row(agent)
        with pytest.raises(PermissionDeniedError) as exc:
            services.employee_update(
                actor=User.objects.get(pk=editor.pk), employee=agent, name="改名"
            )
        assert "范围" in exc.value.message
        assert row(agent) == before

    def test_manage_roles_is_checked_before_anything_is_written(self, org: dict[str, Any]) -> None:
        # A 客服部经理 given change_employee (but not manage_roles) edits inside the department.
        manager = org["manager"].user
        manager.user_permissions.add(
            Permission.objects.get(content_type__app_label="org", codename="change_employee")
        )
        manager = User.objects.get(pk=manager.pk)
        agent = org["agent_a1"]
        before, n = row(agent), counts()
        with pytest.raises(PermissionDeniedError):
            services.employee_update(actor=manager, employee=agent, name="改名", roles=["gm"])
        assert row(agent) == before
        assert list(agent.user.groups.values_list("name", flat=True)) == ["客服代表"]
        assert counts() == n
        # Without roles the same manager may edit inside the department …
        services.employee_update(actor=manager, employee=agent, name="改名")
        agent.refresh_from_db()
        assert agent.name == "改名"
        # … but not outside it.
        hr_before = row(org["hr"])
        with pytest.raises(PermissionDeniedError):
            services.employee_update(actor=manager, employee=org["hr"], name="改名")
        assert row(org["hr"]) == hr_before


# --- employee_leave --------------------------------------------------------------------------
class TestEmployeeLeave:
    def test_leave_disables_login_sessions_and_tokens(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        session = Client()
        session.force_login(agent.user)
        _, raw = api_token_create(actor=agent.user, name="脚本")
        bearer = Client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        # Both work before …
        assert session.get("/org/employees/").status_code == 200
        assert session.get("/api/v1/me").status_code == 200
        assert bearer.get("/api/v1/me", **auth).status_code == 200

        services.employee_leave(
            actor=hr, employee=agent, left_on=dt.date(2025, 6, 30), reason="个人原因"
        )

        agent.refresh_from_db()
        assert agent.status == EmployeeStatus.LEFT
        assert agent.left_on == dt.date(2025, 6, 30)
        assert agent.user.is_active is False
        assert not ApiToken.objects.filter(user=agent.user, revoked_at__isnull=True).exists()
        # … and neither on the very next request.
        page = session.get("/org/employees/")
        assert page.status_code == 302
        assert page["Location"].startswith("/login/")
        assert session.get("/api/v1/me").status_code == 401
        assert bearer.get("/api/v1/me", **auth).status_code == 401
        (event,) = events("employee.leave", agent)
        assert event.before == {"status": "active", "left_on": None}
        assert event.after == {"status": "left", "left_on": "2025-06-30"}
        assert event.reason == "个人原因"

    def test_other_peoples_tokens_stay(self, org: dict[str, Any], hr: Any) -> None:
        api_token_create(actor=org["agent_a2"].user, name="别人的")
        services.employee_leave(actor=hr, employee=org["agent_a1"], left_on=dt.date(2025, 6, 30))
        assert ApiToken.objects.filter(user=org["agent_a2"].user, revoked_at__isnull=True).exists()

    def test_active_subordinates_block_it(self, org: dict[str, Any], hr: Any) -> None:
        lead = org["lead_a"]
        api_token_create(actor=lead.user, name="t")
        before, n = row(lead), counts()
        with pytest.raises(ConflictError) as exc:
            services.employee_leave(actor=hr, employee=lead, left_on=dt.date(2025, 6, 30))
        assert exc.value.code == "employee_has_subordinates"
        assert exc.value.status == 409
        assert row(lead) == before
        assert User.objects.get(pk=lead.user_id).is_active
        assert counts() == n

    def test_subordinates_who_left_do_not_block(self, org: dict[str, Any], hr: Any) -> None:
        for key in ("agent_a1", "agent_a2"):
            services.employee_leave(actor=hr, employee=org[key], left_on=dt.date(2025, 6, 1))
        services.employee_leave(actor=hr, employee=org["lead_a"], left_on=dt.date(2025, 6, 30))
        assert Employee.objects.get(pk=org["lead_a"].pk).status == EmployeeStatus.LEFT

    def test_twice_is_conflict(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        services.employee_leave(actor=hr, employee=agent, left_on=dt.date(2025, 6, 30))
        n = counts()
        with pytest.raises(ConflictError) as exc:
            services.employee_leave(actor=hr, employee=agent, left_on=dt.date(2025, 7, 1))
        assert exc.value.code == "employee_already_left"
        assert counts() == n
        assert Employee.objects.get(pk=agent.pk).left_on == dt.date(2025, 6, 30)

    def test_before_hire_date_is_refused(self, org: dict[str, Any], hr: Any) -> None:
        agent = org["agent_a1"]
        before = row(agent)
        with pytest.raises(DomainError) as exc:
            services.employee_leave(actor=hr, employee=agent, left_on=dt.date(2023, 12, 31))
        assert "left_on" in exc.value.fields
        assert row(agent) == before


# --- departments, teams, positions --------------------------------------------------------------
class TestDepartmentsAndTeams:
    def test_department_create_is_audited(self, org: dict[str, Any], hr: Any) -> None:
        department = services.department_create(
            actor=hr, name=" 技术服务部 ", code="TS", parent=org["hq"], head=org["manager"]
        )
        assert (department.name, department.parent_id) == ("技术服务部", org["hq"].pk)
        (event,) = events("department.create", department)
        assert event.after == {
            "name": "技术服务部",
            "code": "TS",
            "parent": org["hq"].pk,
            "head": org["manager"].pk,
            "sort_order": 0,
        }

    @pytest.mark.parametrize(
        ("kwargs", "exc_type", "field"),
        [
            ({"name": "", "code": "X1"}, DomainError, "name"),
            ({"name": "新部门", "code": " "}, DomainError, "code"),
            ({"name": "新部门", "code": "CS"}, ConflictError, "code"),
            ({"name": "客服部", "code": "CS2"}, ConflictError, "name"),  # sibling under 总部
            ({"name": "名" * 61, "code": "X2"}, DomainError, "name"),
            ({"name": "新部门", "code": "C" * 31}, DomainError, "code"),
        ],
    )
    def test_department_create_refusals(
        self,
        org: dict[str, Any],
        hr: Any,
        kwargs: dict[str, str],
        exc_type: type[DomainError],
        field: str,
    ) -> None:
        n = counts()
        with pytest.raises(exc_type) as exc:
            services.department_create(actor=hr, parent=org["hq"], **kwargs)
        assert field in exc.value.fields
        assert counts() == n

    def test_same_name_under_another_parent_is_fine(self, org: dict[str, Any], hr: Any) -> None:
        twin = services.department_create(actor=hr, name="客服部", code="CS-IT", parent=org["it"])
        assert (twin.name, twin.parent_id) == ("客服部", org["it"].pk)
        assert Department.objects.filter(name="客服部").count() == 2

    def test_department_update_is_audited(self, org: dict[str, Any], hr: Any) -> None:
        cs = org["cs"]
        services.department_update(actor=hr, department=cs, name="营运部客服", sort_order=3)
        cs.refresh_from_db()
        assert (cs.name, cs.sort_order) == ("营运部客服", 3)
        (event,) = events("department.update", cs)
        assert event.before["name"] == "客服部"
        assert event.after["name"] == "营运部客服"
        assert event.after["sort_order"] == 3

    @pytest.mark.parametrize(("dept", "parent"), [("cs", "cs"), ("cs", "cs_sub"), ("hq", "cs_sub")])
    def test_department_cycle_is_refused(
        self, org: dict[str, Any], hr: Any, dept: str, parent: str
    ) -> None:
        before, n = row(org[dept]), counts()
        with pytest.raises(DomainError) as exc:
            services.department_update(actor=hr, department=org[dept], parent=org[parent])
        assert exc.value.code == "department_cycle"
        assert "parent" in exc.value.fields
        assert row(org[dept]) == before
        assert counts() == n

    def test_department_move_elsewhere_is_fine(self, org: dict[str, Any], hr: Any) -> None:
        services.department_update(actor=hr, department=org["cs_sub"], parent=org["hq"])
        assert Department.objects.get(pk=org["cs_sub"].pk).parent_id == org["hq"].pk

    @pytest.mark.parametrize(
        ("changes", "exc_type", "field"),
        [
            ({"code": "HR"}, ConflictError, "code"),
            ({"name": "行政人事部"}, ConflictError, "name"),  # sibling under 总部
            ({"name": "  "}, DomainError, "name"),
            ({"code": ""}, DomainError, "code"),
            ({"name": "名" * 61}, DomainError, "name"),
            ({"sort_order": -1}, DomainError, "sort_order"),
        ],
    )
    def test_department_update_refusals_change_nothing(
        self,
        org: dict[str, Any],
        hr: Any,
        changes: dict[str, Any],
        exc_type: type[DomainError],
        field: str,
    ) -> None:
        cs = org["cs"]
        before, n = row(cs), counts()
        with pytest.raises(exc_type) as exc:
            services.department_update(actor=hr, department=cs, **changes)
        assert field in exc.value.fields
        assert row(cs) == before
        assert counts() == n

    def test_department_update_unknown_field(self, org: dict[str, Any], hr: Any) -> None:
        with pytest.raises(DomainError) as exc:
            services.department_update(actor=hr, department=org["cs"], id=999)
        assert exc.value.code == "department_unknown_field"

    def test_team_create_is_audited(self, org: dict[str, Any], hr: Any) -> None:
        team = services.team_create(
            actor=hr, department=org["cs"], name=" 回访组 ", leader=org["agent_a2"]
        )
        assert (team.name, team.leader_id) == ("回访组", org["agent_a2"].pk)
        (event,) = events("team.create", team)
        assert event.after == {
            "department": org["cs"].pk,
            "name": "回访组",
            "leader": org["agent_a2"].pk,
        }

    @pytest.mark.parametrize(
        ("name", "exc_type"),
        [("", DomainError), ("售前组", ConflictError), ("组" * 61, DomainError)],
    )
    def test_team_create_refusals(
        self, org: dict[str, Any], hr: Any, name: str, exc_type: type[DomainError]
    ) -> None:
        n = counts()
        with pytest.raises(exc_type) as exc:
            services.team_create(actor=hr, department=org["cs"], name=name)
        assert "name" in exc.value.fields
        assert counts() == n

    def test_same_team_name_in_another_department_is_fine(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        assert services.team_create(actor=hr, department=org["hr_dept"], name="售前组").pk

    def test_team_rename_keeps_its_leader(self, org: dict[str, Any], hr: Any) -> None:
        team = org["team_a"]
        team.leader = org["lead_a"]
        team.save()
        services.team_update(actor=hr, team=team, name="售前一组")
        team = Team.objects.get(pk=team.pk)
        assert (team.name, team.leader_id) == ("售前一组", org["lead_a"].pk)
        services.team_update(actor=hr, team=team, leader=org["agent_a1"])
        assert Team.objects.get(pk=team.pk).leader_id == org["agent_a1"].pk
        services.team_update(actor=hr, team=team, leader=None)
        assert Team.objects.get(pk=team.pk).leader_id is None
        (first, *_) = events("team.update", team)
        assert first.before == {"name": "售前组", "leader": org["lead_a"].pk}
        assert first.after == {"name": "售前一组", "leader": org["lead_a"].pk}

    @pytest.mark.parametrize("name", ["售后组", "  "])
    def test_team_update_refusals(self, org: dict[str, Any], hr: Any, name: str) -> None:
        team = org["team_a"]
        before, n = row(team), counts()
        with pytest.raises(DomainError) as exc:
            services.team_update(actor=hr, team=team, name=name)
        assert "name" in exc.value.fields
        assert row(team) == before
        assert counts() == n

    def test_position_create(self, org: dict[str, Any], hr: Any) -> None:
        position = services.position_create(actor=hr, name="副部长", level="department_head")
        assert position.level == "department_head"
        assert events("position.create", position)[0].after == {
            "name": "副部长",
            "level": "department_head",
        }

    @pytest.mark.parametrize(
        ("name", "level", "exc_type"),
        [
            ("考勤员", "boss", DomainError),
            ("", "agent", DomainError),
            ("组长", "team_lead", ConflictError),
        ],
    )
    def test_position_create_refusals(
        self, org: dict[str, Any], hr: Any, name: str, level: str, exc_type: type[DomainError]
    ) -> None:
        n = counts()
        with pytest.raises(exc_type):
            services.position_create(actor=hr, name=name, level=level)
        assert counts() == n


# --- permissions -----------------------------------------------------------------------------
def _calls(org: dict[str, Any]) -> dict[str, Callable[[Any], Any]]:
    return {
        "employee_create": lambda actor: services.employee_create(actor=actor, **hire_kwargs(org)),
        "employee_update": lambda actor: services.employee_update(
            actor=actor, employee=org["agent_a1"], name="改名"
        ),
        "employee_update_self": lambda actor: services.employee_update(
            actor=actor, employee=Employee.objects.get(user=actor), phone="13700000000"
        ),
        "employee_leave": lambda actor: services.employee_leave(
            actor=actor, employee=org["agent_a2"], left_on=dt.date(2025, 6, 30)
        ),
        "employee_set_password": lambda actor: services.employee_set_password(
            actor=actor, employee=org["agent_a1"], password="Very-new-pass-2025"
        ),
        "department_create": lambda actor: services.department_create(
            actor=actor, name="新部门", code="NEW"
        ),
        "department_update": lambda actor: services.department_update(
            actor=actor, department=org["cs"], name="改名部"
        ),
        "team_create": lambda actor: services.team_create(
            actor=actor, department=org["cs"], name="新班组"
        ),
        "team_update": lambda actor: services.team_update(
            actor=actor, team=org["team_a"], name="改"
        ),
        "position_create": lambda actor: services.position_create(
            actor=actor, name="新职位", level="agent"
        ),
    }


def _snapshot(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "counts": counts(),
        "agent_a1": row(org["agent_a1"]),
        "agent_a1_user": row(org["agent_a1"].user),
        "agent_a2": row(org["agent_a2"]),
        "cs": row(org["cs"]),
        "team_a": row(org["team_a"]),
        "last_audit": AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first(),
    }


SERVICES = list(_calls({}).keys())


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("who", ["agent_a1", "lead_a", "supervisor", "manager", "gm", "warehouse"])
def test_refused_roles_change_nothing(org: dict[str, Any], who: str, service: str) -> None:
    actor = User.objects.get(pk=org[who].user_id)
    before = _snapshot(org)
    with pytest.raises(PermissionDeniedError) as exc:
        _calls(org)[service](actor)
    assert exc.value.status == 403
    assert _snapshot(org) == before


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "employee_update_self"])
def test_anonymous_is_refused(org: dict[str, Any], service: str) -> None:
    before = _snapshot(org)
    with pytest.raises(PermissionDeniedError):
        _calls(org)[service](AnonymousUser())
    with pytest.raises(PermissionDeniedError):
        _calls(org)[service](None)
    assert _snapshot(org) == before


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "employee_update_self"])
@pytest.mark.parametrize("who", ["hr", "sysadmin"])
def test_allowed_roles_succeed(org: dict[str, Any], who: str, service: str) -> None:
    actor = User.objects.get(pk=org[who].user_id)
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    _calls(org)[service](actor)
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest.seq == last_seq + 1
    assert newest.actor_id == actor.pk


def test_set_password_is_audited_without_the_password(org: dict[str, Any], hr: Any) -> None:
    agent = org["agent_a1"]
    services.employee_set_password(actor=hr, employee=agent, password="Very-new-pass-2025")
    assert User.objects.get(pk=agent.user_id).check_password("Very-new-pass-2025")
    (event,) = events("employee.password_reset", agent)
    assert "Very-new-pass-2025" not in str(event.before) + str(event.after) + event.reason


def test_weak_password_is_refused(org: dict[str, Any], hr: Any) -> None:
    agent = org["agent_a1"]
    before = row(agent.user)
    with pytest.raises(DomainError) as exc:
        services.employee_set_password(actor=hr, employee=agent, password="123")
    assert "password" in exc.value.fields
    assert row(agent.user) == before


def test_hiring_into_a_team_leaves_its_members_alone(org: dict[str, Any], hr: Any) -> None:
    before = [row(org[k]) for k in ("agent_a1", "agent_a2", "lead_a")]
    services.employee_create(actor=hr, **hire_kwargs(org))
    assert [row(org[k]) for k in ("agent_a1", "agent_a2", "lead_a")] == before


class TestLeadersAndRoles:
    """A department head or team leader is replaced before leaving; every login has a role."""

    def test_team_leader_cannot_leave_until_replaced(self, org: dict[str, Any], hr: Any) -> None:
        lead = org["lead_a"]
        org["team_a"].leader = lead
        org["team_a"].save()
        for member in Employee.objects.filter(superior=lead):
            member.superior = org["supervisor"]
            member.save()
        before = counts()

        with pytest.raises(ConflictError) as exc:
            services.employee_leave(actor=hr, employee=lead, left_on=dt.date(2025, 6, 30))

        assert exc.value.code == "employee_still_heads"
        assert "售前组组长" in exc.value.message
        lead.refresh_from_db()
        assert lead.status == EmployeeStatus.ACTIVE and lead.user.is_active
        assert counts() == before

        services.team_update(actor=hr, team=org["team_a"], leader=org["agent_a2"])
        services.employee_leave(actor=hr, employee=lead, left_on=dt.date(2025, 6, 30))
        lead.refresh_from_db()
        assert lead.status == EmployeeStatus.LEFT

    def test_department_head_cannot_leave_until_replaced(
        self, org: dict[str, Any], hr: Any
    ) -> None:
        head = org["after_sales"]
        services.department_update(actor=hr, department=org["cs_sub"], head=head)

        with pytest.raises(ConflictError) as exc:
            services.employee_leave(actor=hr, employee=head, left_on=dt.date(2025, 6, 30))

        assert exc.value.fields == {"left_on": "仍是售后服务组负责人"}
        head.refresh_from_db()
        assert head.status == EmployeeStatus.ACTIVE

    def test_an_employee_needs_at_least_one_role(self, org: dict[str, Any], hr: Any) -> None:
        before = counts()
        with pytest.raises(DomainError) as exc:
            services.employee_create(actor=hr, roles=[], **hire_kwargs(org))
        assert exc.value.code == "role_required"
        assert exc.value.fields == {"roles": "请至少选择一个角色"}
        assert counts() == before

        agent = org["agent_a1"]
        with pytest.raises(DomainError):
            services.employee_update(actor=hr, employee=agent, roles=[])
        assert sorted(agent.user.groups.values_list("name", flat=True)) == ["客服代表"]


def test_admin_site_access_follows_the_sysadmin_role(org: dict[str, Any], hr: Any) -> None:
    employee = services.employee_create(actor=hr, roles=["sysadmin"], **hire_kwargs(org))
    assert employee.user.is_staff
    services.employee_update(actor=hr, employee=employee, roles=["agent"])
    employee.user.refresh_from_db()
    assert not employee.user.is_staff
    event = AuditEvent.objects.filter(action="employee.update", object_id=str(employee.pk)).last()
    assert event.before["roles"] == ["sysadmin"] and event.after["roles"] == ["agent"]
