"""Organisation API — 组织接口 at /api/v1/org/ through the HTTP client (ORG-1..5).

Every write is tried by refused roles (the test asserts nothing changed: counts, field values and
the audit trail), bad input must answer 422 ``{code, message, fields}`` and never 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.core.tokens import api_token_create
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Department, Employee, Position, Team
from kefu.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
BASE = "/api/v1/org"


def state() -> dict[str, Any]:
    """Everything a refused write could have touched."""
    return {
        "employees": list(Employee.objects.order_by("pk").values()),
        "departments": list(Department.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "positions": Position.objects.count(),
        "users": list(User.objects.order_by("pk").values("pk", "username", "is_active")),
        "audit": AuditEvent.objects.count(),
    }


def post(client: Client, path: str, data: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(path, json.dumps(data), content_type="application/json")


def new_employee(org: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {
        "employee_no": "KF099",
        "name": "新员工",
        "hire_date": "2025-03-01",
        "department_id": org["cs"].pk,
        "position_id": org["agent_position"].pk,
        "team_id": org["team_a"].pk,
        "superior_id": org["lead_a"].pk,
        "phone": "13900001111",
        "id_number": "11010119900307123X",
        "speciality": "presales",
        "base_points": "1.5",
        "monthly_bonus": "800",
        "roles": ["agent"],
    }
    body.update(over)
    return body


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "message", "fields"}
    assert data["message"]
    if code:
        assert data["code"] == code
    return data


# --- list and detail ----------------------------------------------------------------------------
class TestList:
    def test_list_shape_and_order(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        data = client_for(hr).get(f"{BASE}/employees").json()
        assert (data["count"], data["page"], data["page_size"]) == (13, 1, 20)
        numbers = [i["employee_no"] for i in data["items"]]
        assert numbers == sorted(numbers)
        first = next(i for i in data["items"] if i["employee_no"] == "KF011")
        assert first["department"] == {"id": org["cs"].pk, "name": "客服部"}
        assert first["team"] == {"id": org["team_a"].pk, "name": "售前组"}
        assert first["superior"] == {"id": org["lead_a"].pk, "name": "组长甲"}
        assert first["position"]["name"] == "客服代表"
        assert first["status"] == "active"
        assert first["left_on"] is None

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "KF01"}, {"KF010", "KF011", "KF012"}),
            ({"q": "客服乙"}, {"KF021"}),
            ({"q": "13812345678"}, {"KF011"}),
            ({"q": "  KF021  "}, {"KF021"}),
            ({"team_id": "team_b"}, {"KF020", "KF021"}),
            ({"department_id": "cs_sub"}, {"AS001"}),
            ({"department_id": "hr_dept"}, {"HR001"}),
            ({"position_id": "agent_position"}, {"KF011", "KF012", "KF021", "AS001"}),
            ({"q": "nobody-has-this"}, set()),
        ],
    )
    def test_filters(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        params: dict[str, str],
        expected: set[str],
    ) -> None:
        resolved = {k: (org[v].pk if v in org else v) for k, v in params.items()}
        data = client_for(hr).get(f"{BASE}/employees", resolved).json()
        assert {i["employee_no"] for i in data["items"]} == expected
        assert data["count"] == len(expected)

    def test_department_filter_includes_sub_departments(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        data = client_for(hr).get(f"{BASE}/employees", {"department_id": org["cs"].pk}).json()
        assert data["count"] == 8
        assert "AS001" in {i["employee_no"] for i in data["items"]}

    def test_status_filter(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        client = client_for(hr)
        response = post(
            client, f"{BASE}/employees/{org['agent_a2'].pk}/leave", {"left_on": "2025-06-30"}
        )
        assert response.status_code == 200
        left = client.get(f"{BASE}/employees", {"status": "left"}).json()
        active = client.get(f"{BASE}/employees", {"status": "active"}).json()
        assert [i["employee_no"] for i in left["items"]] == ["KF012"]
        assert active["count"] == 12
        assert client.get(f"{BASE}/employees", {"status": "bogus"}).json()["count"] == 0

    def test_pagination(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        EmployeeFactory.create_batch(40, department=org["cs"], team=org["team_a"])
        client = client_for(hr)
        first = client.get(f"{BASE}/employees").json()
        assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (
            53,
            1,
            20,
            20,
        )
        third = client.get(f"{BASE}/employees", {"page": 3}).json()
        assert (third["page"], len(third["items"])) == (3, 13)
        fifty = client.get(f"{BASE}/employees", {"page_size": 50, "page": 2}).json()
        assert (fifty["page_size"], fifty["page"], len(fifty["items"])) == (50, 2, 3)
        hundred = client.get(f"{BASE}/employees", {"page_size": 100}).json()
        assert len(hundred["items"]) == 53
        # Pages cover every row exactly once.
        seen = [
            i["id"]
            for p in (1, 2, 3)
            for i in client.get(f"{BASE}/employees", {"page": p}).json()["items"]
        ]
        assert len(seen) == len(set(seen)) == 53
        # Odd sizes fall back to 20, pages past the end clamp to the last one.
        odd = client.get(f"{BASE}/employees", {"page_size": 7}).json()
        assert (odd["page_size"], len(odd["items"])) == (20, 20)
        beyond = client.get(f"{BASE}/employees", {"page": 99}).json()
        assert (beyond["page"], len(beyond["items"])) == (3, 13)

    @pytest.mark.parametrize(
        "params",
        [{"page": 0}, {"page": "x"}, {"page_size": "many"}, {"department_id": "abc"}],
    )
    def test_bad_query_is_422(
        self, org: dict[str, Any], client_for: Any, hr: Any, params: dict[str, Any]
    ) -> None:
        assert_error(client_for(hr).get(f"{BASE}/employees", params), 422, "invalid")

    def test_empty_page_for_filter_without_match(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        data = client_for(hr).get(f"{BASE}/employees", {"q": "zzz"}).json()
        assert data == {"count": 0, "page": 1, "page_size": 20, "items": []}

    def test_detail(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        data = client_for(hr).get(f"{BASE}/employees/{org['agent_a1'].pk}").json()
        assert data["employee_no"] == "KF011"
        assert data["name"] == "客服甲一"
        assert data["hire_date"] == "2024-01-02"

    def test_detail_missing_is_404(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        assert_error(client_for(hr).get(f"{BASE}/employees/999999"), 404, "not_found")

    def test_other_lists(self, org: dict[str, Any], client_for: Any, agent: Any) -> None:
        client = client_for(agent)
        departments = client.get(f"{BASE}/departments").json()
        assert {d["code"] for d in departments} == {"HQ", "CS", "AS", "HR", "IT"}
        cs = next(d for d in departments if d["code"] == "CS")
        assert cs["parent_id"] == org["hq"].pk
        teams = client.get(f"{BASE}/teams", {"department_id": org["cs"].pk}).json()
        assert {t["name"] for t in teams} == {"售前组", "售后组"}
        assert client.get(f"{BASE}/teams", {"department_id": org["hr_dept"].pk}).json() == []
        positions = client.get(f"{BASE}/positions").json()
        assert {"name": "总经理", "level": "gm"} in [
            {"name": p["name"], "level": p["level"]} for p in positions
        ]


class TestMasking:
    def test_agent_sees_own_phone_masked(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        client = client_for(agent)
        detail = client.get(f"{BASE}/employees/{org['agent_a1'].pk}").json()
        assert detail["phone"] == "138****5678"
        assert detail["id_number"] == "110***********1234"
        listed = client.get(f"{BASE}/employees").json()["items"]
        assert [i["phone"] for i in listed] == ["138****5678"]

    def test_supervisor_sees_full_phone(
        self, org: dict[str, Any], client_for: Any, supervisor: Any
    ) -> None:
        client = client_for(supervisor)
        detail = client.get(f"{BASE}/employees/{org['agent_a1'].pk}").json()
        assert detail["phone"] == "13812345678"
        assert detail["id_number"] == "110101199003071234"
        listed = client.get(f"{BASE}/employees", {"q": "KF011"}).json()["items"]
        assert listed[0]["phone"] == "13812345678"

    def test_team_lead_sees_masked_phones_of_the_team(
        self, org: dict[str, Any], client_for: Any
    ) -> None:
        listed = client_for(org["lead_a"].user).get(f"{BASE}/employees").json()["items"]
        assert all("*" in i["phone"] for i in listed)
        assert "13812345678" not in json.dumps(listed)


# --- create ----------------------------------------------------------------------------------
class TestCreate:
    def test_create(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        audit_before = AuditEvent.objects.count()
        response = post(client_for(hr), f"{BASE}/employees", new_employee(org))
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["employee_no"] == "KF099"
        assert data["phone"] == "13900001111"  # HR may see personal data in full
        assert data["team"]["name"] == "售前组"
        assert data["base_points"] == "1.50"
        employee = Employee.objects.get(pk=data["id"])
        assert employee.user.username == "KF099"
        assert list(employee.user.groups.values_list("name", flat=True)) == ["客服代表"]
        assert AuditEvent.objects.count() == audit_before + 1
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.action, event.object_id) == ("employee.create", str(employee.pk))

    def test_create_with_token(self, org: dict[str, Any], hr: Any) -> None:
        _, raw = api_token_create(actor=hr, name="HR系统")
        response = Client().post(
            f"{BASE}/employees",
            json.dumps(new_employee(org)),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 201
        assert Employee.objects.filter(employee_no="KF099").exists()

    def test_duplicate_is_409(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        before = state()
        data = assert_error(
            post(client_for(hr), f"{BASE}/employees", new_employee(org, employee_no="KF011")),
            409,
            "employee_no_taken",
        )
        assert "employee_no" in data["fields"]
        assert state() == before

    @pytest.mark.parametrize(
        ("over", "field", "code"),
        [
            ({"phone": "12345"}, "phone", "employee_invalid"),
            ({"id_number": "123"}, "id_number", "employee_invalid"),
            ({"speciality": "magic"}, "speciality", "employee_invalid"),
            ({"employee_no": "含中文"}, "employee_no", "employee_invalid"),
            ({"base_points": "-1"}, "base_points", "employee_invalid"),
            ({"base_points": "123456789"}, "base_points", "employee_invalid"),
            ({"monthly_bonus": "1E+30"}, "monthly_bonus", "employee_invalid"),
            ({"base_points": "1.005"}, "base_points", "employee_invalid"),
            ({"department_id": 999999}, "department_id", "department_id_not_found"),
            ({"position_id": 999999}, "position_id", "position_id_not_found"),
            ({"team_id": 999999}, "team_id", "team_id_not_found"),
            ({"superior_id": 999999}, "superior_id", "superior_id_not_found"),
            ({"roles": ["boss"]}, "roles", "role_unknown"),
            ({"employee_no": ""}, "employee_no", "invalid"),
            ({"name": ""}, "name", "invalid"),
            ({"name": "名" * 41}, "name", "invalid"),
            ({"employee_no": "K" * 21}, "employee_no", "invalid"),
            ({"hire_date": "2025-02-30"}, "hire_date", "invalid"),
            ({"hire_date": "not a date"}, "hire_date", "invalid"),
            ({"hire_date": None}, "hire_date", "invalid"),
            ({"base_points": "abc"}, "base_points", "invalid"),
            ({"department_id": "abc"}, "department_id", "invalid"),
            ({"roles": "agent"}, "roles", "invalid"),
        ],
    )
    def test_bad_input_is_422_with_fields(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        over: dict[str, Any],
        field: str,
        code: str,
    ) -> None:
        before = state()
        data = assert_error(
            post(client_for(hr), f"{BASE}/employees", new_employee(org, **over)), 422, code
        )
        assert field in data["fields"], data
        assert state() == before

    def test_team_not_in_department_is_422(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        before = state()
        body = new_employee(org, department_id=org["hr_dept"].pk, superior_id=org["hr"].pk)
        data = assert_error(post(client_for(hr), f"{BASE}/employees", body), 422)
        assert data["fields"] == {"team": "班组不属于所选部门"}
        assert state() == before

    def test_missing_fields_are_all_listed(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        data = assert_error(post(client_for(hr), f"{BASE}/employees", {}), 422, "invalid")
        assert {"employee_no", "name", "hire_date", "department_id", "position_id"} <= set(
            data["fields"]
        )

    @pytest.mark.parametrize("body", ["{not json", "[]", '"text"', ""])
    def test_malformed_body_is_a_client_error(
        self, org: dict[str, Any], client_for: Any, hr: Any, body: str
    ) -> None:
        before = state()
        response = client_for(hr).post(f"{BASE}/employees", body, content_type="application/json")
        assert response.status_code in (400, 422)
        assert state() == before


# --- update and leave --------------------------------------------------------------------------
class TestUpdateAndLeave:
    def test_patch_changes_only_what_is_sent(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        agent = org["agent_a1"]
        response = patch(
            client_for(hr), f"{BASE}/employees/{agent.pk}", {"phone": "13700000000", "name": "改名"}
        )
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["phone"], data["name"]) == ("13700000000", "改名")
        fresh = Employee.objects.get(pk=agent.pk)
        assert (fresh.phone, fresh.name, fresh.team_id) == ("13700000000", "改名", org["team_a"].pk)
        event = AuditEvent.objects.order_by("-seq").first()
        assert event.action == "employee.update"
        assert (event.before["phone"], event.after["phone"]) == ("13812345678", "13700000000")

    def test_patch_team_and_superior_and_clear_team(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        client = client_for(hr)
        agent = org["agent_a1"]
        data = patch(
            client,
            f"{BASE}/employees/{agent.pk}",
            {"team_id": org["team_b"].pk, "superior_id": org["lead_b"].pk},
        ).json()
        assert (data["team"]["id"], data["superior"]["id"]) == (org["team_b"].pk, org["lead_b"].pk)
        data = patch(client, f"{BASE}/employees/{agent.pk}", {"team_id": None}).json()
        assert data["team"] is None
        assert Employee.objects.get(pk=agent.pk).team_id is None

    def test_patch_roles(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        agent = org["agent_a1"]
        response = patch(client_for(hr), f"{BASE}/employees/{agent.pk}", {"roles": ["team_lead"]})
        assert response.status_code == 200
        assert list(agent.user.groups.values_list("name", flat=True)) == ["组长"]

    @pytest.mark.parametrize(
        ("body", "status", "field"),
        [
            ({"phone": "abc"}, 422, "phone"),
            ({"department_id": None}, 422, "department"),
            ({"department_id": 999999}, 422, "department_id"),
            ({"superior_id": "self"}, 422, "superior"),
            ({"name": ""}, 422, "name"),
            ({"hire_date": "yesterday"}, 422, "hire_date"),
            ({"roles": ["boss"]}, 422, "roles"),
        ],
    )
    def test_bad_patch_changes_nothing(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        body: dict[str, Any],
        status: int,
        field: str,
    ) -> None:
        agent = org["agent_a1"]
        if body.get("superior_id") == "self":
            body = {"superior_id": agent.pk}
        before = state()
        data = assert_error(patch(client_for(hr), f"{BASE}/employees/{agent.pk}", body), status)
        assert field in data["fields"], data
        assert state() == before

    def test_patch_missing_is_404(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        assert_error(patch(client_for(hr), f"{BASE}/employees/999999", {"name": "x"}), 404)

    def test_leave(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        agent = org["agent_a2"]
        response = post(
            client_for(hr),
            f"{BASE}/employees/{agent.pk}/leave",
            {"left_on": "2025-06-30", "reason": "个人原因"},
        )
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["status"], data["left_on"]) == ("left", "2025-06-30")
        agent.refresh_from_db()
        assert agent.status == EmployeeStatus.LEFT
        assert User.objects.get(pk=agent.user_id).is_active is False

    def test_leave_with_subordinates_is_409(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        before = state()
        assert_error(
            post(
                client_for(hr),
                f"{BASE}/employees/{org['lead_a'].pk}/leave",
                {"left_on": "2025-06-30"},
            ),
            409,
            "employee_has_subordinates",
        )
        assert state() == before

    @pytest.mark.parametrize(
        ("body", "field"), [({}, "left_on"), ({"left_on": "2020-01-01"}, "left_on")]
    )
    def test_bad_leave_is_422(
        self, org: dict[str, Any], client_for: Any, hr: Any, body: dict[str, Any], field: str
    ) -> None:
        before = state()
        data = assert_error(
            post(client_for(hr), f"{BASE}/employees/{org['agent_a2'].pk}/leave", body), 422
        )
        assert field in data["fields"]
        assert state() == before


# --- departments and teams ---------------------------------------------------------------------
class TestDepartmentsAndTeams:
    def test_department_create_and_update(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        client = client_for(hr)
        response = post(
            client,
            f"{BASE}/departments",
            {"name": "技术服务部", "code": "TS", "parent_id": org["hq"].pk},
        )
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        response = patch(client, f"{BASE}/departments/{pk}", {"name": "技术部", "sort_order": 2})
        assert response.status_code == 200
        assert response.json()["name"] == "技术部"
        assert Department.objects.get(pk=pk).sort_order == 2

    @pytest.mark.parametrize(
        ("method", "path_key", "body", "status", "field"),
        [
            ("post", None, {"name": "新部", "code": "CS"}, 409, "code"),
            ("post", None, {"name": "", "code": "X"}, 422, "name"),
            ("post", None, {"name": "新部", "code": "X", "parent_id": 999999}, 422, "parent_id"),
            ("post", None, {"name": "新部", "code": "X", "sort_order": -1}, 422, "sort_order"),
            ("patch", "cs", {"parent_id": "cs_sub"}, 422, "parent"),
            ("patch", "cs", {"name": "行政人事部"}, 409, "name"),
            ("patch", "cs", {"code": "HR"}, 409, "code"),
            ("patch", "cs", {"name": "   "}, 422, "name"),
        ],
    )
    def test_department_refusals(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        method: str,
        path_key: str | None,
        body: dict[str, Any],
        status: int,
        field: str,
    ) -> None:
        body = {k: (org[v].pk if isinstance(v, str) and v in org else v) for k, v in body.items()}
        client = client_for(hr)
        before = state()
        if method == "post":
            response = post(client, f"{BASE}/departments", body)
        else:
            response = patch(client, f"{BASE}/departments/{org[path_key].pk}", body)
        data = assert_error(response, status)
        assert field in data["fields"], data
        assert state() == before

    def test_team_create(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        client = client_for(hr)
        response = post(client, f"{BASE}/teams", {"department_id": org["cs"].pk, "name": "回访组"})
        assert response.status_code == 201
        assert response.json()["department_id"] == org["cs"].pk
        before = state()
        assert_error(
            post(client, f"{BASE}/teams", {"department_id": org["cs"].pk, "name": "回访组"}), 409
        )
        assert_error(post(client, f"{BASE}/teams", {"department_id": 999999, "name": "x"}), 422)
        assert state() == before


# --- refusals ----------------------------------------------------------------------------------
def _writes(org: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    agent = org["agent_a1"].pk
    return [
        ("post", f"{BASE}/employees", new_employee(org)),
        ("patch", f"{BASE}/employees/{agent}", {"name": "改名", "phone": "13700000000"}),
        ("patch", f"{BASE}/employees/{agent}", {"roles": ["gm"]}),
        ("post", f"{BASE}/employees/{org['agent_a2'].pk}/leave", {"left_on": "2025-06-30"}),
        ("post", f"{BASE}/departments", {"name": "新部门", "code": "NEW"}),
        (
            "post",
            f"{BASE}/departments",
            {"name": "新部门", "code": "NEW", "head_id": org["hr"].pk},
        ),
        ("patch", f"{BASE}/departments/{org['cs'].pk}", {"name": "改名部"}),
        ("post", f"{BASE}/teams", {"department_id": org["cs"].pk, "name": "新班组"}),
    ]


@pytest.mark.parametrize("who", ["agent_a1", "lead_a", "supervisor", "manager", "gm", "warehouse"])
def test_refused_roles_get_403_and_nothing_changes(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(org[who].user)
    before = state()
    for method, path, body in _writes(org):
        response = post(client, path, body) if method == "post" else patch(client, path, body)
        assert_error(response, 403, "forbidden")
    assert state() == before


def test_refused_write_on_own_record(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    before = state()
    response = patch(
        client_for(agent), f"{BASE}/employees/{org['agent_a1'].pk}", {"phone": "13700000000"}
    )
    assert_error(response, 403)
    assert state() == before


def test_no_role_is_refused_everywhere(org: dict[str, Any], client_for: Any) -> None:
    nobody = EmployeeFactory(employee_no="X001", department=org["cs"], roles=[])
    nobody.user.groups.clear()
    client = client_for(nobody.user)
    for path in ("employees", f"employees/{nobody.pk}", "departments", "teams", "positions"):
        assert_error(client.get(f"{BASE}/{path}"), 403)


def test_unauthenticated_is_401_everywhere(org: dict[str, Any]) -> None:
    client = Client()
    before = state()
    reads = ["employees", f"employees/{org['agent_a1'].pk}", "departments", "teams", "positions"]
    for path in reads:
        assert_error(client.get(f"{BASE}/{path}"), 401, "unauthenticated")
    for method, path, body in _writes(org):
        response = post(client, path, body) if method == "post" else patch(client, path, body)
        assert_error(response, 401, "unauthenticated")
    assert_error(client.get("/api/v1/me"), 401)
    bad_token = {"HTTP_AUTHORIZATION": "Bearer kefu_not-a-real-token"}
    assert_error(client.get(f"{BASE}/employees", **bad_token), 401)
    assert state() == before


def test_revoked_token_is_401(org: dict[str, Any], hr: Any) -> None:
    from kefu.core.tokens import api_token_revoke

    token, raw = api_token_create(actor=hr, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get(f"{BASE}/employees", **auth).status_code == 200
    api_token_revoke(actor=hr, token=token)
    assert_error(Client().get(f"{BASE}/employees", **auth), 401)


# --- query counts ------------------------------------------------------------------------------
def _count_list_queries(client: Client, params: dict[str, Any]) -> int:
    # Measure a steady request: a session's first one stores its activity time, the second reads
    # (and caches) the security policy; neither depends on the number of employees.
    client.get(f"{BASE}/employees", params)
    client.get(f"{BASE}/employees", params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{BASE}/employees", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["hr", "supervisor", "lead_a", "agent_a1"])
def test_list_query_count_is_bounded(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any, who: str
) -> None:
    client = client_for(org[who].user)
    EmployeeFactory.create_batch(30, department=org["cs"], team=org["team_a"])
    for _ in range(2):  # warm up the session's activity time and the cached security policy
        client.get("/api/v1/me")
    with django_assert_max_num_queries(10):
        response = client.get(f"{BASE}/employees", {"page_size": 100})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["hr", "supervisor"])
def test_list_query_count_does_not_grow_with_employees(
    org: dict[str, Any], client_for: Any, who: str
) -> None:
    client = client_for(org[who].user)
    params = {"page_size": 100}
    EmployeeFactory.create_batch(
        5, department=org["cs"], team=org["team_a"], superior=org["lead_a"]
    )
    small = _count_list_queries(client, params)
    EmployeeFactory.create_batch(
        50, department=org["cs_sub"], team=None, superior=org["after_sales"]
    )
    large = _count_list_queries(client, params)
    assert client.get(f"{BASE}/employees", params).json()["count"] >= 60
    assert large == small


def test_detail_query_count_is_bounded(
    org: dict[str, Any], client_for: Any, hr: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(hr)
    for _ in range(2):  # warm up the session's activity time and the cached security policy
        client.get("/api/v1/me")
    with django_assert_max_num_queries(10):
        assert client.get(f"{BASE}/employees/{org['agent_a1'].pk}").status_code == 200
