"""Policy as data — 制度参数: the version in force on a day, new versions, validation, defaults."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from kefu.core.audit import verify_chain
from kefu.core.errors import DomainError
from kefu.core.models import AuditEvent, Policy
from kefu.core.policy import (
    DOMAINS,
    check_new_version,
    default_bodies,
    load_default_policies,
    policy_for,
    policy_version_create,
    security_policy,
    validate_body,
)

pytestmark = pytest.mark.django_db

V1_DAY = dt.date(2020, 1, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _security(**changes: Any) -> dict[str, Any]:
    body = dict(default_bodies()["security"])
    body.update(changes)
    return body


@pytest.fixture
def fresh_security() -> Policy:
    """Only one security version: v1 effective 2020-01-01, allowed because it is the first."""
    Policy.objects.filter(domain="security").delete()
    return policy_version_create(
        actor=None,
        domain="security",
        effective_from=V1_DAY,
        body=_security(login_max_failures=5),
        allow_backdate=True,
    )


def _future(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _create_v2(effective_from: dt.date, actor: Any = None, **changes: Any) -> Policy:
    return policy_version_create(
        actor=actor,
        domain="security",
        effective_from=effective_from,
        body=_security(**changes),
        note="调整锁定次数",
    )


# --- the version in force -------------------------------------------------------------------
def test_policy_for_picks_the_version_in_force_on_the_day(fresh_security: Policy) -> None:
    v2_day = _future(30)
    v2 = _create_v2(v2_day, login_max_failures=8)
    assert (fresh_security.version, v2.version) == (1, 2)

    assert policy_for("security", V1_DAY).login_max_failures == 5
    assert policy_for("security", v2_day - dt.timedelta(days=1)).login_max_failures == 5
    assert policy_for("security", v2_day).login_max_failures == 8
    assert policy_for("security", v2_day + dt.timedelta(days=400)).login_max_failures == 8
    assert security_policy(v2_day).login_max_failures == 8


def test_policy_for_defaults_to_today_in_shanghai(fresh_security: Policy) -> None:
    v2_day = _future(30)
    _create_v2(v2_day, login_max_failures=8)
    assert policy_for("security").login_max_failures == 5
    day_before = v2_day - dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=day_before):
        assert policy_for("security").login_max_failures == 5
    with mock.patch("django.utils.timezone.localdate", return_value=v2_day):
        assert policy_for("security").login_max_failures == 8


def test_policy_for_before_the_first_version_is_refused(fresh_security: Policy) -> None:
    with pytest.raises(DomainError) as caught:
        policy_for("security", V1_DAY - dt.timedelta(days=1))
    assert caught.value.code == "policy_missing"
    assert caught.value.status == 409
    assert "登录与会话" in caught.value.message


def test_policy_is_typed_and_frozen() -> None:
    fines = policy_for("fines")
    assert fines.penalty_cap_ratio == Decimal("0.5")
    with pytest.raises(Exception, match="frozen"):
        fines.penalty_cap_ratio = Decimal("1")  # type: ignore[misc]


def test_rolled_back_version_is_never_served_from_cache(fresh_security: Policy) -> None:
    """Parses are cached per row; a row id reused after a rollback (SQLite) must not hit it."""
    v2_day = _future(10)
    with pytest.raises(RuntimeError), transaction.atomic():
        _create_v2(v2_day, login_max_failures=9)
        assert policy_for("security", v2_day).login_max_failures == 9
        raise RuntimeError("roll back")
    assert policy_for("security", v2_day).login_max_failures == 5
    _create_v2(v2_day, login_max_failures=7)
    assert policy_for("security", v2_day).login_max_failures == 7


# --- new versions ---------------------------------------------------------------------------
def test_creating_a_version_is_audited(fresh_security: Policy, sysadmin: Any) -> None:
    v2_day = _future(5)
    v2 = _create_v2(v2_day, actor=sysadmin, lockout_minutes=20)
    assert v2.created_by == sysadmin
    assert v2.body["lockout_minutes"] == 20
    event = AuditEvent.objects.for_object("core.policy", v2.pk).get()
    assert event.action == "policy.version_create"
    assert event.actor_id == sysadmin.pk
    assert event.reason == "调整锁定次数"
    assert event.after["version"] == 2
    assert event.after["domain"] == "security"
    assert event.after["effective_from"] == v2_day.isoformat()
    assert event.after["body"] == v2.body
    assert verify_chain() is None


def test_backdated_version_is_refused(fresh_security: Policy) -> None:
    count, events = Policy.objects.count(), AuditEvent.objects.count()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        _create_v2(yesterday)
    assert caught.value.code == "policy_backdated"
    assert "effective_from" in caught.value.fields
    assert CJK.search(caught.value.fields["effective_from"])
    # Only the very first load may backdate; a later version may not even when asked to.
    with pytest.raises(DomainError) as caught:
        policy_version_create(
            actor=None,
            domain="security",
            effective_from=yesterday,
            body=_security(),
            allow_backdate=True,
        )
    assert caught.value.code == "policy_backdated"
    assert (Policy.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_version_effective_today_is_allowed(fresh_security: Policy) -> None:
    today = timezone.localdate()
    v2 = _create_v2(today, login_max_failures=6)
    assert v2.version == 2
    assert policy_for("security").login_max_failures == 6


def test_backdating_follows_the_calendar_not_the_row_age(fresh_security: Policy) -> None:
    """Time travel: a date that was the future yesterday is the past tomorrow."""
    day = _future(3)
    with mock.patch("django.utils.timezone.localdate", return_value=day + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as caught:
            check_new_version("security", day)
        assert caught.value.code == "policy_backdated"
    with mock.patch("django.utils.timezone.localdate", return_value=day - dt.timedelta(days=1)):
        assert check_new_version("security", day) == 1


def test_two_versions_on_one_date_are_refused(fresh_security: Policy) -> None:
    day = _future(10)
    _create_v2(day, login_max_failures=6)
    count, events = Policy.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        _create_v2(day, login_max_failures=7)
    assert caught.value.code == "policy_duplicate_date"
    assert caught.value.status == 409
    assert "effective_from" in caught.value.fields
    assert (Policy.objects.count(), AuditEvent.objects.count()) == (count, events)
    assert policy_for("security", day).login_max_failures == 6


def test_initial_load_may_backdate_only_when_the_domain_is_empty() -> None:
    Policy.objects.filter(domain="security").delete()
    assert check_new_version("security", V1_DAY, allow_backdate=True) == 0
    with pytest.raises(DomainError):
        check_new_version("security", V1_DAY)


def test_version_numbers_count_up(fresh_security: Policy) -> None:
    versions = [_create_v2(_future(d)).version for d in (3, 1, 2)]
    assert versions == [2, 3, 4]


# --- validation -----------------------------------------------------------------------------
def _fields_of(domain: str, body: Any) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        validate_body(domain, body)
    assert caught.value.code == "policy_invalid"
    assert caught.value.message.startswith("制度参数不合法")
    for path, message in caught.value.fields.items():
        assert CJK.search(message), f"{path}: {message!r} is not Chinese"
        assert "Input should" not in message
    return caught.value.fields


def test_invalid_body_gives_chinese_messages_per_field() -> None:
    fields = _fields_of(
        "security",
        {"login_max_failures": 0, "lockout_minutes": "abc", "extra": 1},
    )
    assert fields == {
        "login_max_failures": "不能小于 1",
        "lockout_minutes": "必须是整数",
        "idle_timeout_minutes": "必填",
        "extra": "不允许的字段",
    }


def test_nested_paths_are_keyed_with_dots() -> None:
    body = default_bodies()["org"]
    body["approval"]["leave"][0]["final_level"] = "boss"
    fields = _fields_of("org", body)
    assert list(fields) == ["approval.leave.0.final_level"]
    assert fields["approval.leave.0.final_level"].startswith("只能是")

    shifts = default_bodies()["shifts"]
    shifts["shifts"][1]["start"] = "8:30"
    shifts["shifts"][2]["code"] = ""
    fields = _fields_of("shifts", shifts)
    assert fields["shifts.1.start"] == "格式不正确（时间应为 HH:MM）"
    assert "shifts.2.code" in fields


def test_cross_field_rules_are_reported_in_chinese() -> None:
    sla = default_bodies()["sla"]
    sla["ship_hours"] = 72
    assert _fields_of("sla", sla) == {"body": "发货时限不能超过最迟发货时限"}

    scorecard = default_bodies()["scorecard"]
    scorecard["bands"][1]["upper"] = 85
    assert _fields_of("scorecard", scorecard) == {"body": "扣分分段必须首尾相接"}


@pytest.mark.parametrize(
    ("domain", "body", "path"),
    [
        ("security", [1, 2, 3], "body"),
        ("security", "text", "body"),
        ("security", _security(login_max_failures=[5]), "login_max_failures"),
        ("security", _security(lockout_minutes=1.5), "lockout_minutes"),
        ("workforce", {**default_bodies()["workforce"], "swap_allow_consecutive": "maybe"}, None),
        ("fines", {**default_bodies()["fines"], "penalty_cap_ratio": "lots"}, None),
        ("fines", {**default_bodies()["fines"], "unclear_swap": "20.123"}, "unclear_swap"),
        ("fines", {**default_bodies()["fines"], "service_complaint": "50"}, None),
        ("shifts", {**default_bodies()["shifts"], "shifts": []}, "shifts"),
        ("shifts", {**default_bodies()["shifts"], "shifts": {"a": 1}}, "shifts"),
        ("sla", {**default_bodies()["sla"], "business_hours": [["08:30"]]}, None),
        ("sla", {**default_bodies()["sla"], "business_hours": "08:30-24:00"}, None),
        ("commission", {**default_bodies()["commission"], "top_seller_awards": ["x"]}, None),
    ],
)
def test_every_kind_of_error_is_chinese(domain: str, body: Any, path: str | None) -> None:
    fields = _fields_of(domain, body)
    if path is not None:
        assert path in fields


def test_unknown_domain_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        validate_body("weather", {})
    assert caught.value.code == "policy_unknown_domain"
    assert "domain" in caught.value.fields


def test_invalid_body_creates_nothing(fresh_security: Policy) -> None:
    count, events = Policy.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        _create_v2(_future(3), login_max_failures=0)
    assert caught.value.fields == {"login_max_failures": "不能小于 1"}
    assert (Policy.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_stored_body_is_the_normalised_json() -> None:
    fines = default_bodies()["fines"]
    fines["penalty_cap_ratio"] = 0.4
    policy = policy_version_create(
        actor=None, domain="fines", effective_from=_future(2), body=fines
    )
    stored = Policy.objects.get(pk=policy.pk).body
    assert stored["penalty_cap_ratio"] == "0.4"
    assert stored["service_complaint"] == {"first": "50", "multiplier": "2", "dismissal_on": 3}
    assert policy_for("fines", _future(2)).penalty_cap_ratio == Decimal("0.4")


# --- defaults -------------------------------------------------------------------------------
def test_default_body_validates_for_every_domain() -> None:
    bodies = default_bodies()
    assert set(bodies) == set(DOMAINS)
    for domain, body in bodies.items():
        assert isinstance(validate_body(domain, body), DOMAINS[domain])


def test_defaults_are_loaded_after_migrate_for_every_domain() -> None:
    for domain in DOMAINS:
        row = Policy.objects.get(domain=domain)
        assert row.version == 1
        assert row.effective_from == dt.date(2000, 1, 1)
    assert AuditEvent.objects.filter(action="policy.version_create").count() >= len(DOMAINS)


def test_default_numbers_match_the_requirements() -> None:
    assert policy_for("sla").complaint_close_days == 7  # CMP-6
    assert policy_for("workforce").swap_max_per_month == 3  # WFM-3
    fines = policy_for("fines")
    assert fines.service_complaint.first == Decimal("50")  # CMP-11
    assert fines.service_complaint.multiplier == 2
    assert fines.service_complaint.dismissal_on == 3
    assert fines.penalty_cap_ratio == Decimal("0.5")  # CMP-9
    scorecard = policy_for("scorecard")  # PERF-4 (b)
    assert [band.money_per_point for band in scorecard.bands] == [10, 20, 30, 40]
    assert [(band.upper, band.lower) for band in scorecard.bands] == [
        (100, 90),
        (90, 80),
        (80, 70),
        (70, 60),
    ]
    assert scorecard.dismissal_below == 60
    commission = policy_for("commission")  # PERF-2
    assert commission.conversion_threshold == Decimal("0.70")
    assert (commission.rate_below, commission.rate_at_or_above) == (
        Decimal("0.01"),
        Decimal("0.015"),
    )
    security = policy_for("security")
    assert (security.login_max_failures, security.lockout_minutes) == (5, 15)


def test_load_default_policies_is_idempotent() -> None:
    count, events = Policy.objects.count(), AuditEvent.objects.count()
    assert load_default_policies() == []
    assert load_default_policies() == []
    assert (Policy.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_load_default_policies_fills_only_missing_domains() -> None:
    Policy.objects.filter(domain="fines").delete()
    others = set(Policy.objects.values_list("pk", flat=True))
    assert load_default_policies() == ["fines"]
    assert set(Policy.objects.exclude(domain="fines").values_list("pk", flat=True)) == others
    fines = Policy.objects.get(domain="fines")
    assert fines.version == 1
    assert AuditEvent.objects.for_object("core.policy", fines.pk).count() == 1
    assert load_default_policies() == []


def test_policy_load_defaults_command(capsys: Any) -> None:
    from django.core.management import call_command

    call_command("policy_load_defaults")
    assert "无需加载" in capsys.readouterr().out


# --- API ------------------------------------------------------------------------------------
def test_policy_api_uses_the_day_asked_and_today_in_shanghai(
    fresh_security: Policy, client_for: Any, sysadmin: Any
) -> None:
    v2_day = _future(30)
    _create_v2(v2_day, login_max_failures=8)
    client = client_for(sysadmin)
    response = client.get(f"/api/v1/policies/security?on={v2_day.isoformat()}")
    assert response.status_code == 200
    assert response.json()["body"]["login_max_failures"] == 8
    response = client.get("/api/v1/policies/security")
    assert response.json()["body"]["login_max_failures"] == 5
    with mock.patch("django.utils.timezone.localdate", return_value=v2_day):
        response = client.get("/api/v1/policies/security")
    assert response.json()["on"] == v2_day.isoformat()
    assert response.json()["body"]["login_max_failures"] == 8


def test_policy_api_refuses_a_role_without_the_right(client_for: Any, agent: Any) -> None:
    response = client_for(agent).get("/api/v1/policies/security")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_policy_api_unknown_domain(client_for: Any, sysadmin: Any) -> None:
    assert client_for(sysadmin).get("/api/v1/policies/weather").status_code == 404


def test_an_app_can_register_its_own_domain(tmp_path, db):
    """register_domain: an app's schema and default file join the defaults and validation."""
    from pydantic import BaseModel, ConfigDict

    from kefu.core import policy as policy_module

    class DemoPolicy(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        limit_days: int

    defaults = tmp_path / "policy_defaults.toml"
    defaults.write_text("limit_days = 7\n", encoding="utf-8")
    try:
        policy_module.register_domain("demo_app", DemoPolicy, "演示", defaults)
        assert policy_module.default_bodies()["demo_app"] == {"limit_days": 7}
        assert policy_module.load_default_policies() == ["demo_app"]
        assert policy_module.policy_for("demo_app").limit_days == 7
        with pytest.raises(DomainError) as exc:
            policy_module.validate_body("demo_app", {"limit_days": "x"})
        assert "limit_days" in exc.value.fields
        with pytest.raises(ValueError):
            policy_module.register_domain("demo_app", BaseModel, "演示", defaults)
    finally:
        policy_module.DOMAINS.pop("demo_app", None)
        policy_module.DOMAIN_LABELS.pop("demo_app", None)
        policy_module._EXTRA_DEFAULT_FILES.pop("demo_app", None)
