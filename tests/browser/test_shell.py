"""The shell in a real browser — 真实浏览器测试: login, dashboard, menus, htmx lists, forms, language.

Each test drives Debian's chromium through pages a person uses and asserts the Chinese text they
would read. The live server's database is flushed after every test (transactional), so each test
builds its own company with make_org().
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from kefu.core.models import LoginThrottle, Policy
from kefu.core.policy import security_policy
from kefu.org.choices import Role
from kefu.org.models import Employee
from kefu.org.tests.factories import PASSWORD, EmployeeFactory


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.django_db(transaction=True)
def test_flush_recreates_policy_and_role_groups() -> None:
    # live_server tests run on a database flushed between tests; they rely on post_migrate
    # putting the default policy and the role groups back. Flush here and check it does.
    call_command("flush", interactive=False, verbosity=0)
    assert Policy.objects.exists()
    assert set(Group.objects.values_list("name", flat=True)) >= {r.label for r in Role}
    assert Group.objects.get(name=Role.SUPERVISOR.label).permissions.exists()


@pytest.mark.browser
def test_supervisor_sees_dashboard_org_chart_and_is_refused_the_audit_log(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    login("KF002", PASSWORD)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("h1.page-title")).to_have_text("工作台")
    expect(page.get_by_test_id("current-user")).to_contain_text("陈主管 · 客服主管")
    # 客服部 has 7 people, its sub-department 售后服务组 4; nothing outside the supervisor's scope.
    expect(page.get_by_text("各部门在职人数")).to_be_visible()
    rows = page.get_by_test_id("headcount-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="客服部").locator("td.num")).to_have_text("7")
    expect(rows.filter(has_text="售后服务组").locator("td.num")).to_have_text("4")
    expect(page.get_by_test_id("active-employees")).to_have_text("11")

    sidebar = page.locator("aside.sidebar")
    expect(sidebar.get_by_role("link", name="员工档案")).to_be_visible()
    expect(sidebar).not_to_contain_text("审计日志")
    expect(sidebar).not_to_contain_text("制度参数")

    sidebar.get_by_role("link", name="组织架构").click()
    expect(page).to_have_url(re.compile(r"/org/chart/$"))
    expect(page.locator("h1.page-title")).to_have_text("组织架构")
    chart = page.get_by_test_id("org-chart")
    expect(chart.locator(".node strong", has_text="客服部")).to_be_visible()
    expect(chart).to_contain_text("售前组")
    expect(sidebar.locator("a.active")).to_have_text("组织架构")

    response = page.goto("/settings/audit/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("403 · 无权访问")
    expect(page.get_by_text("抱歉，您没有访问此页面的权限")).to_be_visible()
    expect(page.locator("aside.sidebar")).not_to_contain_text("审计日志")


@pytest.mark.browser
def test_employee_filter_and_paging_swap_only_the_table(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    # 25 more agents in 客服部: the supervisor then sees 36 people, two pages of 20.
    for n in range(25):
        EmployeeFactory(
            employee_no=f"KF3{n:02d}",
            name=f"坐席{n:02d}",
            department=org["cs"],
            team=org["team_b"],
            position=org["agent_position"],
        )
    login("KF002", PASSWORD)
    page.goto("/org/employees/")
    table_rows = page.get_by_test_id("employee-table").locator("tbody tr")
    pager = page.get_by_test_id("pager")
    expect(table_rows).to_have_count(20)
    expect(pager).to_contain_text("共 36 条")
    # A full page load would lose both marks; an htmx swap of #employee-table keeps them.
    page.evaluate(
        "window.__kefuMark = 'kept'; document.querySelector('h1.page-title').dataset.mark = 'kept'"
    )

    page.get_by_label("关键字").fill("客服甲")
    page.get_by_role("button", name="查询").click()
    expect(table_rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"[?&]q=%E5%AE%A2%E6%9C%8D%E7%94%B2"))
    assert _query(page.url)["q"] == ["客服甲"]
    names = page.get_by_test_id("employee-table").locator("tbody tr td:nth-child(2)")
    expect(names).to_have_text(["客服甲一", "客服甲二"])
    expect(page.get_by_label("关键字")).to_have_value("客服甲")
    assert page.evaluate("window.__kefuMark") == "kept"
    assert page.evaluate("document.querySelector('h1.page-title').dataset.mark") == "kept"

    page.get_by_role("link", name="重置").click()
    expect(table_rows).to_have_count(20)
    page.evaluate("window.__kefuMark = 'kept-again'")
    pager.get_by_role("link", name="下一页").click()
    expect(pager).to_contain_text("2 / 2")
    expect(table_rows).to_have_count(16)
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(table_rows.first.locator("td").first).to_have_text("KF309")  # sorted by 工号
    assert page.evaluate("window.__kefuMark") == "kept-again"

    pager.get_by_role("link", name="上一页").click()
    expect(pager).to_contain_text("1 / 2")
    expect(table_rows).to_have_count(20)
    pager.get_by_role("link", name="50", exact=True).click()
    expect(table_rows).to_have_count(36)
    expect(pager).to_contain_text("1 / 1")
    assert _query(page.url)["page_size"] == ["50"]
    assert page.evaluate("window.__kefuMark") == "kept-again"


@pytest.mark.browser
def test_repeated_wrong_passwords_lock_the_account(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    limit = security_policy().login_max_failures
    alert = page.get_by_role("alert")
    for _ in range(limit - 1):
        login("KF002", "wrong-password")
        expect(alert).to_have_text("工号或密码不正确")
    login("KF002", "wrong-password")
    expect(alert).to_have_text("连续登录失败次数过多，账号已锁定")

    # Now even the right password is refused, with the wait in minutes.
    login("KF002", PASSWORD)
    expect(alert).to_have_text(re.compile(r"^连续登录失败次数过多，账号已锁定，请\d+分钟后再试$"))
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    assert LoginThrottle.objects.get(username="kf002").locked_until is not None


@pytest.mark.browser
def test_hr_creates_an_employee_through_the_form(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    login("HR001", PASSWORD)
    page.goto("/org/employees/")
    page.get_by_role("link", name="新增", exact=True).click()
    expect(page.locator("h1.page-title")).to_have_text("新增员工")

    page.locator("#id_employee_no").fill("KF099")
    page.get_by_label("入职日期").fill("2025-03-03")
    page.get_by_label("部门").select_option(label="客服部")
    # 班组 options arrive with htmx once the 部门 is chosen.
    expect(page.get_by_label("班组").locator("option", has_text="售前组")).to_have_count(1)
    page.get_by_label("班组").select_option(label="售前组")
    # 直接上级 is typed as a 工号, with suggestions fetched as one types.
    page.get_by_label("直接上级工号").press_sequentially("KF01")
    expect(page.locator("#superior-options option[value='KF010']")).to_have_count(1)
    page.get_by_label("直接上级工号").fill("KF010")
    page.get_by_label("职位").select_option(label="客服代表")
    page.get_by_role("button", name="保存").click()

    name_field = page.locator(".field", has=page.locator("#id_name"))
    expect(name_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(name_field.locator(".errorlist")).to_have_text("这个字段是必填项。")
    expect(page.locator("#id_employee_no")).to_have_value("KF099")
    expect(page.get_by_label("直接上级工号")).to_have_value("KF010")
    expect(page.get_by_label("班组")).to_have_value(str(org["team_a"].pk))
    expect(page.get_by_label("部门")).to_have_value(str(org["cs"].pk))
    assert not Employee.objects.filter(employee_no="KF099").exists()

    page.get_by_label("姓名").fill("吴新人")
    page.get_by_role("button", name="保存").click()

    created = Employee.objects.get(employee_no="KF099")
    expect(page).to_have_url(re.compile(rf"/org/employees/{created.pk}/$"))
    expect(page.locator("h1.page-title")).to_contain_text("吴新人")
    expect(page.locator("h1.page-title")).to_contain_text("KF099")
    expect(page.locator("ul.messages")).to_contain_text("已新增员工 吴新人（工号 KF099）")
    assert created.name == "吴新人"
    assert created.department == org["cs"]
    assert created.team == org["team_a"]
    assert created.superior == org["lead_a"]


@pytest.mark.browser
def test_language_switch_to_english_and_back(page: Any, org: dict[str, Any], login: Any) -> None:
    login("KF002", PASSWORD)
    sidebar = page.locator("aside.sidebar")
    expect(sidebar.get_by_role("link", name="组织架构")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1.page-title")).to_have_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(sidebar.get_by_role("link", name="Organization chart")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Employee records")).to_be_visible()
    expect(sidebar).to_contain_text("System settings")
    expect(page.get_by_text("Active headcount by department")).to_be_visible()
    expect(sidebar).not_to_contain_text("组织架构")
    # The choice is remembered on the next page too.
    sidebar.get_by_role("link", name="Organization chart").click()
    expect(page.locator("h1.page-title")).to_have_text("Organization chart")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("h1.page-title")).to_have_text("组织架构")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(sidebar.get_by_role("link", name="员工档案")).to_be_visible()
    expect(sidebar).not_to_contain_text("Organization chart")
