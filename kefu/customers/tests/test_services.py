"""Customer services — 客户档案维护 (CRM-1, SEC-1): create, duplicates, phones, find-or-create, view log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.core.policy import policy_version_create
from kefu.customers import services
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.phones import is_valid_phone, normalize_phone
from kefu.customers.policy import customer_policy
from kefu.customers.services import customers as customer_services
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def events(action: str, customer: Customer | None = None) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(action=action)
    if customer is not None:
        qs = qs.filter(object_type="customers.customer", object_id=str(customer.pk))
    return list(qs.order_by("seq"))


def state() -> dict[str, Any]:
    """Everything a refused write could have touched."""
    return {
        "customers": list(Customer.objects.order_by("pk").values()),
        "phones": list(CustomerPhone.objects.order_by("pk").values_list("customer_id", "phone")),
        "audit": AuditEvent.objects.count(),
    }


# --- normalisation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese IME
        ("(021) 6123-4567", "02161234567"),
        ("021-61234567", "02161234567"),
        ("400-820-8820", "4008208820"),
        ("", ""),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("13812345678", True),
        ("02161234567", True),
        ("4008208820", True),
        ("61234567", True),
        ("12345678901", False),  # mobiles start 13-19
        ("1381234567", False),
        ("138123456789", False),
        ("12345", False),
        ("138abc45678", False),
    ],
)
def test_valid_phone(number: str, valid: bool) -> None:
    assert is_valid_phone(number) is valid


# --- create ---------------------------------------------------------------------------------------
def test_create_numbers_normalises_defaults_and_audits(org: dict[str, Any], agent: Any) -> None:
    customer = services.customer_create(
        actor=agent,
        name=" 上海某某贸易有限公司 ",
        phones=["+86 138-1234-5678", "021 6123 4567", ""],
        customer_type="distributor",
        region="华东",
        contact_person="王先生",
    )
    customer.refresh_from_db()
    assert customer.code == f"C{customer.pk:06d}"
    assert customer.name == "上海某某贸易有限公司"
    assert customer.grade == customer_policy().default_grade == "normal"
    assert customer.created_by == agent
    phones = list(customer.phones.order_by("id").values_list("phone", "last4"))
    assert phones == [("13812345678", "5678"), ("02161234567", "4567")]
    (event,) = events("customer.create", customer)
    assert event.actor == agent
    assert event.after["code"] == customer.code
    assert event.after["phones"] == ["02161234567", "13812345678"]
    assert event.after["customer_type"] == "distributor"


def test_duplicate_phone_is_refused_naming_the_existing_customer(
    org: dict[str, Any], agent: Any
) -> None:
    first = services.customer_create(actor=agent, name="张三", phones=["13812345678"])
    before = state()
    with pytest.raises(services.CustomerPhoneTaken) as caught:
        # The same number written differently is the same number.
        services.customer_create(
            actor=agent, name="张三丰", phones=["139 0000 1111", "+86 138 1234 5678"]
        )
    error = caught.value
    assert isinstance(error, ConflictError)
    assert error.code == "customer_phone_taken"
    assert error.status == 409
    assert error.duplicate_of == first.pk
    assert first.code in error.fields["phones"] and "已属于客户" in error.fields["phones"]
    assert first.code in error.message
    assert state() == before  # nothing half-created: no customer, no phone, no audit


def test_repeated_invalid_and_missing_phones(org: dict[str, Any], agent: Any) -> None:
    before = state()
    with pytest.raises(DomainError) as repeated:
        services.customer_create(actor=agent, name="甲", phones=["13812345678", "138-1234-5678"])
    assert repeated.value.code == "customer_phone_repeated"
    with pytest.raises(DomainError) as invalid:
        services.customer_create(actor=agent, name="甲", phones=["12345"])
    assert invalid.value.code == "customer_phone_invalid"
    assert "phones" in invalid.value.fields
    with pytest.raises(DomainError) as missing:
        services.customer_create(actor=agent, name="甲", phones=["", "  "])
    assert missing.value.code == "customer_phone_required"
    assert state() == before


def test_invalid_fields_are_listed_together(org: dict[str, Any], agent: Any) -> None:
    with pytest.raises(DomainError) as caught:
        services.customer_create(
            actor=agent,
            name="  ",
            phones=["13812345678"],
            customer_type="vip",
            grade="gold",
            region="区" * 61,
        )
    assert caught.value.code == "customer_invalid"
    assert set(caught.value.fields) == {"name", "customer_type", "grade", "region"}
    assert caught.value.fields["grade"] == "客户等级不在现行制度的等级中"
    assert not Customer.objects.exists()


def test_grades_follow_the_policy_in_force(org: dict[str, Any], agent: Any, sysadmin: Any) -> None:
    with pytest.raises(DomainError):
        services.customer_create(actor=agent, name="甲", phones=["13812345678"], grade="vip")
    body = customer_policy().model_dump(mode="json")
    body["grades"] = [*body["grades"], {"code": "vip", "name": "VIP客户"}]
    policy_version_create(
        actor=sysadmin, domain="customers", effective_from=timezone.localdate(), body=body
    )
    customer = services.customer_create(actor=agent, name="甲", phones=["13812345678"], grade="vip")
    assert customer.grade == "vip"


@pytest.mark.parametrize("who", ["warehouse", "hr", "gm"])
def test_roles_without_add_right_cannot_create(org: dict[str, Any], who: str) -> None:
    before = state()
    with pytest.raises(PermissionDeniedError):
        services.customer_create(actor=org[who].user, name="甲", phones=["13812345678"])
    assert state() == before


# --- update -----------------------------------------------------------------------------------
def test_update_audits_only_what_changed(org: dict[str, Any], agent: Any) -> None:
    customer = services.customer_create(actor=agent, name="甲", phones=["13812345678"])
    services.customer_update(
        actor=agent, customer=customer, name="甲公司", region="华南", grade="key"
    )
    customer.refresh_from_db()
    assert (customer.name, customer.region, customer.grade) == ("甲公司", "华南", "key")
    (event,) = events("customer.update", customer)
    assert event.before == {"name": "甲", "region": "", "grade": "normal"}
    assert event.after == {"name": "甲公司", "region": "华南", "grade": "key"}
    # Saving the same values again is not a change: no event.
    services.customer_update(actor=agent, customer=customer, name="甲公司", region="华南")
    assert len(events("customer.update", customer)) == 1
    # "" clears an optional field; None leaves it.
    services.customer_update(actor=agent, customer=customer, region="", name=None)
    customer.refresh_from_db()
    assert customer.region == "" and customer.name == "甲公司"


def test_a_grade_dropped_by_the_policy_is_kept_but_not_given(
    org: dict[str, Any], agent: Any, sysadmin: Any
) -> None:
    customer = services.customer_create(
        actor=agent, name="甲", phones=["13812345678"], grade="major"
    )
    other = services.customer_create(actor=agent, name="乙", phones=["13812345679"])
    body = customer_policy().model_dump(mode="json")
    body["grades"] = [g for g in body["grades"] if g["code"] != "major"]
    policy_version_create(
        actor=sysadmin, domain="customers", effective_from=timezone.localdate(), body=body
    )
    services.customer_update(actor=agent, customer=customer, grade="major", name="甲2")
    customer.refresh_from_db()
    assert customer.grade == "major" and customer.name == "甲2"
    with pytest.raises(DomainError) as caught:
        services.customer_update(actor=agent, customer=other, grade="major")
    assert "grade" in caught.value.fields


def test_refused_update_changes_nothing(org: dict[str, Any], agent: Any) -> None:
    customer = services.customer_create(actor=agent, name="甲", phones=["13812345678"])
    before = state()
    for who in ("warehouse", "hr", "dgm"):
        with pytest.raises(PermissionDeniedError):
            services.customer_update(actor=org[who].user, customer=customer, name="改")
    assert state() == before


# --- phones -----------------------------------------------------------------------------------
def test_add_and_remove_phones(org: dict[str, Any], agent: Any) -> None:
    customer = services.customer_create(actor=agent, name="甲", phones=["13812345678"])
    added = services.customer_add_phone(actor=agent, customer=customer, phone="021-6123 4567")
    assert (added.phone, added.last4) == ("02161234567", "4567")
    (event,) = events("customer.phone_add", customer)
    assert event.after["phone"] == "02161234567"
    assert event.after["phones"] == ["02161234567", "13812345678"]

    with pytest.raises(ConflictError) as again:
        services.customer_add_phone(actor=agent, customer=customer, phone="02161234567")
    assert again.value.code == "customer_phone_exists"

    other = services.customer_create(actor=agent, name="乙", phones=["13900001111"])
    with pytest.raises(services.CustomerPhoneTaken) as taken:
        services.customer_add_phone(actor=agent, customer=other, phone="138 1234 5678")
    assert taken.value.duplicate_of == customer.pk
    assert set(taken.value.fields) == {"phone"}

    services.customer_remove_phone(actor=agent, customer=customer, phone=added, reason="空号")
    assert list(customer.phones.values_list("phone", flat=True)) == ["13812345678"]
    (removed,) = events("customer.phone_remove", customer)
    assert removed.before["phone"] == "02161234567" and removed.reason == "空号"


def test_the_last_phone_stays(org: dict[str, Any], agent: Any) -> None:
    customer = services.customer_create(actor=agent, name="甲", phones=["13812345678"])
    (only,) = customer.phones.all()
    before = state()
    with pytest.raises(DomainError) as caught:
        services.customer_remove_phone(actor=agent, customer=customer, phone=only)
    assert caught.value.code == "customer_phone_last"
    assert state() == before


def test_a_phone_of_another_customer_cannot_be_removed(org: dict[str, Any], agent: Any) -> None:
    one = CustomerFactory(phones=["13812345678", "13812345679"])
    two = CustomerFactory(phones=["13900001111", "13900001112"])
    foreign = one.phones.first()
    with pytest.raises(DomainError) as caught:
        services.customer_remove_phone(actor=agent, customer=two, phone=foreign)
    assert caught.value.code == "customer_phone_not_found"
    assert one.phones.count() == 2


def test_refused_phone_changes(org: dict[str, Any]) -> None:
    customer = CustomerFactory(phones=["13812345678", "13812345679"])
    phone = customer.phones.first()
    before = state()
    for who in ("warehouse", "hr"):
        user = org[who].user
        with pytest.raises(PermissionDeniedError):
            services.customer_add_phone(actor=user, customer=customer, phone="13900001111")
        with pytest.raises(PermissionDeniedError):
            services.customer_remove_phone(actor=user, customer=customer, phone=phone)
    assert state() == before


def test_a_concurrent_insert_of_the_same_number_is_reported_as_taken(
    org: dict[str, Any], agent: Any, monkeypatch: Any
) -> None:
    owner = CustomerFactory(phones=["13812345678"])
    real = customer_services._check_free
    calls: list[list[str]] = []

    def stale_check(numbers: list[str], **kwargs: Any) -> None:
        calls.append(numbers)
        if len(calls) == 1:
            return  # the look-up ran before the other request's insert committed
        real(numbers, **kwargs)

    monkeypatch.setattr(customer_services, "_check_free", stale_check)
    with pytest.raises(services.CustomerPhoneTaken) as caught:
        services.customer_create(actor=agent, name="甲", phones=["13812345678"])
    assert caught.value.duplicate_of == owner.pk
    assert Customer.objects.count() == 1


# --- find or create ---------------------------------------------------------------------------
def test_find_or_create_finds_whatever_the_written_form(org: dict[str, Any], agent: Any) -> None:
    existing = services.customer_create(actor=agent, name="张三", phones=["13812345678"])
    audit_before = AuditEvent.objects.count()
    found, created = services.customer_find_or_create_by_phone(
        actor=agent, phone="+86 138-1234-5678"
    )
    assert (found.pk, created) == (existing.pk, False)
    assert AuditEvent.objects.count() == audit_before


def test_find_or_create_creates_with_the_number_only(org: dict[str, Any], agent: Any) -> None:
    customer, created = services.customer_find_or_create_by_phone(actor=agent, phone="13912345678")
    assert created is True
    assert customer.name == "来电客户（尾号5678）"
    assert customer.grade == "normal"
    assert list(customer.phones.values_list("phone", flat=True)) == ["13912345678"]
    assert len(events("customer.create", customer)) == 1
    named, created = services.customer_find_or_create_by_phone(
        actor=agent, phone="13912345679", name="李四"
    )
    assert created and named.name == "李四"


def test_find_or_create_rights(org: dict[str, Any], agent: Any) -> None:
    existing = CustomerFactory(phones=["13812345678"])
    hr = org["hr"].user  # may view customers, not add them
    assert services.customer_find_or_create_by_phone(actor=hr, phone="13812345678") == (
        existing,
        False,
    )
    before = state()
    with pytest.raises(PermissionDeniedError):
        services.customer_find_or_create_by_phone(actor=hr, phone="13900001111")
    with pytest.raises(PermissionDeniedError):
        services.customer_find_or_create_by_phone(actor=org["warehouse"].user, phone="13812345678")
    assert state() == before
    with pytest.raises(DomainError) as bad:
        services.customer_find_or_create_by_phone(actor=agent, phone="12")
    assert bad.value.code == "customer_phone_invalid"


def test_find_or_create_race_returns_the_winner(
    org: dict[str, Any], agent: Any, monkeypatch: Any
) -> None:
    winner = CustomerFactory(phones=["13812345678"])
    # The other call's customer appeared between this call's look-up and its insert.
    monkeypatch.setattr(customer_services, "_owner_of", lambda number: None)
    found, created = services.customer_find_or_create_by_phone(actor=agent, phone="13812345678")
    assert (found.pk, created) == (winner.pk, False)
    assert Customer.objects.count() == 1


# --- view log ---------------------------------------------------------------------------------
def test_views_are_logged_at_most_once_per_person_per_interval(
    org: dict[str, Any], agent: Any, supervisor: Any
) -> None:
    customer = CustomerFactory()
    assert services.customer_view_record(actor=agent, customer=customer) is True
    assert services.customer_view_record(actor=agent, customer=customer) is False
    assert services.customer_view_record(actor=supervisor, customer=customer) is True
    later = timezone.now() + dt.timedelta(minutes=61)
    assert services.customer_view_record(actor=agent, customer=customer, now=later) is True
    logged = events("customer.view", customer)
    assert [e.actor_id for e in logged] == [agent.pk, supervisor.pk, agent.pk]


def test_interval_zero_logs_every_view(org: dict[str, Any], agent: Any, sysadmin: Any) -> None:
    body = customer_policy().model_dump(mode="json")
    body["view_log"] = {"interval_minutes": 0}
    policy_version_create(
        actor=sysadmin, domain="customers", effective_from=timezone.localdate(), body=body
    )
    customer = CustomerFactory()
    for _ in range(3):
        assert services.customer_view_record(actor=agent, customer=customer) is True
    assert len(events("customer.view", customer)) == 3


def test_view_log_refuses_roles_without_view_right(org: dict[str, Any]) -> None:
    customer = CustomerFactory()
    with pytest.raises(PermissionDeniedError):
        services.customer_view_record(actor=org["warehouse"].user, customer=customer)
    assert not events("customer.view")
