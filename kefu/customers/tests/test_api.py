"""Customer API — 客户档案接口 at /api/v1/customers (CRM-1, SEC-1).

Every write is tried by refused roles (the test asserts nothing changed), errors have the shape
``{code, message, fields}``, phones are masked unless the caller may reveal them, and the number of
queries of a list does not grow with its rows.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/customers"


def state() -> dict[str, Any]:
    return {
        "customers": list(Customer.objects.order_by("pk").values()),
        "phones": list(CustomerPhone.objects.order_by("pk").values_list("customer_id", "phone")),
        "audit": AuditEvent.objects.count(),
    }


def post(client: Client, path: str, data: Any, **headers: str) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(path, json.dumps(data), content_type="application/json")


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "message", "fields"}
    assert data["message"]
    if code:
        assert data["code"] == code
    return data


NEW = {
    "name": "上海某某贸易有限公司",
    "phones": ["+86 138-1234-5678", "021-61234567"],
    "customer_type": "distributor",
    "grade": "major",
    "region": "华东",
    "address": "上海市浦东新区某路1号",
    "contact_person": "王先生",
    "notes": "年底需求询价",
}


# --- list and detail ----------------------------------------------------------------------------
def test_list_is_paginated_filtered_and_masked(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    CustomerFactory(name="张三", region="上海", phones=["13812345678"])
    CustomerFactory(name="李四", region="北京", phones=["13900005678"])
    CustomerFactory.create_batch(3, region="广州", phones=None)
    client = client_for(agent)
    data = client.get(BASE, {"page_size": 20}).json()
    assert set(data) == {"count", "page", "page_size", "items"}
    assert (data["count"], data["page"], data["page_size"]) == (5, 1, 20)
    found = client.get(BASE, {"phone": "5678"}).json()
    assert {c["name"] for c in found["items"]} == {"张三", "李四"}
    zhang = client.get(BASE, {"q": "138 1234 5678"}).json()["items"]
    assert [c["name"] for c in zhang] == ["张三"]
    # An agent may not reveal personal data: the number is masked by the server.
    assert zhang[0]["phones"] == [
        {"id": zhang[0]["phones"][0]["id"], "phone": "138****5678", "last4": "5678"}
    ]
    assert zhang[0]["grade_name"] == "普通"
    assert client.get(BASE, {"region": "广州"}).json()["count"] == 3
    assert client.get(BASE, {"page_size": 20, "page": 9}).json()["page"] == 1


def test_supervisor_sees_whole_numbers(
    org: dict[str, Any], client_for: Any, supervisor: Any
) -> None:
    customer = CustomerFactory(phones=["13812345678"])
    data = client_for(supervisor).get(f"{BASE}/{customer.pk}").json()
    assert data["phones"][0]["phone"] == "13812345678"


def test_detail_logs_the_view_once_per_interval(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    customer = CustomerFactory()
    client = client_for(agent)
    assert client.get(f"{BASE}/{customer.pk}").status_code == 200
    assert client.get(f"{BASE}/{customer.pk}").status_code == 200
    views = AuditEvent.objects.filter(action="customer.view", object_id=str(customer.pk))
    assert [e.actor_id for e in views] == [agent.pk]
    # The list is not an opening of a record: it logs nothing.
    client.get(BASE)
    assert views.count() == 1


def test_grades_come_from_the_policy(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    data = client_for(agent).get(f"{BASE}/grades").json()
    assert data == [
        {"code": "key", "name": "重点客户", "default": False},
        {"code": "major", "name": "大客户", "default": False},
        {"code": "normal", "name": "普通", "default": True},
    ]


# --- create -----------------------------------------------------------------------------------
def test_create_returns_201_and_is_idempotent(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    client = client_for(agent)
    first = post(client, BASE, NEW, **{"Idempotency-Key": "call-0001"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["code"].startswith("C") and body["grade"] == "major"
    assert [p["phone"] for p in body["phones"]] == ["138****5678", "021****4567"]
    again = post(client, BASE, NEW, **{"Idempotency-Key": "call-0001"})
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(action="customer.create").count() == 1


def test_duplicate_phone_is_409_naming_the_owner(
    org: dict[str, Any], client_for: Any, agent: Any
) -> None:
    owner = CustomerFactory(name="张三", phones=["13812345678"])
    before = state()
    data = assert_error(post(client_for(agent), BASE, NEW), 409, "customer_phone_taken")
    assert owner.code in data["fields"]["phones"]
    assert owner.code in data["message"]
    assert state() == before


def test_invalid_input_is_422(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    before = state()
    assert_error(post(client, BASE, {**NEW, "phones": []}), 422, "invalid")
    assert_error(post(client, BASE, {**NEW, "customer_type": "vip"}), 422, "invalid")
    bad_phone = assert_error(post(client, BASE, {**NEW, "phones": ["12345"]}), 422)
    assert bad_phone["code"] == "customer_phone_invalid" and "phones" in bad_phone["fields"]
    bad_grade = assert_error(post(client, BASE, {**NEW, "grade": "gold"}), 422, "customer_invalid")
    assert "grade" in bad_grade["fields"]
    assert state() == before


# --- change -----------------------------------------------------------------------------------
def test_patch_and_phones(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    customer = CustomerFactory(name="甲", phones=["13812345678"])
    client = client_for(agent)
    changed = patch(
        client, f"{BASE}/{customer.pk}", {"name": "甲公司", "grade": "key", "region": ""}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["grade"]) == ("甲公司", "key")
    assert_error(patch(client, f"{BASE}/{customer.pk}", {"grade": "gold"}), 422, "customer_invalid")

    added = post(client, f"{BASE}/{customer.pk}/phones", {"phone": "139-0000-1111"})
    assert added.status_code == 201, added.content
    assert [p["last4"] for p in added.json()["phones"]] == ["5678", "1111"]
    new_id = added.json()["phones"][1]["id"]

    other = CustomerFactory(phones=["13700002222"])
    taken = assert_error(post(client, f"{BASE}/{other.pk}/phones", {"phone": "13900001111"}), 409)
    assert taken["code"] == "customer_phone_taken" and customer.code in taken["fields"]["phone"]

    removed = client.delete(f"{BASE}/{customer.pk}/phones/{new_id}")
    assert removed.status_code == 200
    assert [p["last4"] for p in removed.json()["phones"]] == ["5678"]
    (last,) = customer.phones.all()
    assert_error(
        client.delete(f"{BASE}/{customer.pk}/phones/{last.pk}"), 409, "customer_phone_last"
    )
    # Another customer's phone id under this customer: not found, nothing removed.
    foreign = other.phones.get()
    assert_error(client.delete(f"{BASE}/{customer.pk}/phones/{foreign.pk}"), 404, "not_found")
    assert other.phones.count() == 1


# --- refused roles ----------------------------------------------------------------------------
def test_warehouse_is_refused_everything_and_nothing_changes(
    org: dict[str, Any], client_for: Any
) -> None:
    customer = CustomerFactory(phones=["13812345678", "13812345679"])
    phone = customer.phones.first()
    client = client_for(org["warehouse"].user)
    before = state()
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(client.get(f"{BASE}/{customer.pk}"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/grades"), 403, "forbidden")
    assert_error(post(client, BASE, NEW), 403, "forbidden")
    assert_error(patch(client, f"{BASE}/{customer.pk}", {"name": "改"}), 403, "forbidden")
    assert_error(post(client, f"{BASE}/{customer.pk}/phones", {"phone": "13900001111"}), 403)
    assert_error(client.delete(f"{BASE}/{customer.pk}/phones/{phone.pk}"), 403, "forbidden")
    assert state() == before


def test_view_only_roles_read_but_cannot_write(org: dict[str, Any], client_for: Any) -> None:
    customer = CustomerFactory(phones=["13812345678", "13812345679"])
    phone = customer.phones.first()
    for who in ("hr", "gm", "dgm"):
        client = client_for(org[who].user)
        assert client.get(BASE).json()["count"] == 1
        before = state()
        assert_error(post(client, BASE, NEW), 403, "forbidden")
        assert_error(patch(client, f"{BASE}/{customer.pk}", {"name": "改"}), 403, "forbidden")
        assert_error(post(client, f"{BASE}/{customer.pk}/phones", {"phone": "13900001111"}), 403)
        assert_error(client.delete(f"{BASE}/{customer.pk}/phones/{phone.pk}"), 403)
        assert state() == before


def test_anonymous_is_401(org: dict[str, Any]) -> None:
    assert_error(Client().get(BASE), 401, "unauthenticated")


def test_missing_customer_is_404(org: dict[str, Any], client_for: Any, agent: Any) -> None:
    assert_error(client_for(agent).get(f"{BASE}/999999"), 404, "not_found")


# --- query counts -----------------------------------------------------------------------------
def test_list_query_count_is_bounded_and_does_not_grow(
    org: dict[str, Any], client_for: Any, agent: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(agent)
    client.get(BASE)  # warm-up: session activity and the policy cache

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BASE, {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    CustomerFactory.create_batch(3, phones=None)
    small = measure()
    for n in range(40):
        CustomerFactory(phones=[f"1370000{n:04d}", f"1360000{n:04d}"])
    large = measure()
    assert large == small
    with django_assert_max_num_queries(10):
        client.get(BASE, {"page_size": 100, "q": "客户"})
