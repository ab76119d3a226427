"""Idempotency — 幂等: a POST to /api/v1/ with an Idempotency-Key runs at most once."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client

from kefu.core.models import ApiToken, AuditEvent, IdempotencyRecord
from kefu.core.tokens import api_token_create
from kefu.org import services as org_services
from kefu.org.models import Department, Team

pytestmark = pytest.mark.django_db

URL = "/api/v1/org/teams"
TOKENS_URL = "/api/v1/tokens"


@pytest.fixture
def bearer(hr: Any) -> dict[str, str]:
    """The HR user (人事, may add teams and departments) calling with a personal API token."""
    _, raw = api_token_create(actor=hr, name="调用方")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _team(org: dict[str, Any], name: str, department: str = "cs") -> dict[str, Any]:
    return {"department_id": org[department].pk, "name": name}


def _post(
    client: Client, body: dict[str, Any], key: str | None, url: str = URL, **extra: Any
) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", **headers, **extra)


def _teams(name: str) -> int:
    return Team.objects.filter(name=name).count()


# --- replay of an ordinary creating endpoint ----------------------------------------------------
def test_same_key_same_body_replays_the_first_response(
    org: dict[str, Any], bearer: dict[str, str]
) -> None:
    client = Client()
    first = _post(client, _team(org, "夜班组"), "key-001", **bearer)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    second = _post(client, _team(org, "夜班组"), "key-001", **bearer)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["Content-Type"].startswith("application/json")
    assert _teams("夜班组") == 1
    assert AuditEvent.objects.filter(action="team.create").count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.status_code, bytes(record.body)) == (201, first.content)


def test_replay_works_for_a_session_caller(client_for: Any, hr: Any, org: dict[str, Any]) -> None:
    client = client_for(hr)
    first = _post(client, _team(org, "页面组"), "sess-key")
    second = _post(client, _team(org, "页面组"), "sess-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert _teams("页面组") == 1


def test_without_a_key_every_post_runs(org: dict[str, Any], bearer: dict[str, str]) -> None:
    for name in ("无键一", "无键二"):
        assert _post(Client(), _team(org, name), None, **bearer).status_code == 201
    # The same body twice without a key runs twice: the second reaches the service (name taken).
    again = _post(Client(), _team(org, "无键一"), None, **bearer)
    assert again.status_code == 409
    assert again.json()["code"] == "team_name_taken"
    assert _teams("无键一") == _teams("无键二") == 1
    assert not IdempotencyRecord.objects.exists()


def test_same_key_different_body_is_refused(org: dict[str, Any], bearer: dict[str, str]) -> None:
    assert _post(Client(), _team(org, "甲组"), "key-002", **bearer).status_code == 201
    before = Team.objects.count()
    response = _post(Client(), _team(org, "乙组"), "key-002", **bearer)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["message"]
    assert Team.objects.count() == before
    assert _teams("乙组") == 0


def test_failed_request_is_not_stored_so_a_corrected_retry_succeeds(
    org: dict[str, Any], bearer: dict[str, str]
) -> None:
    before = Team.objects.count()
    failed = _post(Client(), _team(org, ""), "key-003", **bearer)  # schema: min_length 1
    assert failed.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    fixed = _post(Client(), _team(org, "改正组"), "key-003", **bearer)
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed
    assert Team.objects.count() == before + 1
    assert _teams("改正组") == 1


def test_domain_error_is_not_stored_either(org: dict[str, Any], bearer: dict[str, str]) -> None:
    # "   " passes the schema (min_length 1) and is refused by the service (DomainError, 422).
    failed = _post(Client(), _team(org, "   "), "key-004", **bearer)
    assert failed.status_code == 422
    assert failed.json()["code"] == "team_invalid"
    assert not IdempotencyRecord.objects.exists()
    retry = _post(Client(), _team(org, "好名字组"), "key-004", **bearer)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert _teams("好名字组") == 1


def test_keys_are_per_caller(org: dict[str, Any], bearer: dict[str, str]) -> None:
    _, admin_raw = api_token_create(actor=org["sysadmin"].user, name="管理员")
    admin = {"HTTP_AUTHORIZATION": f"Bearer {admin_raw}"}
    mine = _post(Client(), _team(org, "同名组"), "shared-key", **bearer)
    assert mine.status_code == 201
    # Same key, same body from another caller: not replayed — it runs and meets the stored team.
    theirs = _post(Client(), _team(org, "同名组"), "shared-key", **admin)
    assert theirs.status_code == 409
    assert theirs.json()["code"] == "team_name_taken"
    assert "Idempotent-Replayed" not in theirs
    # Same key, another body from another caller: not "key reused" — it simply runs.
    elsewhere = _post(Client(), _team(org, "同名组", "hr_dept"), "shared-key", **admin)
    assert elsewhere.status_code == 201
    assert elsewhere.json()["id"] != mine.json()["id"]
    assert _teams("同名组") == 2
    assert IdempotencyRecord.objects.count() == 2


def test_keys_are_per_caller_for_session_callers_too(
    client_for: Any, hr: Any, sysadmin: Any, org: dict[str, Any]
) -> None:
    mine = _post(client_for(hr), _team(org, "会话组"), "session-shared")
    theirs = _post(client_for(sysadmin), _team(org, "会话组", "hr_dept"), "session-shared")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert _teams("会话组") == 2


def test_same_key_on_another_path_is_refused(org: dict[str, Any], bearer: dict[str, str]) -> None:
    assert _post(Client(), _team(org, "甲组"), "key-005", **bearer).status_code == 201
    response = _post(
        Client(),
        {"name": "新部门", "code": "NEW"},
        "key-005",
        url="/api/v1/org/departments",
        **bearer,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Department.objects.filter(code="NEW").exists()


def test_repeat_while_the_first_is_running_is_409(
    org: dict[str, Any], bearer: dict[str, str]
) -> None:
    nested: dict[str, Any] = {}
    real_create = org_services.team_create

    def create_and_repeat(**kwargs: Any) -> Any:
        # The same request arrives again while the first is still inside its handler.
        nested["response"] = _post(Client(), _team(org, "并发组"), "key-006", **bearer)
        return real_create(**kwargs)

    with mock.patch.object(org_services, "team_create", side_effect=create_and_repeat):
        first = _post(Client(), _team(org, "并发组"), "key-006", **bearer)
    assert first.status_code == 201
    assert nested["response"].status_code == 409
    assert nested["response"].json()["code"] == "idempotency_in_progress"
    assert _teams("并发组") == 1


def test_too_long_key_is_refused(org: dict[str, Any], bearer: dict[str, str]) -> None:
    response = _post(Client(), _team(org, "长键组"), "k" * 201, **bearer)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_invalid"
    assert _teams("长键组") == 0
    assert not IdempotencyRecord.objects.exists()


def test_anonymous_post_is_401_and_stores_nothing(org: dict[str, Any]) -> None:
    response = _post(Client(), _team(org, "匿名组"), "anon-key")
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()
    assert _teams("匿名组") == 0


def test_get_and_non_api_paths_are_untouched(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    assert client.get("/api/v1/me", HTTP_IDEMPOTENCY_KEY="g").status_code == 200
    response = client.post("/settings/tokens/", {"name": "页面"}, HTTP_IDEMPOTENCY_KEY="p")
    assert response.status_code == 200
    response = client.post("/settings/tokens/", {"name": "页面"}, HTTP_IDEMPOTENCY_KEY="p")
    assert ApiToken.objects.filter(user=agent).count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_key_is_stored_only_as_its_hash(org: dict[str, Any], bearer: dict[str, str]) -> None:
    assert _post(Client(), _team(org, "哈希组"), "key-plain-008", **bearer).status_code == 201
    record = IdempotencyRecord.objects.get()
    assert "key-plain-008" not in record.key
    assert len(record.key) == 64


# --- responses with a one-time secret (Cache-Control: no-store) ---------------------------------
def _stored_text(record: IdempotencyRecord) -> str:
    """Every column of the record as text, bytes decoded, to search for a leaked secret."""
    parts = []
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if isinstance(value, bytes | memoryview):
            value = bytes(value).decode("utf-8", "replace")
        parts.append(str(value))
    return "\n".join(parts)


def test_token_create_is_not_replayed_and_the_raw_token_is_not_stored(
    client_for: Any, agent: Any
) -> None:
    client = client_for(agent)
    first = _post(client, {"name": "夜间同步"}, "tok-key", url=TOKENS_URL)
    assert first.status_code == 201
    assert first["Cache-Control"] == "no-store"
    raw = first.json()["token"]

    second = _post(client, {"name": "夜间同步"}, "tok-key", url=TOKENS_URL)
    assert second.status_code == 409
    assert second.json()["code"] == "idempotency_not_replayable"
    assert "一次性密钥" in second.json()["message"]
    assert "Idempotent-Replayed" not in second
    assert raw not in second.content.decode()

    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.body is None
    assert record.status_code == 201
    assert record.content_type.startswith("application/json")
    stored = _stored_text(record)
    assert raw not in stored
    assert raw[12:] not in stored  # not even the part after the shown prefix


def test_token_create_with_a_bearer_caller_is_not_replayed_either(agent: Any) -> None:
    _, caller_raw = api_token_create(actor=agent, name="调用方")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {caller_raw}"}
    first = _post(Client(), {"name": "同步"}, "tok-key-2", url=TOKENS_URL, **auth)
    second = _post(Client(), {"name": "同步"}, "tok-key-2", url=TOKENS_URL, **auth)
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "idempotency_not_replayable"
    assert ApiToken.objects.filter(user=agent, name="同步").count() == 1
    assert IdempotencyRecord.objects.get().body is None


def test_token_create_with_another_body_is_still_key_reused(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    assert _post(client, {"name": "甲"}, "tok-key-3", url=TOKENS_URL).status_code == 201
    response = _post(client, {"name": "乙"}, "tok-key-3", url=TOKENS_URL)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["甲"]


def test_failed_token_create_is_not_stored(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    failed = _post(client, {"name": "   "}, "tok-key-4", url=TOKENS_URL)
    assert failed.status_code == 422
    assert failed.json()["code"] == "token_name_required"
    assert not IdempotencyRecord.objects.exists()
    fixed = _post(client, {"name": "改正后"}, "tok-key-4", url=TOKENS_URL)
    assert fixed.status_code == 201
    assert ApiToken.objects.filter(user=agent, name="改正后").count() == 1
