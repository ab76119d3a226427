"""Customer policy — 客户档案制度参数 (CRM-1, SEC-1): registered by the app, validated, versioned."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.core.models import Policy
from kefu.core.policy import DOMAIN_LABELS, default_bodies, policy_version_create, validate_body
from kefu.customers.policy import CustomerPolicy, customer_policy

pytestmark = pytest.mark.django_db


def test_the_domain_is_registered_and_loaded_as_version_1() -> None:
    assert DOMAIN_LABELS["customers"] == "客户档案"
    stored = Policy.objects.get(domain="customers", version=1)
    # Version 1 is the app's policy_defaults.toml, loaded by core's post_migrate.
    assert CustomerPolicy.model_validate(stored.body) == CustomerPolicy.model_validate(
        default_bodies()["customers"]
    )
    policy = customer_policy()
    assert isinstance(policy, CustomerPolicy)
    assert [(g.code, g.name) for g in policy.grades] == [
        ("key", "重点客户"),
        ("major", "大客户"),
        ("normal", "普通"),
    ]
    assert policy.default_grade == "normal"
    assert policy.view_log.interval_minutes == 60
    assert policy.grade_name("major") == "大客户"
    assert policy.grade_name("gone") == "gone"
    assert policy.grade_by_name()["重点客户"] == "key"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"default_grade": "vip"}, "body"),
        ({"grades": []}, "grades"),
        ({"grades": [{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}]}, "body"),
        ({"grades": [{"code": "A B", "name": "甲"}]}, "grades.0.code"),
        ({"view_log": {"interval_minutes": -1}}, "view_log.interval_minutes"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_versions_are_refused_with_chinese_messages(
    change: dict[str, Any], field: str
) -> None:
    body = customer_policy().model_dump(mode="json") | change
    with pytest.raises(DomainError) as caught:
        validate_body("customers", body)
    assert caught.value.code == "policy_invalid"
    assert any(key.startswith(field) for key in caught.value.fields), caught.value.fields


def test_a_new_version_takes_effect_on_its_day(org: dict[str, Any], sysadmin: Any) -> None:
    body = customer_policy().model_dump(mode="json")
    body["grades"].append({"code": "vip", "name": "VIP客户"})
    today = timezone.localdate()
    policy_version_create(actor=sysadmin, domain="customers", effective_from=today, body=body)
    assert customer_policy(today).grade_name("vip") == "VIP客户"
    assert customer_policy(today.replace(year=today.year - 1)).grade_name("vip") == "vip"
