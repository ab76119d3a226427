"""当前登录人 — the session's user read with the employee record in one statement
(``kefu.core.signed_in``, used by ``CachedPermissionBackend.get_user``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kefu.core.auth_backend import CachedPermissionBackend
from kefu.core.signed_in import user_by_pk
from kefu.org.selectors import employee_of

pytestmark = pytest.mark.django_db


def test_user_comes_with_the_employee_record(
    org: dict[str, Any], django_assert_num_queries: Any
) -> None:
    employee = org["agent_a1"]
    with django_assert_num_queries(1):
        user = CachedPermissionBackend().get_user(employee.user.pk)
        me = employee_of(user)
        assert user.employee is me and me.user is user
        assert (me.pk, me.department.name, me.team.name, me.position.name) == (
            employee.pk,
            employee.department.name,
            employee.team.name,
            employee.position.name,
        )
    fresh = get_user_model().objects.get(pk=employee.user.pk)
    fields = get_user_model()._meta.concrete_fields
    assert [getattr(user, f.attname) for f in fields] == [getattr(fresh, f.attname) for f in fields]


def test_a_login_without_employee_record(django_assert_num_queries: Any) -> None:
    admin = get_user_model().objects.create_superuser("root-session", password="x" * 12)
    with django_assert_num_queries(1):
        user = CachedPermissionBackend().get_user(admin.pk)
        assert user.pk == admin.pk and employee_of(user) is None
        assert not hasattr(user, "employee")  # RelatedObjectDoesNotExist, as the ORM answers


def test_gone_or_inactive_users_are_nobody(org: dict[str, Any]) -> None:
    backend = CachedPermissionBackend()
    assert backend.get_user(987654) is None and user_by_pk(987654) is None
    user = org["agent_a2"].user
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None
    assert user_by_pk(user.pk) is not None  # the row is read; the backend refuses it


def test_a_signed_in_page_reads_user_and_employee_once(
    org: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client: Client = client_for(org["agent_a1"].user)
    client.get("/workbench/")  # warm-up: caches of menus, policy, permissions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/workbench/")
    assert response.status_code == 200 and "客服甲一" in response.content.decode()
    employee_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "org_employee"' in q["sql"]]
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert employee_reads == [] and len(user_reads) == 1, ctx.captured_queries
    assert 'LEFT JOIN "org_employee"' in user_reads[0]


def test_session_read_is_djangos_answer(org: dict[str, Any]) -> None:
    """The prepared session read: a live session loads, an expired or unknown one does not."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from kefu.core.session_store import SessionStore

    store = SessionStore()
    store["kefu_last_activity"] = 1
    store.save()
    key = store.session_key
    loaded = SessionStore(session_key=key)
    assert loaded["kefu_last_activity"] == 1 and loaded.session_key == key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
