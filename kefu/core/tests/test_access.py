"""Access and privacy — 权限与隐私 (ORG-5, SEC-1): masking, and the audited reveal with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kefu.core.access import (
    can_reveal,
    mask_id_number,
    mask_phone,
    personal_data_reveal,
    shown,
)
from kefu.core.audit import verify_chain
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent

PHONE = "13812345678"
MASKED_PHONE = "138****5678"
ID_NUMBER = "110101199003071234"
MASKED_ID = "110***********1234"


# --- masking --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PHONE, MASKED_PHONE),
        (f"  {PHONE} ", MASKED_PHONE),
        ("", ""),
        (None, ""),
        ("   ", ""),
        ("010-12345678", "010*****5678"),
        ("0755-86001234", "075******1234"),
        ("+8613812345678", "+86*******5678"),
    ],
)
def test_mask_phone(value: Any, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ID_NUMBER, MASKED_ID),
        ("11010119900307123X", "110***********123X"),
        ("110101900307123", "110********7123"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: Any, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    "value", ["1", "12", "123", "1234", "12345", "1234567", "86001234", "9555"]
)
def test_short_values_still_hide_most_digits(value: str) -> None:
    """A short number (extension, 8-digit landline) must not come out nearly whole."""
    masked = mask_phone(value)
    assert len(masked) == len(value)
    hidden = masked.count("*")
    assert hidden >= min(4, len(value))
    assert hidden * 2 >= len(value)
    start = masked.index("*")
    assert masked == value[:start] + "*" * hidden + value[start + hidden :]


def test_eight_digit_landline() -> None:
    assert mask_phone("86001234") == "86****34"


def test_masking_keeps_length_for_long_values() -> None:
    for value in (PHONE, ID_NUMBER, "010-12345678"):
        masked = mask_phone(value)
        assert len(masked) == len(value)
        assert masked[:3] == value[:3]
        assert masked[-4:] == value[-4:]


# --- who sees what --------------------------------------------------------------------------
@pytest.mark.django_db
def test_shown_depends_on_the_reveal_right(org: dict[str, Any]) -> None:
    agent = org["agent_a1"].user
    supervisor = org["supervisor"].user
    assert not can_reveal(agent)
    assert can_reveal(supervisor)
    assert not can_reveal(AnonymousUser())
    assert shown(agent, "phone", PHONE) == MASKED_PHONE
    assert shown(AnonymousUser(), "phone", PHONE) == MASKED_PHONE
    assert shown(supervisor, "phone", PHONE) == PHONE
    assert shown(agent, "id_number", ID_NUMBER) == MASKED_ID
    assert shown(supervisor, "id_number", ID_NUMBER) == ID_NUMBER
    assert shown(supervisor, "phone", "") == ""


# --- reveal ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reveal_refused_without_permission_writes_nothing(org: dict[str, Any]) -> None:
    events = AuditEvent.objects.count()
    for role in ("agent_a1", "lead_a", "warehouse"):
        with pytest.raises(PermissionDeniedError):
            personal_data_reveal(
                actor=org[role].user, obj=org["agent_a2"], field="phone", reason="核对来电"
            )
    with pytest.raises(PermissionDeniedError):
        personal_data_reveal(
            actor=AnonymousUser(), obj=org["agent_a2"], field="phone", reason="核对来电"
        )
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "  ", "a", None])
def test_reveal_needs_a_reason(org: dict[str, Any], reason: Any) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        personal_data_reveal(
            actor=org["supervisor"].user, obj=org["agent_a1"], field="phone", reason=reason
        )
    assert caught.value.code == "reveal_reason_required"
    assert caught.value.fields == {"reason": "请填写查看原因"}
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_reveal_of_an_unknown_field_is_refused(org: dict[str, Any]) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        personal_data_reveal(
            actor=org["supervisor"].user, obj=org["agent_a1"], field="name", reason="核对"
        )
    assert caught.value.code == "reveal_unknown_field"
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_reveal_returns_the_value_and_is_audited_with_the_reason(org: dict[str, Any]) -> None:
    supervisor = org["supervisor"].user
    employee = org["agent_a1"]
    value = personal_data_reveal(
        actor=supervisor, obj=employee, field="id_number", reason="  核对社保信息 "
    )
    assert value == ID_NUMBER
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert event.actor_id == supervisor.pk
    assert event.actor_label == "陈主管"
    assert event.object_type == "org.employee"
    assert event.object_id == str(employee.pk)
    assert event.after == {"field": "id_number"}
    assert event.reason == "核对社保信息"
    assert ID_NUMBER not in str(event.after)
    assert verify_chain() is None


# --- pages and API --------------------------------------------------------------------------
@pytest.mark.django_db
def test_employee_page_masks_for_an_agent_and_not_for_a_supervisor(
    org: dict[str, Any], client_for: Any
) -> None:
    pk = org["agent_a1"].pk
    agent_page = client_for(org["agent_a1"].user).get(f"/org/employees/{pk}/").content.decode()
    assert MASKED_PHONE in agent_page
    assert PHONE not in agent_page
    assert ID_NUMBER not in agent_page
    assert MASKED_ID in agent_page
    boss_page = client_for(org["supervisor"].user).get(f"/org/employees/{pk}/").content.decode()
    assert PHONE in boss_page
    assert ID_NUMBER in boss_page


@pytest.mark.django_db
def test_employee_list_and_search_mask_for_an_agent(org: dict[str, Any], client_for: Any) -> None:
    agent_client = client_for(org["agent_a1"].user)
    for url in ("/org/employees/", "/search/?q=KF011"):
        body = agent_client.get(url).content.decode()
        assert MASKED_PHONE in body, url
        assert PHONE not in body, url
    boss_client = client_for(org["supervisor"].user)
    for url in ("/org/employees/", "/search/?q=KF011"):
        assert PHONE in boss_client.get(url).content.decode(), url


@pytest.mark.django_db
def test_api_masks_for_an_agent_and_not_for_a_supervisor(
    org: dict[str, Any], client_for: Any
) -> None:
    pk = org["agent_a1"].pk
    mine = client_for(org["agent_a1"].user).get(f"/api/v1/org/employees/{pk}").json()
    assert (mine["phone"], mine["id_number"]) == (MASKED_PHONE, MASKED_ID)
    listed = client_for(org["agent_a1"].user).get("/api/v1/org/employees").json()
    assert [e["phone"] for e in listed["items"]] == [MASKED_PHONE]
    boss = client_for(org["supervisor"].user).get(f"/api/v1/org/employees/{pk}").json()
    assert (boss["phone"], boss["id_number"]) == (PHONE, ID_NUMBER)


@pytest.mark.django_db
def test_reveal_page_action(org: dict[str, Any], client_for: Any) -> None:
    pk = org["agent_a1"].pk
    url = f"/org/employees/{pk}/reveal/"
    refused = client_for(org["lead_a"].user).post(url, {"field": "phone", "reason": "核对来电"})
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data.reveal").exists()

    boss = client_for(org["supervisor"].user)
    no_reason = boss.post(url, {"field": "phone", "reason": ""})
    assert no_reason.status_code == 200
    assert PHONE not in no_reason.content.decode()
    assert not AuditEvent.objects.filter(action="personal_data.reveal").exists()

    shown_value = boss.post(url, {"field": "phone", "reason": "核对来电"})
    assert shown_value.status_code == 200
    assert PHONE in shown_value.content.decode()
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert (event.reason, event.actor_id) == ("核对来电", org["supervisor"].user.pk)
