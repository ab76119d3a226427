"""Customer search — 客户查询 (CRM-1, SEC-1): name, 客户编号, whole number, 尾号, region, scope."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.customers import selectors
from kefu.customers.models import Customer
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org: dict[str, Any]) -> dict[str, Customer]:
    return {
        "zhang": CustomerFactory(
            name="张三", region="上海市浦东新区", grade="key", phones=["13812345678", "02161235678"]
        ),
        "li": CustomerFactory(
            name="李四商行", region="江苏南京", customer_type="distributor", phones=["13900005678"]
        ),
        "wang": CustomerFactory(
            name="王五", region="上海市徐汇区", contact_person="张经理", phones=["13700001111"]
        ),
    }


def names(qs: Any) -> set[str]:
    return {c.name for c in qs}


def test_last_four_digits_find_every_owner_once(book: dict[str, Customer], agent: Any) -> None:
    # 张三 has two numbers ending 5678: listed once, and the count agrees with the rows.
    qs = selectors.customers_for_user(agent, phone="5678")
    assert names(qs) == {"张三", "李四商行"}
    assert qs.count() == 2
    assert names(selectors.customers_for_user(agent, q="5678")) == {"张三", "李四商行"}


def test_whole_number_in_any_written_form(book: dict[str, Customer], agent: Any) -> None:
    for written in ("13812345678", "138-1234-5678", "+86 138 1234 5678"):
        assert names(selectors.customers_for_user(agent, phone=written)) == {"张三"}
        assert names(selectors.customers_for_user(agent, q=written)) == {"张三"}
    # A whole number matches whole numbers only, never a longer or shorter one.
    assert not selectors.customers_for_user(agent, phone="1381234567").exists()
    assert names(selectors.customers_for_user(agent, phone="021-6123 5678")) == {"张三"}


def test_a_phone_filter_that_is_no_number_matches_nothing(
    book: dict[str, Customer], agent: Any
) -> None:
    assert not selectors.customers_for_user(agent, phone="张三").exists()


def test_name_contact_and_code(book: dict[str, Customer], agent: Any) -> None:
    assert names(selectors.customers_for_user(agent, q="商行")) == {"李四商行"}
    # 关键字 also finds a customer by its contact person.
    assert names(selectors.customers_for_user(agent, q="张")) == {"张三", "王五"}
    code = book["wang"].code
    assert names(selectors.customers_for_user(agent, q=code.lower())) == {"王五"}


def test_region_grade_and_type(book: dict[str, Customer], agent: Any) -> None:
    assert names(selectors.customers_for_user(agent, region="上海")) == {"张三", "王五"}
    assert names(selectors.customers_for_user(agent, region="上海", grade="key")) == {"张三"}
    assert names(selectors.customers_for_user(agent, customer_type="distributor")) == {"李四商行"}
    assert names(selectors.customers_for_user(agent, region="上海", phone="5678")) == {"张三"}


def test_customer_data_is_company_wide_for_those_who_may_view(
    book: dict[str, Customer], org: dict[str, Any]
) -> None:
    for who in ("agent_b1", "lead_a", "supervisor", "manager", "hr", "gm", "dgm", "sysadmin"):
        assert selectors.customers_for_user(org[who].user).count() == 3, who


def test_need_to_know_roles_without_the_right_see_nothing(
    book: dict[str, Customer], org: dict[str, Any]
) -> None:
    warehouse = org["warehouse"].user
    assert not selectors.customers_for_user(warehouse).exists()
    assert not selectors.customers_for_user(warehouse, phone="13812345678").exists()
    assert selectors.customer_by_phone(warehouse, "13812345678") is None
    assert selectors.regions_for_user(warehouse) == []
    with pytest.raises(Customer.DoesNotExist):
        selectors.customer_get_for_user(warehouse, book["zhang"].pk)


def test_customer_by_phone(book: dict[str, Customer], agent: Any) -> None:
    assert selectors.customer_by_phone(agent, "+86 138-1234-5678") == book["zhang"]
    assert selectors.customer_by_phone(agent, "13800000000") is None
    assert selectors.customer_by_phone(agent, "") is None


def test_regions_for_suggestions(book: dict[str, Customer], agent: Any) -> None:
    regions = selectors.regions_for_user(agent)
    # Sorted by the database's collation, each region once.
    assert sorted(regions) == sorted({"上海市徐汇区", "上海市浦东新区", "江苏南京"})
    assert len(regions) == 3


def test_list_query_count_does_not_grow(
    book: dict[str, Customer], agent: Any, django_assert_num_queries: Any
) -> None:
    CustomerFactory.create_batch(10, phones=None)
    agent.has_perm("customers.view_customer")  # permissions cached on the user, as in a request
    with django_assert_num_queries(2):  # customers + all their phones
        rows = list(selectors.customers_for_user(agent, region="上海"))
        assert all(len(c.phones.all()) >= 1 for c in rows)


def test_customer_record_is_the_orm_record_for_those_who_may_view(
    book: dict[str, Customer], org: dict[str, Any]
) -> None:
    zhang = Customer.objects.get(pk=book["zhang"].pk)
    for who in ("agent_b1", "lead_a", "supervisor", "manager"):
        record = selectors.customer_record_for_user(org[who].user, zhang.pk)
        assert record is not None, who
        fields = [f.attname for f in Customer._meta.concrete_fields]
        assert [getattr(record, f) for f in fields] == [getattr(zhang, f) for f in fields]
    assert selectors.customer_record_for_user(org["agent_b1"].user, zhang.pk + 1000) is None
    # Need-to-know (SEC-1): a role without the right gets nothing, not even whether it exists.
    assert selectors.customer_record_for_user(org["warehouse"].user, zhang.pk) is None
