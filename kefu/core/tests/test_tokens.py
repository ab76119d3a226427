"""Personal API tokens — 个人API令牌: shown once, stored hashed, Bearer auth, revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kefu.core.audit import verify_chain
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import ApiToken, AuditEvent
from kefu.core.tokens import api_token_create, api_token_revoke, hash_token, user_for_token

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- the service ----------------------------------------------------------------------------
def test_create_returns_the_raw_value_once_and_stores_only_its_hash(agent: Any) -> None:
    token, raw = api_token_create(actor=agent, name="报表脚本")
    assert raw.startswith("kefu_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[:12]
    assert stored.user == agent
    assert stored.name == "报表脚本"
    stored_values = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert raw not in stored_values
    assert not any(raw[12:] in value for value in stored_values)
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.object_id == str(token.pk)
    assert raw not in str(event.after)
    assert event.after == {"name": "报表脚本", "prefix": raw[:12]}


def test_two_tokens_differ(agent: Any) -> None:
    _, first = api_token_create(actor=agent, name="一")
    _, second = api_token_create(actor=agent, name="二")
    assert first != second


@pytest.mark.parametrize(
    ("name", "code"), [("  ", "token_name_required"), ("x" * 81, "token_name_too_long")]
)
def test_create_validates_the_name(agent: Any, name: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        api_token_create(actor=agent, name=name)
    assert caught.value.code == code
    assert "name" in caught.value.fields
    assert not ApiToken.objects.exists()


def test_anonymous_cannot_create() -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        api_token_create(actor=AnonymousUser(), name="x")
    assert not ApiToken.objects.exists()


def test_user_for_token_rejects_unknown_and_foreign_strings(agent: Any) -> None:
    _, raw = api_token_create(actor=agent, name="脚本")
    assert user_for_token(raw) == agent
    assert user_for_token("") is None
    assert user_for_token(raw + "x") is None
    assert user_for_token(raw[5:]) is None
    assert user_for_token(hash_token(raw)) is None


def test_last_used_is_stamped_at_most_hourly(agent: Any) -> None:
    token, raw = api_token_create(actor=agent, name="脚本")
    assert token.last_used_at is None
    user_for_token(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    user_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_another_user_cannot_revoke_my_token(agent: Any, org: dict[str, Any]) -> None:
    token, raw = api_token_create(actor=agent, name="脚本")
    colleague = org["supervisor"].user
    with pytest.raises(PermissionDeniedError):
        api_token_revoke(actor=colleague, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(raw) == agent
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_revoking_twice_is_a_conflict(agent: Any) -> None:
    token, _ = api_token_create(actor=agent, name="脚本")
    api_token_revoke(actor=agent, token=token)
    with pytest.raises(DomainError) as caught:
        api_token_revoke(actor=agent, token=token)
    assert caught.value.code == "token_already_revoked"
    assert caught.value.status == 409
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


# --- Bearer auth on the API -----------------------------------------------------------------
def test_bearer_token_authenticates_me(agent: Any) -> None:
    _, raw = api_token_create(actor=agent, name="脚本")
    response = Client().get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == agent.username
    assert response.json()["employee"]["phone"] == "138****5678"


def test_no_or_wrong_token_is_401(agent: Any) -> None:
    api_token_create(actor=agent, name="脚本")
    assert Client().get("/api/v1/me").status_code == 401
    response = Client().get("/api/v1/me", **_bearer("kefu_not-a-real-token"))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revoked_token_is_401(agent: Any) -> None:
    token, raw = api_token_create(actor=agent, name="脚本")
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 200
    api_token_revoke(actor=agent, token=token)
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_token_of_a_person_who_left_is_401(agent: Any) -> None:
    _, raw = api_token_create(actor=agent, name="脚本")
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 200
    agent.is_active = False
    agent.save()
    response = Client().get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 401
    assert user_for_token(raw) is None


def test_token_of_an_employee_who_left_through_the_service_is_401(
    org: dict[str, Any], hr: Any
) -> None:
    from kefu.org.services import employee_leave

    agent = org["agent_a1"]
    _, raw = api_token_create(actor=agent.user, name="脚本")
    employee_leave(actor=hr, employee=agent, left_on=timezone.localdate(), reason="辞职")
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_token_api_create_list_and_revoke(agent: Any) -> None:
    _, raw = api_token_create(actor=agent, name="管理用")
    client = Client()
    created = client.post(
        "/api/v1/tokens", {"name": "新令牌"}, content_type="application/json", **_bearer(raw)
    )
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("kefu_")
    assert body["prefix"] == body["token"][:12]
    new = ApiToken.objects.get(pk=body["id"])
    assert new.key_hash == hash_token(body["token"])

    listed = client.get("/api/v1/tokens", **_bearer(raw)).json()
    assert {t["name"] for t in listed} == {"管理用", "新令牌"}
    assert all("token" not in t for t in listed)

    revoked = client.post(f"/api/v1/tokens/{new.pk}/revoke", **_bearer(raw))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", **_bearer(body["token"])).status_code == 401
    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 200
    assert verify_chain() is None


def test_another_user_cannot_revoke_my_token_via_api(agent: Any, org: dict[str, Any]) -> None:
    token, raw = api_token_create(actor=agent, name="脚本")
    colleague = org["supervisor"].user
    _, colleague_raw = api_token_create(actor=colleague, name="主管脚本")
    events = AuditEvent.objects.count()

    response = Client().post(f"/api/v1/tokens/{token.pk}/revoke", **_bearer(colleague_raw))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

    session = Client()
    session.force_login(colleague)
    assert session.post(f"/api/v1/tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AuditEvent.objects.count() == events
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 200
    listed = Client().get("/api/v1/tokens", **_bearer(colleague_raw)).json()
    assert [t["name"] for t in listed] == ["主管脚本"]


def test_another_user_cannot_revoke_my_token_via_the_page(
    agent: Any, org: dict[str, Any], client_for: Any
) -> None:
    token, _ = api_token_create(actor=agent, name="脚本")
    response = client_for(org["supervisor"].user).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- the page -------------------------------------------------------------------------------
def test_token_page_shows_the_raw_value_only_once(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    response = client.post("/settings/tokens/", {"name": "页面令牌"})
    assert response.status_code == 200
    raw = response.context["created_raw"]
    assert raw and raw in response.content.decode()
    assert ApiToken.objects.get(user=agent).key_hash == hash_token(raw)
    again = client.get("/settings/tokens/")
    assert raw not in again.content.decode()
    assert "页面令牌" in again.content.decode()


def test_token_page_revoke(client_for: Any, agent: Any) -> None:
    token, raw = api_token_create(actor=agent, name="脚本")
    response = client_for(agent).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert timezone.now() - token.revoked_at < dt.timedelta(minutes=1)
    assert user_for_token(raw) is None


def test_token_lookup_brings_the_employee_record(
    org: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """The caller's employee (with department, team, position) comes with the token row: scope
    and audit need it on nearly every API call, so it costs no second query."""
    from kefu.org.selectors import employee_of

    employee = org["agent_a1"]
    _token, raw = api_token_create(actor=employee.user, name="脚本")
    user_for_token(raw)  # the first use writes last_used_at
    with django_assert_num_queries(1):
        user = user_for_token(raw)
        me = employee_of(user)
        assert me is not None and me.pk == employee.pk
        assert (me.department.name, me.team.name) == (employee.department.name, employee.team.name)


def test_token_of_a_login_without_employee_record(django_assert_num_queries: Any) -> None:
    from django.contrib.auth import get_user_model

    from kefu.org.selectors import employee_of

    admin = get_user_model().objects.create_superuser("root-token", password="x" * 12)
    _token, raw = api_token_create(actor=admin, name="运维")
    user_for_token(raw)
    with django_assert_num_queries(1):
        user = user_for_token(raw)
        assert user.pk == admin.pk and employee_of(user) is None


def test_token_user_answers_employee_without_a_query(
    org: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from django.contrib.auth import get_user_model

    _token, raw = api_token_create(actor=org["agent_a1"].user, name="脚本")
    admin = get_user_model().objects.create_superuser("root-token2", password="x" * 12)
    _t2, raw2 = api_token_create(actor=admin, name="运维")
    user_for_token(raw), user_for_token(raw2)
    user, bare = user_for_token(raw), user_for_token(raw2)
    with django_assert_num_queries(0):
        assert user.employee.pk == org["agent_a1"].pk
        assert user.employee.user is user
        assert not hasattr(bare, "employee")  # no record: RelatedObjectDoesNotExist, no query
