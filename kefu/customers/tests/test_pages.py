"""Customer pages — 客户档案页面 (CRM-1, SEC-1): list, detail, forms, phones, reveal, menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.customers import services
from kefu.customers.history import (
    HistorySection,
    register_history_section,
    unregister_history_section,
)
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/customers/"
NEW = "/customers/new/"
HTMX = {"HX-Request": "true", "HX-Target": "customer-table"}


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def state() -> dict[str, Any]:
    return {
        "customers": list(Customer.objects.order_by("pk").values()),
        "phones": list(CustomerPhone.objects.order_by("pk").values_list("customer_id", "phone")),
        "audit": AuditEvent.objects.count(),
    }


# --- menu and access --------------------------------------------------------------------------
def test_menu_shows_customers_to_those_who_may_view(org: dict[str, Any], client_for: Any) -> None:
    body = html(client_for(org["agent_a1"].user).get("/dashboard/"))
    assert "客户管理" in body and f'href="{LIST}"' in body
    # 客户管理 comes right after 工作台, before 系统设置 (UI.md order).
    assert body.index("客户管理") < body.index("系统设置")
    body = html(client_for(org["warehouse"].user).get("/dashboard/"))
    assert "客户档案" not in body


def test_warehouse_is_refused_every_page(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory(phones=["13812345678", "13812345679"])
    phone = customer.phones.first()
    client = client_for(org["warehouse"].user)
    before = state()
    for url in (LIST, NEW, f"/customers/{customer.pk}/", f"/customers/{customer.pk}/edit/"):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, {"name": "甲", "phones": ["13900001111"]}).status_code == 403
    assert (
        client.post(f"/customers/{customer.pk}/phones/", {"phone": "13900001111"}).status_code
        == 403
    )
    assert client.post(f"/customers/{customer.pk}/phones/{phone.pk}/remove/").status_code == 403
    assert client.post(
        f"/customers/{customer.pk}/reveal/", {"phone": phone.pk, "reason": "核实"}
    ).status_code in (403, 404)
    assert state() == before


# --- list -------------------------------------------------------------------------------------
def test_list_filters_live_in_the_url_and_htmx_swaps_only_the_table(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    CustomerFactory(name="张三", region="上海", phones=["13812345678"])
    CustomerFactory(name="李四", region="北京", phones=["13900005678"])
    CustomerFactory(name="王五", region="上海", phones=["13700001111"])
    client = client_for(agent)
    body = html(client.get(LIST, {"phone": "5678", "region": "上海"}))
    assert "<html" in body and 'name="phone" value="5678"' in body
    assert "张三" in body and "李四" not in body and "王五" not in body
    assert "138****5678" in body and "13812345678" not in body
    fragment = html(client.get(LIST, {"phone": "5678"}, headers=HTMX))
    assert "<html" not in fragment and 'data-testid="customer-table"' in fragment
    assert "张三" in fragment and "李四" in fragment and "王五" not in fragment
    assert "共 2 条" in fragment
    empty = html(client.get(LIST, {"q": "不存在"}, headers=HTMX))
    assert "没有符合条件的客户" in empty


def test_list_pages_by_20_50_100(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    CustomerFactory.create_batch(25, phones=None)
    client = client_for(agent)
    first = html(client.get(LIST, headers=HTMX))
    assert len(re.findall(r"<tr>", first)) == 20 + 1  # 20 rows and the header
    assert "共 25 条" in first and "1 / 2" in first
    second = html(client.get(LIST, {"page": 2}, headers=HTMX))
    assert len(re.findall(r"<tr>", second)) == 5 + 1
    fifty = html(client.get(LIST, {"page_size": 50}, headers=HTMX))
    assert len(re.findall(r"<tr>", fifty)) == 25 + 1


def test_toolbar_follows_rights(org: dict[str, Any], client_for: Any) -> None:
    agent_body = html(client_for(org["agent_a1"].user).get(LIST))
    assert 'href="/customers/new/"' in agent_body
    assert "/customers/import/" not in agent_body and "/customers/export/" not in agent_body
    supervisor_body = html(client_for(org["supervisor"].user).get(LIST))
    assert "/customers/import/" in supervisor_body and "/customers/export/" in supervisor_body
    hr_body = html(client_for(org["hr"].user).get(LIST))
    assert "/customers/new/" not in hr_body
    assert "暂无客户" in hr_body and "点击“新增”" not in hr_body


def test_list_query_count_is_bounded(
    org: dict[str, Any], client_for: Any, agent: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(agent)
    # Two warm-up requests: the first after login only stamps the session's activity time; the
    # second is the first to read (and cache, per process) the security policy for the idle check.
    client.get(LIST)
    client.get(LIST)

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    CustomerFactory.create_batch(3, phones=None)
    small = measure()
    CustomerFactory.create_batch(40, phones=None)
    assert measure() == small
    with django_assert_max_num_queries(15):
        client.get(LIST, {"page_size": 100}, headers=HTMX)


# --- detail -----------------------------------------------------------------------------------
def test_detail_masks_phones_logs_the_view_and_shows_the_history(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    customer = services.customer_create(
        actor=agent, name="张三", phones=["13812345678"], grade="key", region="上海"
    )
    services.customer_update(actor=agent, customer=customer, address="浦东新区某路1号")
    client = client_for(agent)
    body = html(client.get(f"/customers/{customer.pk}/"))
    assert customer.code in body and "重点客户" in body and "tag-red" in body
    assert "138****5678" in body and "13812345678" not in body
    history = body[body.index('data-testid="service-history"') :]
    assert "新建客户档案" in history and "修改客户信息（地址）" in history
    # Opening the page is access, not service: logged, but not part of 服务记录.
    assert "查看客户档案" not in history
    views = AuditEvent.objects.filter(action="customer.view", object_id=str(customer.pk))
    assert views.count() == 1
    client.get(f"/customers/{customer.pk}/")
    assert views.count() == 1
    # An agent may not reveal, nor read the audit trail.
    assert "查看完整信息" not in body and 'data-testid="access-log"' not in body


def test_supervisor_sees_numbers_and_gm_sees_the_access_log(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    customer = CustomerFactory(phones=["13812345678"])
    client_for(agent).get(f"/customers/{customer.pk}/")
    body = html(client_for(org["supervisor"].user).get(f"/customers/{customer.pk}/"))
    assert "13812345678" in body and "查看完整信息" in body
    gm_body = html(client_for(org["gm"].user).get(f"/customers/{customer.pk}/"))
    log = gm_body[gm_body.index('data-testid="access-log"') :]
    assert "查看客户档案" in log and "客服甲一" in log


def test_other_modules_add_sections_to_the_service_history(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    customer = CustomerFactory()
    seen: list[Any] = []

    def context(c: Customer, user: Any) -> dict[str, Any] | None:
        seen.append((c.pk, user.pk))
        return {"events": []}

    register_history_section(
        HistorySection(
            key="test_tickets", label="工单", template="customers/_timeline.html", context=context
        )
    )
    register_history_section(
        HistorySection(
            key="test_hidden",
            label="不可见",
            template="customers/_timeline.html",
            context=lambda c, u: None,
        )
    )
    try:
        body = html(client_for(agent).get(f"/customers/{customer.pk}/"))
    finally:
        unregister_history_section("test_tickets")
        unregister_history_section("test_hidden")
    assert seen == [(customer.pk, agent.pk)]
    assert 'data-section="test_tickets"' in body
    section = body[body.index('data-section="test_tickets"') :]
    assert "<h3>工单</h3>" in section
    assert "test_hidden" not in body  # a section whose context is None is not shown


def test_missing_customer_is_404(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    assert client_for(agent).get("/customers/999999/").status_code == 404


# --- forms ------------------------------------------------------------------------------------
def test_create_form_keeps_values_and_shows_errors_under_fields(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    client = client_for(agent)
    body = html(
        client.post(
            NEW,
            {
                "name": "",
                "phones": ["12345", "13900001111"],
                "customer_type": "consumer",
                "grade": "normal",
                "region": "华东",
            },
        )
    )
    assert "This field is required" not in body
    assert re.search(r'has-error">\s*<label for="id_name">', body)
    assert 'value="12345"' in body and 'value="13900001111"' in body and 'value="华东"' in body
    assert not Customer.objects.exists()
    body = html(
        client.post(
            NEW,
            {"name": "甲", "phones": ["12345"], "customer_type": "consumer", "grade": "normal"},
        )
    )
    phones_field = body[body.index('id="phone-inputs"') :]
    assert (
        "电话格式不正确"
        in phones_field[: phones_field.index("</div>", phones_field.index("errorlist"))]
    )
    assert not Customer.objects.exists()


def test_create_form_creates_and_redirects(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    response = client_for(agent).post(
        NEW,
        {
            "name": "上海某某贸易",
            "phones": ["138 1234 5678", "", "021-61234567"],
            "customer_type": "enterprise",
            "grade": "major",
            "region": "华东",
            "address": "",
            "contact_person": "王先生",
            "notes": "",
        },
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert set(customer.phones.values_list("phone", flat=True)) == {"13812345678", "02161234567"}
    assert (customer.customer_type, customer.grade) == ("enterprise", "major")


def test_duplicate_phone_links_to_the_existing_customer(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    owner = CustomerFactory(name="张三", phones=["13812345678"])
    body = html(
        client_for(agent).post(
            NEW,
            {
                "name": "张三丰",
                "phones": ["+86 13812345678"],
                "customer_type": "consumer",
                "grade": "normal",
            },
        )
    )
    assert "已属于客户" in body and owner.code in body
    assert f'href="/customers/{owner.pk}/"' in body
    assert 'value="张三丰"' in body
    assert Customer.objects.count() == 1


def test_create_form_prefills_a_phone_from_the_url(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    body = html(client_for(agent).get(NEW, {"phone": "13912345678"}))
    assert 'value="13912345678"' in body


def test_edit_form(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    customer = CustomerFactory(name="甲", phones=["13812345678"])
    client = client_for(agent)
    body = html(client.get(f"/customers/{customer.pk}/edit/"))
    assert 'value="甲"' in body and 'name="phones"' not in body
    bad = html(
        client.post(
            f"/customers/{customer.pk}/edit/",
            {"name": "甲", "customer_type": "consumer", "grade": "nope"},
        )
    )
    assert "has-error" in bad
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {"name": "甲公司", "customer_type": "franchisee", "grade": "key", "region": "西南"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.customer_type, customer.grade, customer.region) == (
        "甲公司",
        "franchisee",
        "key",
        "西南",
    )


def test_hr_may_not_open_the_forms(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory()
    client = client_for(org["hr"].user)
    assert client.get(NEW).status_code == 403
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403


# --- phones on the detail page ----------------------------------------------------------------
def test_phones_are_added_and_removed_in_place(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    customer = CustomerFactory(phones=["13812345678"])
    owner = CustomerFactory(name="李四", phones=["13700001111"])
    client = client_for(agent)
    hx = {"HX-Request": "true", "HX-Target": "customer-phones"}
    url = f"/customers/{customer.pk}/phones/"
    body = html(client.post(url, {"phone": "139 0000 2222"}, headers=hx))
    assert "<html" not in body and "139****2222" in body
    assert customer.phones.count() == 2

    taken = html(client.post(url, {"phone": "13700001111"}, headers=hx))
    assert "已属于客户" in taken and f'href="/customers/{owner.pk}/"' in taken
    assert 'value="13700001111"' in taken  # what was typed stays
    assert customer.phones.count() == 2

    new_phone = customer.phones.get(phone="13900002222")
    removed = html(
        client.post(f"/customers/{customer.pk}/phones/{new_phone.pk}/remove/", headers=hx)
    )
    assert "139****2222" not in removed and "hx-confirm" not in removed  # one left: no 删除
    last = customer.phones.get()
    refused = html(client.post(f"/customers/{customer.pk}/phones/{last.pk}/remove/", headers=hx))
    assert "至少需要保留一个电话" in refused
    assert customer.phones.count() == 1


def test_reveal_is_audited_and_refused_without_the_right(
    org: dict[str, Any], client_for: Any, agent: Any, supervisor: Any
) -> None:
    customer = CustomerFactory(phones=["13812345678"])
    phone = customer.phones.get()
    url = f"/customers/{customer.pk}/reveal/"
    hx = {"HX-Request": "true", "HX-Target": "reveal-result"}
    body = html(
        client_for(supervisor).post(url, {"phone": phone.pk, "reason": "客户来电核实"}, headers=hx)
    )
    assert 'data-testid="revealed-value">13812345678<' in body
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert (event.object_type, event.object_id) == ("customers.customerphone", str(phone.pk))
    assert event.reason == "客户来电核实" and event.actor == supervisor
    no_reason = html(
        client_for(supervisor).post(url, {"phone": phone.pk, "reason": ""}, headers=hx)
    )
    assert "errorlist" in no_reason
    before = AuditEvent.objects.filter(action="personal_data.reveal").count()
    assert (
        client_for(agent).post(url, {"phone": phone.pk, "reason": "想看"}, headers=hx).status_code
        == 403
    )
    assert AuditEvent.objects.filter(action="personal_data.reveal").count() == before
