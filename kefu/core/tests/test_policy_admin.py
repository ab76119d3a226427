"""Policy admin — 制度参数管理后台: new versions through the service, errors beside their fields,
and no way to edit or delete a version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent, Policy
from kefu.core.policy import default_bodies, policy_for

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/core/policy/add/"


def _form(body: Any, effective_from: dt.date | None = None, **extra: Any) -> dict[str, Any]:
    day = effective_from or timezone.localdate() + dt.timedelta(days=7)
    return {
        "domain": "security",
        "effective_from": day.isoformat(),
        "body": body if isinstance(body, str) else json.dumps(body, ensure_ascii=False),
        "note": "调整",
        **extra,
    }


def _good_body(**changes: Any) -> dict[str, Any]:
    return {**default_bodies()["security"], **changes}


def _state() -> tuple[int, int]:
    return Policy.objects.count(), AuditEvent.objects.count()


def test_bad_body_shows_per_field_errors_under_body(admin_client: Any) -> None:
    before = _state()
    response = admin_client.post(
        ADD_URL, _form(_good_body(login_max_failures=0, lockout_minutes="x"))
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["body"] == ["login_max_failures：不能小于 1", "lockout_minutes：必须是整数"]
    assert "effective_from" not in form.errors
    html = response.content.decode()
    body_row = html[html.index("field-body") :]
    body_row = body_row[: body_row.index("field-note")]
    assert "login_max_failures：不能小于 1" in body_row
    assert "errorlist" in body_row
    assert _state() == before


def test_missing_field_and_unknown_field_are_named(admin_client: Any) -> None:
    body = _good_body(extra=1)
    del body["idle_timeout_minutes"]
    response = admin_client.post(ADD_URL, _form(body))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert set(errors) == {"idle_timeout_minutes：必填", "extra：不允许的字段"}


def test_malformed_json_is_an_error_under_body(admin_client: Any) -> None:
    before = _state()
    response = admin_client.post(ADD_URL, _form('{"login_max_failures": 5,'))
    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors
    assert _state() == before


def test_backdated_date_is_an_error_under_effective_from(admin_client: Any) -> None:
    before = _state()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = admin_client.post(ADD_URL, _form(_good_body(), effective_from=yesterday))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["effective_from"] == ["生效日期不能早于今天"]
    assert "body" not in form.errors
    assert _state() == before


def test_duplicate_date_is_an_error_under_effective_from(admin_client: Any) -> None:
    day = timezone.localdate() + dt.timedelta(days=3)
    assert admin_client.post(ADD_URL, _form(_good_body(), effective_from=day)).status_code == 302
    before = _state()
    response = admin_client.post(ADD_URL, _form(_good_body(lockout_minutes=30), effective_from=day))
    assert response.status_code == 200
    assert "该日期已有版本" in response.context["adminform"].form.errors["effective_from"]
    assert _state() == before


def test_good_body_creates_a_version_through_the_service(admin_client: Any) -> None:
    admin = admin_client.get("/admin/").wsgi_request.user
    day = timezone.localdate() + dt.timedelta(days=7)
    before_policies, _ = _state()
    response = admin_client.post(ADD_URL, _form(_good_body(login_max_failures=7), day))
    assert response.status_code == 302
    assert Policy.objects.count() == before_policies + 1
    created = Policy.objects.get(domain="security", effective_from=day)
    assert created.version == 2
    assert created.body["login_max_failures"] == 7
    assert created.created_by == admin
    assert created.note == "调整"
    event = AuditEvent.objects.for_object("core.policy", created.pk).get()
    assert event.action == "policy.version_create"
    assert event.actor_id == admin.pk
    assert event.reason == "调整"
    assert policy_for("security", day).login_max_failures == 7
    assert policy_for("security", day - dt.timedelta(days=1)).login_max_failures == 5


def test_version_number_in_the_post_is_ignored(admin_client: Any) -> None:
    day = timezone.localdate() + dt.timedelta(days=7)
    response = admin_client.post(ADD_URL, _form(_good_body(), day, version="99"))
    assert response.status_code == 302
    assert Policy.objects.get(domain="security", effective_from=day).version == 2


def test_add_form_is_prefilled_with_the_latest_body(admin_client: Any) -> None:
    response = admin_client.get(ADD_URL + "?domain=fines")
    assert response.status_code == 200
    initial = response.context["adminform"].form.initial["body"]
    assert json.loads(initial)["penalty_cap_ratio"] == "0.5"


def test_change_and_delete_are_not_offered(admin_client: Any) -> None:
    policy = Policy.objects.get(domain="security")
    original = (policy.body, policy.effective_from, policy.note)

    page = admin_client.get(f"/admin/core/policy/{policy.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert 'name="body"' not in html

    response = admin_client.post(
        f"/admin/core/policy/{policy.pk}/change/",
        _form(_good_body(login_max_failures=9), policy.effective_from),
    )
    assert response.status_code == 403
    assert admin_client.get(f"/admin/core/policy/{policy.pk}/delete/").status_code == 403
    assert (
        admin_client.post(f"/admin/core/policy/{policy.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = admin_client.post(
        "/admin/core/policy/",
        {"action": "delete_selected", "_selected_action": [policy.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    policy.refresh_from_db()
    assert (policy.body, policy.effective_from, policy.note) == original
    assert policy_for("security").login_max_failures == 5


def test_a_non_superuser_without_the_right_cannot_add(client: Any, org: dict[str, Any]) -> None:
    hr_user = org["hr"].user
    hr_user.is_staff = True
    hr_user.save()
    client.force_login(hr_user)
    before = _state()
    response = client.post(ADD_URL, _form(_good_body(login_max_failures=7)))
    assert response.status_code == 403
    assert _state() == before
