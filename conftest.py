"""Shared pytest fixtures: users per role, API clients, the default policy (loaded post-migrate)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from kefu.org.choices import Role
from kefu.org.tests.factories import EmployeeFactory, make_org

# Property tests judge the rules, not the machine: on a loaded CI machine (2 cores, two xdist
# workers, PostgreSQL) input generation and single examples can be slow, which is no failure.
hypothesis_settings.register_profile(
    "kefu", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("kefu")


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Each test starts without the per-process caches (access, calendar, policy in force): a
    test that runs outside a transaction (browser, live server) must not see an earlier test's
    rolled-back or flushed rows."""
    from kefu.core import access_cache
    from kefu.core.policy import clear_policy_cache

    access_cache.clear()
    clear_policy_cache()


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """A small company: 客服部 with two teams, a reporting line GM → … → agents, one of each role."""
    return make_org()


@pytest.fixture
def client_for() -> Any:
    """client_for(user) → a logged-in Django test client."""

    def _make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _make


@pytest.fixture
def agent(org: dict[str, Any]) -> Any:
    return org["agent_a1"].user


@pytest.fixture
def supervisor(org: dict[str, Any]) -> Any:
    return org["supervisor"].user


@pytest.fixture
def hr(org: dict[str, Any]) -> Any:
    return org["hr"].user


@pytest.fixture
def sysadmin(org: dict[str, Any]) -> Any:
    return org["sysadmin"].user


@pytest.fixture
def make_employee(db: Any) -> Any:
    def _make(role: str = Role.AGENT.value, **kwargs: Any) -> Any:
        return EmployeeFactory(roles=[role], **kwargs)

    return _make
