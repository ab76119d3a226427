"""Organisation pages — 组织架构与员工档案: list (htmx), detail, forms, leave, org chart, reveal."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.org import selectors, services
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee
from kefu.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
LIST = "/org/employees/"
HTMX = {"HX-Request": "true", "HX-Target": "employee-table"}


def html(response: Any) -> str:
    return response.content.decode()


def table_rows(response: Any) -> list[str]:
    """工号 of every row in the employee table."""
    return [e.employee_no for e in response.context["page"].object_list]


def field_block(body: str, name: str) -> str:
    """The HTML of one form field's wrapper (label, input and its errors)."""
    match = re.search(
        rf'<div class="field[^"]*">\s*<label for="id_{name}">.*?</div>\s*(?=<div class="field|</div>\s*<div class="form-actions)',
        body,
        re.S,
    )
    assert match, f"field {name} not found"
    return match.group(0)


def form_data(org: dict[str, Any], **over: Any) -> dict[str, Any]:
    data = {
        "employee_no": "KF099",
        "name": "新员工",
        "phone": "13900001111",
        "id_number": "",
        "hire_date": "2025-03-01",
        "department": org["cs"].pk,
        "team": org["team_a"].pk,
        "superior_no": org["lead_a"].employee_no,
        "position": org["agent_position"].pk,
        "speciality": "presales",
        "base_points": "1",
        "monthly_bonus": "800",
        "roles": ["agent"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# --- list ------------------------------------------------------------------------------------
class TestList:
    def test_full_page_has_filters_and_table(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        response = client_for(hr).get(LIST)
        body = html(response)
        assert response.status_code == 200
        assert "<html" in body
        assert "员工档案" in body
        assert 'class="filters"' in body
        assert 'id="employee-table"' in body
        assert 'data-testid="employee-table"' in body
        assert "新增" in body  # HR may add
        assert len(table_rows(response)) == 13

    def test_htmx_request_returns_only_the_table(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        response = client_for(hr).get(LIST, {"q": "KF01"}, headers=HTMX)
        body = html(response)
        assert response.status_code == 200
        assert "<html" not in body
        assert 'class="filters"' not in body
        assert "<nav" not in body
        assert 'data-testid="employee-table"' in body
        assert table_rows(response) == ["KF010", "KF011", "KF012"]
        assert "KF021" not in body

    def test_htmx_request_for_another_target_gets_the_page(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        response = client_for(hr).get(LIST, headers={"HX-Request": "true", "HX-Target": "main"})
        assert "<html" in html(response)

    def test_filters_are_in_the_url_and_kept_in_the_form_and_pager(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        EmployeeFactory.create_batch(25, department=org["cs"], team=org["team_b"])
        params = {
            "department": org["cs"].pk,
            "team": org["team_b"].pk,
            "status": "active",
            "q": "E",
        }
        response = client_for(hr).get(LIST, params)
        body = html(response)
        assert response.context["page"].paginator.count == 25
        assert all(e.team_id == org["team_b"].pk for e in response.context["page"].object_list)
        assert 'name="q" value="E"' in body
        assert f'<option value="{org["cs"].pk}" selected>' in body
        assert '<option value="active" selected>' in body
        # The pager's next link carries every filter, so paging keeps them.
        nxt = re.search(r'href="(/org/employees/\?[^"]*page=2[^"]*)"', body)
        assert nxt, body
        link = nxt.group(1).replace("&amp;", "&")
        assert f"department={org['cs'].pk}" in link
        assert f"team={org['team_b'].pk}" in link
        assert "status=active" in link
        assert "q=E" in link
        second = client_for(hr).get(link)
        assert len(table_rows(second)) == 5

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "客服乙"}, ["KF021"]),
            ({"q": "13812345678"}, ["KF011"]),
            ({"status": "left"}, []),
            ({"status": "bogus"}, None),  # ignored: everything
            ({"department": "abc"}, None),  # ignored: everything
        ],
    )
    def test_filter_values(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        params: dict[str, str],
        expected: list[str] | None,
    ) -> None:
        response = client_for(hr).get(LIST, params)
        assert response.status_code == 200
        rows = table_rows(response)
        if expected is None:
            assert len(rows) == 13
        else:
            assert rows == expected

    def test_empty_result_says_so_in_chinese(
        self, org: dict[str, Any], client_for: Any, supervisor: Any
    ) -> None:
        body = html(client_for(supervisor).get(LIST, {"q": "不存在的人"}, headers=HTMX))
        assert "没有符合条件的员工" in body

    @pytest.mark.parametrize(("size", "rows"), [(None, 20), (20, 20), (50, 50), (100, 73), (7, 20)])
    def test_page_sizes(
        self, org: dict[str, Any], client_for: Any, hr: Any, size: int | None, rows: int
    ) -> None:
        EmployeeFactory.create_batch(60, department=org["cs"])
        params = {"page_size": size} if size else {}
        response = client_for(hr).get(LIST, params, headers=HTMX)
        assert len(table_rows(response)) == rows
        body = html(response)
        assert "共 73 条" in body
        assert "每页" in body

    def test_agent_sees_masked_phone_supervisor_full(
        self, org: dict[str, Any], client_for: Any, agent: Any, supervisor: Any
    ) -> None:
        assert "138****5678" in html(client_for(agent).get(LIST))
        assert "13812345678" not in html(client_for(agent).get(LIST))
        assert "13812345678" in html(client_for(supervisor).get(LIST))

    def test_agent_has_no_add_or_edit_links(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        body = html(client_for(agent).get(LIST))
        assert "/org/employees/new/" not in body
        assert "/edit/" not in body

    def test_query_count_is_bounded_and_does_not_grow(
        self, org: dict[str, Any], client_for: Any, hr: Any, django_assert_max_num_queries: Any
    ) -> None:
        client = client_for(hr)
        # Warm up: the session's first request stores its activity time, the second one reads
        # (and caches) the security policy; neither depends on the number of employees.
        client.get(LIST)
        client.get(LIST)

        def measure() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(LIST, {"page_size": 100}).status_code == 200
            return len(ctx.captured_queries)

        EmployeeFactory.create_batch(5, department=org["cs"], team=org["team_a"])
        small = measure()
        EmployeeFactory.create_batch(
            50, department=org["cs_sub"], superior=org["after_sales"], team=None
        )
        large = measure()
        assert large == small
        with django_assert_max_num_queries(25):
            client.get(LIST, {"page_size": 100})
        with django_assert_max_num_queries(15):
            client.get(LIST, {"page_size": 100}, headers=HTMX)


# --- detail ------------------------------------------------------------------------------------
class TestDetail:
    def test_timeline_shows_the_create_event(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        employee = services.employee_create(
            actor=hr,
            employee_no="KF099",
            name="新员工",
            hire_date=org["agent_a1"].hire_date,
            department=org["cs"],
            position=org["agent_position"],
            phone="13900001111",
        )
        services.employee_update(actor=hr, employee=employee, phone="13900002222")
        response = client_for(hr).get(f"/org/employees/{employee.pk}/")
        body = html(response)
        assert response.status_code == 200
        timeline = body[body.index("操作记录") :]
        assert 'data-action="employee.create"' in timeline
        assert "新增员工" in timeline
        assert "赵人事" in timeline  # who did it
        assert "修改员工信息（手机号）" in timeline
        # Newest first.
        assert timeline.index("修改员工信息") < timeline.index("新增员工")
        # Codes are not shown to people.
        assert ">employee.create<" not in timeline

    def test_detail_fields_and_masking(
        self, org: dict[str, Any], client_for: Any, agent: Any, supervisor: Any
    ) -> None:
        url = f"/org/employees/{org['agent_a1'].pk}/"
        mine = html(client_for(agent).get(url))
        assert "客服甲一" in mine
        assert "售前组" in mine
        assert "组长甲" in mine  # 直接上级
        assert "客服代表" in mine  # 角色
        assert "138****5678" in mine
        assert "110***********1234" in mine
        assert "查看完整信息" not in mine  # no reveal right
        assert "编辑" not in mine
        full = html(client_for(supervisor).get(url))
        assert "13812345678" in full
        assert "查看完整信息" in full

    def test_empty_id_number_shows_a_dash(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        other = client_for(org["agent_a2"].user)
        body = html(other.get(f"/org/employees/{org['agent_a2'].pk}/"))
        block = body[body.index("身份证号") : body.index("入职日期")]
        assert "—" in block
        assert "*" not in block

    def test_outside_scope_is_404(self, org: dict[str, Any], client_for: Any, agent: Any) -> None:
        assert client_for(agent).get(f"/org/employees/{org['hr'].pk}/").status_code == 404

    def test_anonymous_is_sent_to_login(self, org: dict[str, Any]) -> None:
        response = Client().get(f"/org/employees/{org['agent_a1'].pk}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- reveal ------------------------------------------------------------------------------------
class TestReveal:
    def url(self, org: dict[str, Any], key: str = "agent_a1") -> str:
        return f"/org/employees/{org[key].pk}/reveal/"

    def test_reveal_is_htmx_fragment_and_audited(
        self, org: dict[str, Any], client_for: Any, supervisor: Any
    ) -> None:
        response = client_for(supervisor).post(
            self.url(org),
            {"field": "id_number", "reason": "核对工资卡"},
            headers={"HX-Request": "true", "HX-Target": "reveal-result"},
        )
        body = html(response)
        assert response.status_code == 200
        assert "<html" not in body
        assert "110101199003071234" in body
        assert "已记入审计日志" in body
        event = AuditEvent.objects.order_by("-seq").first()
        assert event.action == "personal_data.reveal"
        assert event.actor_id == supervisor.pk
        assert event.object_id == str(org["agent_a1"].pk)
        assert event.after == {"field": "id_number"}
        assert event.reason == "核对工资卡"
        timeline = html(client_for(supervisor).get(f"/org/employees/{org['agent_a1'].pk}/"))
        assert "查看完整信息（身份证号）：核对工资卡" in timeline

    @pytest.mark.parametrize(
        "data",
        [{"field": "phone"}, {"field": "phone", "reason": " "}, {"field": "salary", "reason": "x"}],
    )
    def test_reveal_needs_a_reason_and_a_known_field(
        self, org: dict[str, Any], client_for: Any, supervisor: Any, data: dict[str, str]
    ) -> None:
        before = AuditEvent.objects.count()
        response = client_for(supervisor).post(self.url(org), data)
        body = html(response)
        assert response.status_code == 200
        assert "13812345678" not in body
        assert 'class="errorlist"' in body
        assert AuditEvent.objects.count() == before

    def test_agent_may_not_reveal_even_own_record(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        before = AuditEvent.objects.count()
        response = client_for(agent).post(self.url(org), {"field": "phone", "reason": "看看"})
        assert response.status_code == 403
        assert "13812345678" not in html(response)
        assert AuditEvent.objects.count() == before

    def test_reveal_outside_scope_is_404(
        self, org: dict[str, Any], client_for: Any, supervisor: Any
    ) -> None:
        before = AuditEvent.objects.count()
        response = client_for(supervisor).post(
            self.url(org, "hr"), {"field": "phone", "reason": "看看"}
        )
        assert response.status_code == 404
        assert AuditEvent.objects.count() == before

    def test_reveal_is_post_only(
        self, org: dict[str, Any], client_for: Any, supervisor: Any
    ) -> None:
        assert client_for(supervisor).get(self.url(org)).status_code == 405


# --- create and edit -----------------------------------------------------------------------------
class TestCreateForm:
    def test_form_renders_in_chinese(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        body = html(client_for(hr).get("/org/employees/new/"))
        for label in (
            "工号",
            "姓名",
            "手机号",
            "入职日期",
            "部门",
            "班组",
            "直接上级",
            "角色",
            "保存",
        ):
            assert label in body
        assert "<h1" in body and "新增员工" in body

    def test_success_redirects_to_detail(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        client = client_for(hr)
        response = client.post("/org/employees/new/", form_data(org))
        employee = Employee.objects.get(employee_no="KF099")
        assert response.status_code == 302
        assert response["Location"] == f"/org/employees/{employee.pk}/"
        assert employee.user.username == "KF099"
        assert employee.team_id == org["team_a"].pk
        follow = client.get(response["Location"])
        assert "已新增员工 新员工（工号 KF099）" in html(follow)

    @pytest.mark.parametrize(
        ("over", "field", "message"),
        [
            ({"phone": "12345"}, "phone", "手机号格式不正确"),
            ({"id_number": "123"}, "id_number", "身份证号应为18位"),
            ({"employee_no": "KF011"}, "employee_no", "工号已存在"),
            ({"team": "team_b_hr"}, "team", "班组不属于所选部门"),
            ({"name": ""}, "name", "这个字段是必填项"),
            ({"hire_date": "2025-13-01"}, "hire_date", "输入一个有效的日期"),
            ({"base_points": "-1"}, "base_points", "基点数不能为负数"),
        ],
    )
    def test_bad_input_rerenders_with_error_under_the_field(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        over: dict[str, Any],
        field: str,
        message: str,
    ) -> None:
        if over.get("team") == "team_b_hr":
            over = {"department": org["hr_dept"].pk, "team": org["team_b"].pk, "superior_no": ""}
        before = (Employee.objects.count(), User.objects.count(), AuditEvent.objects.count())
        response = client_for(hr).post(
            "/org/employees/new/", form_data(org, name=over.pop("name", "钱七"), **over)
        )
        body = html(response)
        assert response.status_code == 200
        block = field_block(body, field)
        assert "has-error" in block
        assert message in block
        # What the user typed is still there.
        assert 'value="钱七"' in body or field == "name"
        if field == "phone":
            assert 'value="12345"' in block
        assert (
            Employee.objects.count(),
            User.objects.count(),
            AuditEvent.objects.count(),
        ) == before

    def test_agent_gets_chinese_403_and_nothing_is_created(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        client = client_for(agent)
        response = client.get("/org/employees/new/")
        assert response.status_code == 403
        assert "无权访问" in html(response)
        before = (Employee.objects.count(), User.objects.count(), AuditEvent.objects.count())
        response = client.post("/org/employees/new/", form_data(org))
        assert response.status_code == 403
        assert "无权访问" in html(response)
        assert (
            Employee.objects.count(),
            User.objects.count(),
            AuditEvent.objects.count(),
        ) == before
        assert not Employee.objects.filter(employee_no="KF099").exists()

    @pytest.mark.parametrize("who", ["supervisor", "manager", "gm", "lead_a"])
    def test_other_refused_roles(self, org: dict[str, Any], client_for: Any, who: str) -> None:
        client = client_for(org[who].user)
        before = (Employee.objects.count(), AuditEvent.objects.count())
        assert client.post("/org/employees/new/", form_data(org)).status_code == 403
        assert client.get(f"/org/employees/{org['agent_a1'].pk}/edit/").status_code == 403
        assert (
            client.post(
                f"/org/employees/{org['agent_a2'].pk}/leave/", {"left_on": "2025-06-30"}
            ).status_code
            == 403
        )
        assert (Employee.objects.count(), AuditEvent.objects.count()) == before
        assert Employee.objects.get(pk=org["agent_a2"].pk).status == EmployeeStatus.ACTIVE


class TestEditForm:
    def url(self, org: dict[str, Any]) -> str:
        return f"/org/employees/{org['agent_a1'].pk}/edit/"

    def test_edit_shows_current_values(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        body = html(client_for(hr).get(self.url(org)))
        assert "编辑员工 · 客服甲一" in body
        assert 'value="客服甲一"' in body
        assert 'value="13812345678"' in body
        assert re.search(r'name="employee_no"[^>]*disabled', body)
        assert re.search(r'value="agent"[^>]*checked', body)

    def test_edit_saves_and_redirects(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        agent = org["agent_a1"]
        data = form_data(
            org,
            employee_no="HACKED",  # disabled: ignored
            name="客服甲一",
            hire_date="2024-01-02",
            phone="13700000000",
            id_number="110101199003071234",
            superior_no=org["lead_a"].employee_no,
            base_points="1.00",
            monthly_bonus="1000",
            speciality="",
        )
        response = client_for(hr).post(self.url(org), data)
        assert response.status_code == 302
        assert response["Location"] == f"/org/employees/{agent.pk}/"
        agent.refresh_from_db()
        assert agent.phone == "13700000000"
        assert agent.employee_no == "KF011"
        event = AuditEvent.objects.order_by("-seq").first()
        assert event.action == "employee.update"
        changed = {k for k in event.after if event.before.get(k) != event.after[k]}
        assert changed == {"phone"}

    def test_edit_error_stays_on_the_form(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        before = Employee.objects.filter(pk=org["agent_a1"].pk).values().get()
        response = client_for(hr).post(
            self.url(org), form_data(org, name="客服甲一", superior_no=org["agent_a1"].employee_no)
        )
        assert response.status_code == 200
        assert "直接上级不能是本人或其下属" in field_block(html(response), "superior_no")
        assert Employee.objects.filter(pk=org["agent_a1"].pk).values().get() == before

    def test_edit_outside_scope_is_404_for_a_scoped_editor(
        self, org: dict[str, Any], client_for: Any
    ) -> None:
        from django.contrib.auth.models import Permission

        manager = org["manager"].user
        manager.user_permissions.add(
            Permission.objects.get(content_type__app_label="org", codename="change_employee")
        )
        client = client_for(manager)
        assert client.get(self.url(org)).status_code == 200
        assert client.get(f"/org/employees/{org['hr'].pk}/edit/").status_code == 404


class TestLeavePage:
    def test_confirm_form(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        body = html(client_for(hr).get(f"/org/employees/{org['agent_a2'].pk}/leave/"))
        assert "办理离职 · 客服甲二" in body
        assert "确认离职" in body
        assert "confirm(" in body and "登录账号将立即停用" in body
        assert 'name="left_on"' in body

    def test_leave_redirects_and_disables_login(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        agent = org["agent_a2"]
        response = client_for(hr).post(
            f"/org/employees/{agent.pk}/leave/", {"left_on": "2025-06-30", "reason": "合同到期"}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/org/employees/{agent.pk}/"
        agent.refresh_from_db()
        assert agent.status == EmployeeStatus.LEFT
        assert not User.objects.get(pk=agent.user_id).is_active
        detail = html(client_for(hr).get(response["Location"]))
        assert "离职" in detail
        assert "办理离职（离职日期、状态）：合同到期" in detail

    @pytest.mark.parametrize(
        ("who", "data", "message"),
        [
            ("agent_a2", {"left_on": "2020-01-01"}, "早于入职日期"),
            ("lead_a", {"left_on": "2025-06-30"}, "还有在职下属"),
            ("agent_a2", {"left_on": ""}, "这个字段是必填项"),
        ],
    )
    def test_leave_errors_stay_on_the_form(
        self,
        org: dict[str, Any],
        client_for: Any,
        hr: Any,
        who: str,
        data: dict[str, str],
        message: str,
    ) -> None:
        response = client_for(hr).post(f"/org/employees/{org[who].pk}/leave/", data)
        assert response.status_code == 200
        assert message in html(response)
        assert Employee.objects.get(pk=org[who].pk).status == EmployeeStatus.ACTIVE
        assert User.objects.get(pk=org[who].user_id).is_active


# --- org chart -------------------------------------------------------------------------------------
class TestOrgChart:
    def test_nested_departments_with_head_counts(
        self, org: dict[str, Any], client_for: Any, agent: Any
    ) -> None:
        response = client_for(agent).get("/org/chart/")
        assert response.status_code == 200
        (root,) = response.context["roots"]
        assert (root["name"], root["headcount"], root["total"]) == ("总部", 3, 13)
        children = {c["name"]: c for c in root["children"]}
        assert set(children) == {"客服部", "行政人事部", "信息中心"}
        cs = children["客服部"]
        assert (cs["headcount"], cs["total"]) == (7, 8)
        (sub,) = cs["children"]
        assert (sub["name"], sub["total"]) == ("售后服务组", 1)
        teams = {t["name"]: t["headcount"] for t in cs["teams"]}
        assert teams == {"售前组": 3, "售后组": 2}
        body = html(response)
        # 售后服务组 is drawn inside 客服部's branch, after it.
        assert body.index("客服部") < body.index("售后服务组")
        assert "8 人" in body and "13 人" in body
        assert "售前组（3）" in body

    def test_people_who_left_are_not_counted(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        services.employee_leave(
            actor=hr, employee=org["after_sales"], left_on=org["after_sales"].hire_date
        )
        (root,) = client_for(hr).get("/org/chart/").context["roots"]
        cs = next(c for c in root["children"] if c["name"] == "客服部")
        assert (cs["total"], cs["children"][0]["total"], root["total"]) == (7, 0, 12)

    def test_chart_query_count_is_bounded(
        self, org: dict[str, Any], client_for: Any, hr: Any, django_assert_max_num_queries: Any
    ) -> None:
        client = client_for(hr)
        for _ in range(2):  # warm up the session's activity time and the cached security policy
            client.get("/org/chart/")
        with django_assert_max_num_queries(20):
            assert client.get("/org/chart/").status_code == 200

    def test_chart_needs_view_right(self, org: dict[str, Any], client_for: Any) -> None:
        nobody = EmployeeFactory(employee_no="X001", department=org["cs"], roles=[])
        nobody.user.groups.clear()
        response = client_for(nobody.user).get("/org/chart/")
        assert response.status_code == 403
        assert "无权访问" in html(response)


class TestTeamFilter:
    """The team filter lists only the chosen department's teams (hundreds exist at scale)."""

    def test_without_a_department_no_team_is_rendered(
        self, client_for: Any, org: dict[str, Any]
    ) -> None:
        body = client_for(org["hr"].user).get("/org/employees/").content.decode()
        assert "请先选择部门" in body
        assert ">售前组</option>" not in body and ">售后组</option>" not in body

    def test_with_a_department_its_teams_are_offered_and_kept(
        self, client_for: Any, org: dict[str, Any]
    ) -> None:
        team = org["team_a"]
        body = (
            client_for(org["hr"].user)
            .get("/org/employees/", {"department": org["cs"].pk, "team": team.pk})
            .content.decode()
        )
        assert f'<option value="{team.pk}" selected>售前组</option>' in body
        assert f'<option value="{org["team_b"].pk}">售后组</option>' in body

    def test_options_endpoint_follows_the_department(
        self, client_for: Any, org: dict[str, Any]
    ) -> None:
        client = client_for(org["hr"].user)
        body = client.get("/org/teams/options/", {"department": org["cs"].pk}).content.decode()
        assert "售前组" in body and "售后组" in body
        body = client.get("/org/teams/options/", {"department": org["hr_dept"].pk}).content.decode()
        assert "售前组" not in body
        assert client.get("/org/teams/options/", {"department": "x"}).status_code == 200

    def test_options_endpoint_refuses_a_user_without_rights(
        self, client_for: Any, org: dict[str, Any]
    ) -> None:
        from kefu.org.tests.factories import UserFactory

        response = client_for(UserFactory(username="norole")).get("/org/teams/options/")
        assert response.status_code == 403


class TestEmployeeFormAtScale:
    """新增/编辑员工 without a select of every employee and team (10,000 / 660 at scale)."""

    NEW = "/org/employees/new/"
    SUGGEST = "/org/employees/superior-options/"

    def test_create_page_renders_no_employee_and_no_team_yet(
        self, org: dict[str, Any], client_for: Any, hr: Any, django_assert_max_num_queries: Any
    ) -> None:
        client = client_for(hr)
        client.get(self.NEW)  # warm the session/permission caches
        EmployeeFactory.create_batch(30, department=org["cs"], position=org["agent_position"])
        with django_assert_max_num_queries(12):
            response = client.get(self.NEW)
        body = html(response)
        assert response.status_code == 200
        for e in Employee.objects.exclude(pk=org["hr"].pk):
            assert e.name not in body, e.name
        assert ">售前组</option>" not in body and ">售后组</option>" not in body
        block = field_block(body, "superior_no")
        assert "直接上级工号" in block
        assert 'list="superior-options"' in block and '<datalist id="superior-options">' in block
        assert 'hx-get="/org/employees/superior-options/"' in block
        assert 'hx-trigger="keyup changed delay:300ms"' in block
        assert re.search(r'name="department"[^>]*hx-get="/org/teams/options/\?for=form"', body)

    def test_create_with_superior_no(self, org: dict[str, Any], client_for: Any, hr: Any) -> None:
        response = client_for(hr).post(
            self.NEW, form_data(org, superior_no=f" {org['lead_a'].employee_no} ")
        )
        assert response.status_code == 302
        employee = Employee.objects.get(employee_no="KF099")
        assert employee.superior == org["lead_a"]
        assert employee.team == org["team_a"]

    def test_empty_superior_no_means_no_superior(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        response = client_for(hr).post(self.NEW, form_data(org, superior_no=""))
        assert response.status_code == 302
        assert Employee.objects.get(employee_no="KF099").superior is None

    @pytest.mark.parametrize("case", ["unknown", "left", "out_of_scope"])
    def test_bad_superior_no_shows_the_error_under_the_field(
        self, org: dict[str, Any], client_for: Any, case: str
    ) -> None:
        from django.contrib.auth.models import Permission

        user = org["hr"].user
        if case == "unknown":
            superior_no = "NOPE01"
        elif case == "left":
            gone = EmployeeFactory(
                employee_no="KF098",
                department=org["cs"],
                status=EmployeeStatus.LEFT,
                left_on=datetime.date(2025, 1, 31),
            )
            superior_no = gone.employee_no
        else:
            # The 客服部经理 sees only 客服部: 行政人事部's 赵人事 is outside that scope.
            user = org["manager"].user
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="org", codename="add_employee")
            )
            superior_no = org["hr"].employee_no
            assert not selectors.employees_for_user(user).filter(pk=org["hr"].pk).exists()
        before = (Employee.objects.count(), AuditEvent.objects.count())
        response = client_for(user).post(
            self.NEW, form_data(org, name="钱七", superior_no=superior_no)
        )
        body = html(response)
        assert response.status_code == 200
        block = field_block(body, "superior_no")
        assert "has-error" in block
        assert "找不到该工号的在职员工" in block
        assert f'value="{superior_no}"' in block
        assert 'value="钱七"' in body
        assert (Employee.objects.count(), AuditEvent.objects.count()) == before

    def test_suggestions_are_capped_scoped_and_formatted(
        self, org: dict[str, Any], client_for: Any
    ) -> None:
        from django.contrib.auth.models import Permission

        EmployeeFactory.create_batch(
            25, department=org["cs"], position=org["agent_position"], name="批量客服"
        )
        EmployeeFactory(
            employee_no="KF097",
            name="离职客服",
            department=org["cs"],
            status=EmployeeStatus.LEFT,
            left_on=datetime.date(2025, 1, 31),
        )
        hr_client = client_for(org["hr"].user)
        body = html(hr_client.get(self.SUGGEST, {"q": "批量"}))
        assert body.count("<option") == 20
        assert "批量客服 · 客服部" in body
        lead = org["lead_a"]
        body = html(hr_client.get(self.SUGGEST, {"superior_no": lead.employee_no}))
        assert (
            f'<option value="{lead.employee_no}">{lead.employee_no} 组长甲 · 客服部</option>'
            in body
        )
        assert "离职客服" not in html(hr_client.get(self.SUGGEST, {"q": "客服"}))
        assert "<option" not in html(hr_client.get(self.SUGGEST, {"q": ""}))

        manager = org["manager"].user
        manager.user_permissions.add(
            Permission.objects.get(content_type__app_label="org", codename="view_employee")
        )
        scoped = client_for(manager)
        assert "赵人事" not in html(scoped.get(self.SUGGEST, {"q": "HR001"}))
        assert "组长甲" in html(scoped.get(self.SUGGEST, {"q": "KF010"}))

    def test_suggestions_refuse_a_user_without_view_employee(
        self, org: dict[str, Any], client_for: Any
    ) -> None:
        from kefu.org.tests.factories import UserFactory

        response = client_for(UserFactory(username="norole")).get(self.SUGGEST, {"q": "KF"})
        assert response.status_code == 403
        assert "组长甲" not in html(response)

    def test_rerendered_form_keeps_the_departments_teams_and_chosen_team(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        team = org["team_b"]
        response = client_for(hr).post(self.NEW, form_data(org, name="", team=team.pk))
        block = field_block(html(response), "team")
        assert f'<option value="{team.pk}" selected>售后组</option>' in block
        assert f'<option value="{org["team_a"].pk}">售前组</option>' in block
        response = client_for(hr).post(
            self.NEW, form_data(org, name="", department=org["hr_dept"].pk, team="")
        )
        block = field_block(html(response), "team")
        assert "售前组" not in block and "售后组" not in block
        assert "请先选择部门" in block

    def test_edit_form_prefills_the_superiors_no_and_department_teams(
        self, org: dict[str, Any], client_for: Any, hr: Any
    ) -> None:
        agent = org["agent_a1"]
        body = html(client_for(hr).get(f"/org/employees/{agent.pk}/edit/"))
        assert re.search(
            r'name="superior_no"[^>]*value="KF010"|value="KF010"[^>]*name="superior_no"', body
        )
        block = field_block(body, "team")
        assert f'<option value="{org["team_a"].pk}" selected>售前组</option>' in block
        assert "售后组" in block
        assert "客服乙一" not in body


def test_team_blank_option_reads_none_in_the_form_and_any_in_the_filter(
    client_for: Any, org: dict[str, Any]
) -> None:
    client = client_for(org["hr"].user)
    in_form = client.get("/org/teams/options/", {"department": org["cs"].pk, "for": "form"})
    in_filter = client.get("/org/teams/options/", {"department": org["cs"].pk})
    assert '<option value="">无（不属于班组）</option>' in in_form.content.decode()
    assert '<option value="">全部</option>' in in_filter.content.decode()
    page = client.get(f"/org/employees/{org['agent_a1'].pk}/edit/").content.decode()
    assert "无（不属于班组）" in page
