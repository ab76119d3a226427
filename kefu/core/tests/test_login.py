"""Login lockout — 登录锁定 and idle timeout — 无操作自动退出 (SEC-1, policy domain security)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from kefu.core.audit import verify_chain
from kefu.core.models import AuditEvent, LoginThrottle
from kefu.core.policy import default_bodies, policy_version_create
from kefu.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password"
LOCKED = "连续登录失败次数过多，账号已锁定"
BAD_PASSWORD = "工号或密码不正确"


@contextmanager
def clock_ahead(minutes: float) -> Iterator[None]:
    """Time travel: every timezone.now() answers ``minutes`` later than the real clock."""
    real_now = timezone.now
    offset = dt.timedelta(minutes=minutes)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: real_now() + offset):
        yield


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _errors(response: Any) -> str:
    return " ".join(response.context["form"].non_field_errors())


def _set_security(**changes: Any) -> None:
    """A new security version in force from today (the default one is from 2000-01-01)."""
    policy_version_create(
        actor=None,
        domain="security",
        effective_from=timezone.localdate(),
        body={**default_bodies()["security"], **changes},
    )


@pytest.fixture
def username(agent: Any) -> str:
    return agent.username


# --- lockout --------------------------------------------------------------------------------
def test_correct_password_logs_in(client: Client, username: str) -> None:
    response = _login(client, username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert _logged_in(client)


def test_wrong_password_is_refused_in_chinese(client: Client, username: str) -> None:
    response = _login(client, username, WRONG)
    assert response.status_code == 200
    assert _errors(response) == BAD_PASSWORD
    assert BAD_PASSWORD in response.content.decode()
    assert not _logged_in(client)
    assert LoginThrottle.objects.get(username=username.lower()).failures == 1


def test_five_failures_lock_the_username(client: Client, username: str) -> None:
    for _ in range(4):
        assert _errors(_login(client, username, WRONG)) == BAD_PASSWORD
    assert not AuditEvent.objects.filter(action="auth.lockout").exists()
    fifth = _login(client, username, WRONG)
    assert _errors(fifth) == LOCKED

    sixth = _login(client, username, PASSWORD)
    assert sixth.status_code == 200
    assert not _logged_in(client)
    message = _errors(sixth)
    assert message.startswith(LOCKED)
    assert "请15分钟后再试" in message
    assert message in sixth.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_lockout_writes_an_audit_event(client: Client, username: str) -> None:
    for _ in range(5):
        _login(client, username, WRONG)
    event = AuditEvent.objects.get(action="auth.lockout")
    assert event.object_type == "auth.username"
    assert event.object_id == username.lower()
    assert event.actor_id is None
    assert event.after["failures"] == 5
    locked_until = LoginThrottle.objects.get(username=username.lower()).locked_until
    assert event.after["locked_until"] == locked_until.isoformat()
    assert event.ip == "127.0.0.1"
    assert verify_chain() is None


def test_attempts_while_locked_are_not_counted_and_not_checked(
    client: Client, username: str
) -> None:
    for _ in range(5):
        _login(client, username, WRONG)
    row = LoginThrottle.objects.get(username=username.lower())
    for password in (WRONG, PASSWORD, WRONG):
        assert _errors(_login(client, username, password)).startswith(LOCKED)
    after = LoginThrottle.objects.get(username=username.lower())
    assert (after.failures, after.locked_until) == (row.failures, row.locked_until)
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1


def test_lock_expires_after_lockout_minutes(client: Client, username: str) -> None:
    for _ in range(5):
        _login(client, username, WRONG)
    with clock_ahead(14):
        response = _login(client, username, PASSWORD)
        assert "请1分钟后再试" in _errors(response)
        assert not _logged_in(client)
    with clock_ahead(15.1):
        response = _login(client, username, PASSWORD)
        assert response.status_code == 302
        assert _logged_in(client)
    assert not LoginThrottle.objects.filter(username=username.lower()).exists()


def test_after_expiry_the_count_starts_again(client: Client, username: str) -> None:
    for _ in range(5):
        _login(client, username, WRONG)
    with clock_ahead(16):
        assert _errors(_login(client, username, WRONG)) == BAD_PASSWORD
        row = LoginThrottle.objects.get(username=username.lower())
        assert row.failures == 1
        assert row.locked_until is None
        for _ in range(3):
            _login(client, username, WRONG)
        assert _errors(_login(client, username, WRONG)) == LOCKED
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 2


def test_success_resets_the_counter(client: Client, username: str) -> None:
    for _ in range(4):
        _login(client, username, WRONG)
    assert _login(client, username, PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(username=username.lower()).exists()
    other = Client()
    for _ in range(4):
        assert _errors(_login(other, username, WRONG)) == BAD_PASSWORD
    assert _login(other, username, PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action="auth.lockout").exists()


def test_lock_is_per_username_and_ignores_case(client: Client, username: str, org: Any) -> None:
    for _ in range(5):
        _login(client, username.lower(), WRONG)
    assert _errors(_login(client, username, PASSWORD)).startswith(LOCKED)
    colleague = org["agent_a2"].user.username
    assert _login(Client(), colleague, PASSWORD).status_code == 302


def test_failures_count_across_clients(username: str) -> None:
    """Counted per username, not per session or address: a new browser does not reset it."""
    for _ in range(5):
        _login(Client(), username, WRONG)
    fresh = Client(REMOTE_ADDR="203.0.113.50")
    assert _errors(_login(fresh, username, PASSWORD)).startswith(LOCKED)


def test_max_failures_and_lock_minutes_come_from_the_policy(client: Client, username: str) -> None:
    _set_security(login_max_failures=3, lockout_minutes=60)
    for _ in range(2):
        assert _errors(_login(client, username, WRONG)) == BAD_PASSWORD
    assert _errors(_login(client, username, WRONG)) == LOCKED
    with clock_ahead(30):
        assert "请30分钟后再试" in _errors(_login(client, username, PASSWORD))
    with clock_ahead(61):
        assert _login(client, username, PASSWORD).status_code == 302


def test_a_person_who_left_cannot_log_in(client: Client, agent: Any) -> None:
    agent.is_active = False
    agent.save()
    response = _login(client, agent.username, PASSWORD)
    assert response.status_code == 200
    assert not _logged_in(client)


# --- idle timeout ---------------------------------------------------------------------------
def _idle(client: Client, minutes: float) -> None:
    session = client.session
    session["kefu_last_activity"] = int(time.time() - minutes * 60)
    session.save()


def test_idle_session_is_logged_out_on_next_request(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    assert client.get("/dashboard/").status_code == 200
    _idle(client, 31)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not _logged_in(client)
    page = client.get(response["Location"])
    assert "长时间未操作，已自动退出，请重新登录" in page.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_idle_session_cannot_use_the_api(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    assert client.get("/api/v1/me").status_code == 200
    _idle(client, 45)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_active_session_stays_and_activity_is_refreshed(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    _idle(client, 29)
    assert client.get("/dashboard/").status_code == 200
    assert _logged_in(client)
    assert abs(client.session["kefu_last_activity"] - time.time()) < 5


def test_first_request_stamps_activity(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    assert "kefu_last_activity" not in client.session
    client.get("/dashboard/")
    assert abs(client.session["kefu_last_activity"] - time.time()) < 5


def test_idle_minutes_come_from_the_policy(client_for: Any, agent: Any) -> None:
    _set_security(idle_timeout_minutes=10)
    client = client_for(agent)
    _idle(client, 9)
    assert client.get("/dashboard/").status_code == 200
    _idle(client, 11)
    assert client.get("/dashboard/").status_code == 302
    assert not _logged_in(client)
