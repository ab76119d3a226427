"""Global search (UI.md top bar): every registered provider, always within the user's scope."""

import pytest

from kefu.core.search import search_all
from kefu.customers.services import customer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(org):
    hr_like = org["sysadmin"].user
    return [
        customer_create(actor=hr_like, name="王先生", phones=["13900001234"], region="华东·上海"),
        customer_create(actor=hr_like, name="恒信建材", phones=["13900004321"], region="华南·广州"),
    ]


def test_sections_come_from_every_provider_in_order(org, customers):
    gm = org["gm"].user
    org["agent_a1"].name = "王小二"
    org["agent_a1"].save()
    sections = search_all(gm, "王")
    assert [s["key"] for s in sections] == ["customers", "employees"]
    assert [h.title for h in sections[0]["hits"]] == [f"{customers[0].code} 王先生"]
    assert [h.title for h in sections[1]["hits"]] == ["G001 王总", "KF011 王小二"]
    assert sections[1]["hits"][1].url == f"/org/employees/{org['agent_a1'].pk}/"


def test_phone_tail_finds_the_customer_and_masks_for_an_agent(org, customers):
    agent = org["agent_a1"].user
    [section] = search_all(agent, "4321")
    assert section["key"] == "customers"
    [hit] = section["hits"]
    assert hit.title.endswith("恒信建材")
    assert "139****4321" in hit.subtitle and "13900004321" not in hit.subtitle


def test_scope_applies_employees_outside_scope_are_not_found(org, customers):
    agent = org["agent_a1"].user
    assert search_all(agent, "赵人事") == []  # HR is outside an agent's scope
    assert [s["key"] for s in search_all(org["gm"].user, "赵人事")] == ["employees"]


def test_a_role_without_customer_rights_finds_no_customers(org, customers):
    warehouse = org["warehouse"].user
    assert search_all(warehouse, "王先生") == []


def test_empty_query_searches_nothing(org, customers, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search_all(org["gm"].user, "   ") == []


def test_search_page_renders_sections(client_for, org, customers):
    body = client_for(org["gm"].user).get("/search/", {"q": "王"}).content.decode()
    assert 'data-testid="search-customers"' in body
    assert "王先生" in body
    body = client_for(org["gm"].user).get("/search/", {"q": "查无此人"}).content.decode()
    assert "没有找到匹配的记录" in body
