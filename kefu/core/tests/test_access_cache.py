"""Per-process access cache — 权限缓存 (kefu/core/access_cache.py, docs/performance.md): rights,
roles, the department tree, dashboard head counts; fresh inside transactions, cleared by the
services that change them, expired after ACCESS_CACHE_SECONDS elsewhere."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.utils import timezone
from ninja import Schema

from kefu.core import access_cache
from kefu.core.apikit import fast_json
from kefu.org import services as org_services
from kefu.org.choices import Role
from kefu.org.roles import roles_of
from kefu.org.selectors import department_tree, employee_figures_for_user

User = get_user_model()


@pytest.fixture
def fresh() -> Any:
    access_cache.clear()
    yield
    access_cache.clear()


def _reload(user: Any) -> Any:
    # A new request loads the user row again: no per-object caches carried over.
    return User.objects.get(pk=user.pk)


def _expire(monkeypatch: pytest.MonkeyPatch) -> None:
    later = access_cache.time.monotonic() + access_cache.ACCESS_CACHE_SECONDS + 1
    monkeypatch.setattr(access_cache.time, "monotonic", lambda: later)


@pytest.mark.django_db(transaction=True)
def test_rights_changed_elsewhere_take_effect_when_the_cache_expires(
    org: dict[str, Any], fresh: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = org["agent_a1"].user
    assert not _reload(user).has_perm("org.add_employee")
    # Another process grants the agent role a right (a plain row, no signal reaches this
    # process): this process still has the cached set …
    Group.permissions.through.objects.create(
        group=Group.objects.get(name=Role.AGENT.label),
        permission=Permission.objects.get(codename="add_employee"),
    )
    assert not _reload(user).has_perm("org.add_employee")
    # … until it expires.
    _expire(monkeypatch)
    assert _reload(user).has_perm("org.add_employee")


@pytest.mark.django_db(transaction=True)
def test_cached_answers_cost_no_query(
    org: dict[str, Any], fresh: Any, django_assert_num_queries: Any
) -> None:
    user = org["supervisor"].user
    first = _reload(user)
    assert first.has_perm("org.view_employee") and roles_of(first) == [Role.SUPERVISOR.value]
    tree = department_tree()
    again = _reload(user)
    with django_assert_num_queries(0):
        assert again.has_perm("org.view_employee")
        assert roles_of(again) == [Role.SUPERVISOR.value]
        assert department_tree() == tree


@pytest.mark.django_db(transaction=True)
def test_role_change_through_the_service_takes_effect_at_once(
    org: dict[str, Any], fresh: Any
) -> None:
    agent = org["agent_a1"]
    assert roles_of(_reload(agent.user)) == [Role.AGENT.value]
    lead_rights = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=Role.TEAM_LEAD.label).permissions.select_related(
            "content_type"
        )
    }
    assert _reload(agent.user).get_all_permissions() != lead_rights
    org_services.employee_update(actor=org["hr"].user, employee=agent, roles=[Role.TEAM_LEAD.value])
    reloaded = _reload(agent.user)
    assert roles_of(reloaded) == [Role.TEAM_LEAD.value]
    assert reloaded.get_all_permissions() == lead_rights


@pytest.mark.django_db(transaction=True)
def test_a_role_edited_in_the_admin_takes_effect_at_once_in_this_process(
    org: dict[str, Any], fresh: Any
) -> None:
    user = org["agent_a1"].user
    assert not _reload(user).has_perm("org.add_employee")
    Group.objects.get(name=Role.AGENT.label).permissions.add(
        Permission.objects.get(codename="add_employee")
    )
    assert _reload(user).has_perm("org.add_employee")


@pytest.mark.django_db
def test_inside_a_transaction_the_database_is_always_asked(
    org: dict[str, Any], fresh: Any, django_assert_num_queries: Any
) -> None:
    assert transaction.get_connection().in_atomic_block
    user = org["supervisor"].user
    _reload(user).has_perm("org.view_employee")
    again = _reload(user)
    with django_assert_num_queries(2):  # user permissions + group permissions, not cached
        again.has_perm("org.view_employee")
    assert access_cache._cache == {}


@pytest.mark.django_db(transaction=True)
def test_leaving_locks_out_at_once_despite_the_cache(org: dict[str, Any], fresh: Any) -> None:
    agent = org["agent_a1"]
    client = Client()
    client.force_login(agent.user)
    assert client.get("/dashboard/").status_code == 200
    org_services.employee_leave(
        actor=org["hr"].user, employee=agent, left_on=timezone.localdate(), reason="离职"
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_dashboard_figures_are_cached_per_scope_and_never_mutated(
    org: dict[str, Any], fresh: Any, django_assert_num_queries: Any
) -> None:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    hr = _reload(org["hr"].user)
    first = employee_figures_for_user(hr, today_start=start)
    first.pop("by_department")  # what the dashboard view does with its copy
    again = _reload(org["hr"].user)
    again.has_perm("org.view_employee")
    with django_assert_num_queries(0):
        second = employee_figures_for_user(again, today_start=start)
    assert "by_department" in second and second["active_employees"] == first["active_employees"]
    # A supervisor (department scope) gets his own figures, not HR's.
    sup = employee_figures_for_user(_reload(org["supervisor"].user), today_start=start)
    assert sup["active_employees"] <= second["active_employees"]


def test_cache_is_bounded_and_cleared(fresh: Any) -> None:
    for i in range(access_cache._MAX_ENTRIES + 5):
        access_cache._cache[("x", i)] = (0.0, i)
    assert len(access_cache._cache) > access_cache._MAX_ENTRIES
    access_cache.clear()
    assert access_cache._cache == {}


class _Out(Schema):
    day: dt.date
    n: int


def test_fast_json_renders_what_ninja_would_and_refuses_drift(settings: Any) -> None:
    settings.KEFU_CHECK_FAST_JSON = True
    response = fast_json([{"day": dt.date(2026, 11, 23), "n": 3}], list[_Out])
    assert response.status_code == 200
    assert json.loads(response.content) == [{"day": "2026-11-23", "n": 3}]
    with pytest.raises(AssertionError):
        fast_json([{"day": dt.date(2026, 11, 23), "n": "3x"}], list[_Out])
    with pytest.raises(AssertionError):
        fast_json([{"day": dt.date(2026, 11, 23)}], list[_Out])
