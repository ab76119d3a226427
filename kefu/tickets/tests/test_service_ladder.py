"""Service ladder — 服务方式 (TKT-8): 热线服务 → 远程服务 → 上门服务, and the 工作联络单号.

The ladder is pure (``choices``); ``ticket_escalate_service_mode`` lets the 处理人 or a lead move
a request up it, with a reason, one audit event; a refusal changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.tickets.choices import (
    SERVICE_LADDER,
    Channel,
    ServiceMode,
    default_service_mode,
    higher_service_modes,
    service_mode_change_error,
)
from kefu.tickets.models import Ticket
from kefu.tickets.services import (
    actions_and_service_modes,
    actions_for,
    service_mode_options,
    ticket_act,
    ticket_escalate_service_mode,
    ticket_update_details,
)
from kefu.tickets.tests.api_helpers import BASE, assert_error, patch, post
from kefu.tickets.tests.factories import make_ticket

HOTLINE, REMOTE, ONSITE = (m.value for m in ServiceMode)
REASON = "电话指导后仍无法排除故障"


def _events(ticket: Ticket, action: str = "ticket.service_mode") -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="tickets.ticket", object_id=str(ticket.pk), action=action
        ).order_by("seq")
    )


def _frozen(ticket: Ticket) -> tuple[dict[str, Any], int]:
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    return row, AuditEvent.objects.count()


# --- the ladder (pure) ------------------------------------------------------------------------
def test_every_channel_starts_on_the_hotline_rung() -> None:
    assert {default_service_mode(c) for c in Channel.values} == {HOTLINE}


def test_rungs_above() -> None:
    assert higher_service_modes(HOTLINE) == [REMOTE, ONSITE]
    assert higher_service_modes(REMOTE) == [ONSITE]
    assert higher_service_modes(ONSITE) == []


@given(st.sampled_from(SERVICE_LADDER), st.sampled_from(SERVICE_LADDER))
def test_a_change_is_allowed_exactly_when_it_climbs(current: str, target: str) -> None:
    problem = service_mode_change_error(current, target)
    climbs = SERVICE_LADDER.index(target) > SERVICE_LADDER.index(current)
    assert (problem is None) == climbs
    assert (target in higher_service_modes(current)) == climbs


def test_refusals_say_why_in_chinese() -> None:
    assert service_mode_change_error(REMOTE, REMOTE) == "已经是远程服务"
    assert "不能从上门服务退回热线服务" in (service_mode_change_error(ONSITE, HOTLINE) or "")
    assert service_mode_change_error(HOTLINE, "helicopter") == "请选择要升级到的服务方式"


# --- service ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_owner_climbs_the_ladder_one_audit_event_each(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent, channel=Channel.ONLINE_CHAT)
    assert ticket.service_mode == HOTLINE
    assert service_mode_options(agent.user, ticket) == [REMOTE, ONSITE]

    ticket = ticket_escalate_service_mode(
        actor=agent.user, ticket=ticket, mode=REMOTE, reason=REASON
    )
    ticket.refresh_from_db()
    assert ticket.service_mode == REMOTE
    [event] = _events(ticket)
    assert event.before == {"service_mode": HOTLINE} and event.after == {"service_mode": REMOTE}
    assert event.reason == REASON and event.actor_id == agent.user.pk

    ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=ONSITE, reason="需上门更换")
    ticket.refresh_from_db()
    assert ticket.service_mode == ONSITE
    assert len(_events(ticket)) == 2
    assert service_mode_options(agent.user, ticket) == []


@pytest.mark.django_db
def test_a_rung_may_be_skipped_and_a_lead_may_escalate(org: dict[str, Any]) -> None:
    ticket = make_ticket(org["agent_a1"])
    ticket_escalate_service_mode(
        actor=org["lead_a"].user, ticket=ticket, mode=ServiceMode.ONSITE, reason="客户拒绝远程"
    )
    ticket.refresh_from_db()
    assert ticket.service_mode == ONSITE and len(_events(ticket)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "target", "code"),
    [
        (REMOTE, REMOTE, "ticket_service_mode_not_higher"),
        (ONSITE, REMOTE, "ticket_service_mode_not_higher"),
        (ONSITE, HOTLINE, "ticket_service_mode_not_higher"),
    ],
)
def test_never_back_down_nor_sideways(
    org: dict[str, Any], start: str, target: str, code: str
) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=start, reason=REASON)
    before = _frozen(ticket)
    with pytest.raises(DomainError) as caught:
        ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=target, reason=REASON)
    assert caught.value.code == code and caught.value.status == 409
    assert "mode" in caught.value.fields
    assert _frozen(ticket) == before


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "  ", "好"])
def test_a_reason_is_required(org: dict[str, Any], reason: str) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    before = _frozen(ticket)
    with pytest.raises(DomainError) as caught:
        ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=REMOTE, reason=reason)
    assert caught.value.code == "ticket_reason_required" and caught.value.status == 422
    assert set(caught.value.fields) == {"reason"}
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_unknown_mode_and_missing_reason_are_reported_together(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    before = _frozen(ticket)
    with pytest.raises(DomainError) as caught:
        ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode="by_air", reason="")
    assert set(caught.value.fields) == {"mode", "reason"} and caught.value.status == 422
    assert _frozen(ticket) == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent_a2", "agent_b1", "hr", "warehouse"])
def test_only_owner_or_lead_may_escalate(org: dict[str, Any], who: str) -> None:
    ticket = make_ticket(org["agent_a1"])
    before = _frozen(ticket)
    with pytest.raises(PermissionDeniedError):
        ticket_escalate_service_mode(actor=org[who].user, ticket=ticket, mode=REMOTE, reason=REASON)
    assert _frozen(ticket) == before
    assert service_mode_options(org[who].user, ticket) == []


@pytest.mark.django_db
def test_first_responsible_who_handed_the_ticket_on_may_not(org: dict[str, Any]) -> None:
    agent, colleague = org["agent_a1"], org["agent_a2"]
    ticket = make_ticket(agent)
    ticket_act(
        actor=agent.user, ticket=ticket, action="transfer", target=colleague, reason="转售后"
    )
    ticket_act(actor=colleague.user, ticket=ticket, action="accept_transfer")
    ticket.refresh_from_db()
    assert ticket.first_responsible_id == agent.pk and ticket.owner_id == colleague.pk
    before = _frozen(ticket)
    with pytest.raises(PermissionDeniedError):
        ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=REMOTE, reason=REASON)
    assert _frozen(ticket) == before
    ticket_escalate_service_mode(actor=colleague.user, ticket=ticket, mode=REMOTE, reason=REASON)


@pytest.mark.django_db
def test_settled_requests_stay_where_they_are(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已电话指导解决")
    ticket.refresh_from_db()
    assert service_mode_options(agent.user, ticket) == []
    before = _frozen(ticket)
    with pytest.raises(DomainError) as caught:
        ticket_escalate_service_mode(actor=agent.user, ticket=ticket, mode=REMOTE, reason=REASON)
    assert caught.value.code == "ticket_illegal_transition" and caught.value.status == 409
    assert caught.value.message == "已解决的工单不能升级服务方式"
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_service_mode_is_not_a_detail_to_edit(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    before = _frozen(ticket)
    with pytest.raises(DomainError):
        ticket_update_details(actor=agent.user, ticket=ticket, service_mode=ONSITE)
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_contact_form_number_is_a_detail(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    ticket_update_details(actor=agent.user, ticket=ticket, contact_form_no=" LX-2026-031 ")
    ticket.refresh_from_db()
    assert ticket.contact_form_no == "LX-2026-031"
    [event] = _events(ticket, "ticket.update")
    assert event.before == {"contact_form_no": ""}
    assert event.after == {"contact_form_no": "LX-2026-031"}
    before = _frozen(ticket)
    with pytest.raises(DomainError) as caught:
        ticket_update_details(actor=agent.user, ticket=ticket, contact_form_no="X" * 41)
    assert caught.value.fields == {"contact_form_no": "工作联络单号最多40个字"}
    assert _frozen(ticket) == before


# --- API ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_escalates_and_reports_the_options(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    detail = client.get(f"{BASE}/{ticket.pk}").json()
    assert detail["service_mode"] == HOTLINE and detail["service_mode_label"] == "热线服务"
    assert detail["service_mode_options"] == [REMOTE, ONSITE]
    assert detail["contact_form_no"] == ""

    response = post(client, f"{BASE}/{ticket.pk}/service-mode", {"mode": REMOTE, "reason": REASON})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["service_mode"] == REMOTE and data["service_mode_options"] == [ONSITE]
    assert len(_events(ticket)) == 1

    before = _frozen(ticket)
    down = post(client, f"{BASE}/{ticket.pk}/service-mode", {"mode": HOTLINE, "reason": REASON})
    assert assert_error(down, 409, "ticket_service_mode_not_higher")["fields"]["mode"]
    no_reason = post(client, f"{BASE}/{ticket.pk}/service-mode", {"mode": ONSITE})
    assert assert_error(no_reason, 422, "ticket_reason_required")["fields"]["reason"]
    bad = post(client, f"{BASE}/{ticket.pk}/service-mode", {"mode": "by_air", "reason": REASON})
    assert bad.status_code == 422
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_api_refuses_a_transfer_target_who_does_not_hold_it(
    org: dict[str, Any], client_for: Any
) -> None:
    agent, colleague = org["agent_a1"], org["agent_a2"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="transfer", target=colleague, reason="转交")
    before = _frozen(ticket)
    client = client_for(colleague.user)
    assert client.get(f"{BASE}/{ticket.pk}").json()["service_mode_options"] == []
    response = post(client, f"{BASE}/{ticket.pk}/service-mode", {"mode": REMOTE, "reason": REASON})
    assert_error(response, 403, "ticket_action_forbidden")
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_api_filters_by_service_mode_and_patches_the_contact_form(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    remote = make_ticket(agent, title="需要远程")
    make_ticket(agent, title="电话即可")
    ticket_escalate_service_mode(actor=agent.user, ticket=remote, mode=REMOTE, reason=REASON)
    client = client_for(agent.user)
    rows = client.get(f"{BASE}?service_mode=remote").json()["items"]
    assert [r["id"] for r in rows] == [remote.pk]
    assert rows[0]["service_mode_label"] == "远程服务"
    assert client.get(f"{BASE}?service_mode=onsite").json()["count"] == 0

    response = patch(client, f"{BASE}/{remote.pk}", {"contact_form_no": "LX-7"})
    assert response.status_code == 200 and response.json()["contact_form_no"] == "LX-7"
    too_long = patch(client, f"{BASE}/{remote.pk}", {"contact_form_no": "X" * 41})
    assert too_long.status_code == 422


# --- pages --------------------------------------------------------------------------------------
def _html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:800]
    return response.content.decode()


@pytest.mark.django_db
def test_detail_page_offers_the_escalation_to_the_owner_only(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    body = _html(client_for(agent.user).get(f"/tickets/{ticket.pk}/"))
    assert 'data-testid="service-mode-value">热线服务<' in body
    assert "升级服务方式" in body and 'data-testid="service-mode-escalate"' in body
    assert '<option value="remote">远程服务</option>' in body
    assert '<option value="onsite">上门服务</option>' in body
    assert '<option value="hotline">' not in body  # never offered: it is where it stands
    hr_body = _html(client_for(org["hr"].user).get(f"/tickets/{ticket.pk}/"))
    assert 'data-testid="service-mode-escalate"' not in hr_body
    assert 'data-testid="service-mode-value">热线服务<' in hr_body


@pytest.mark.django_db
def test_escalating_through_the_page(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    url = f"/tickets/{ticket.pk}/service-mode/"
    before = _frozen(ticket)
    body = _html(client.post(url, {"service_mode-mode": "onsite", "service_mode-reason": ""}), 422)
    assert "请填写升级原因" in body
    assert '<option value="onsite" selected>' in body  # the choice is kept
    assert _frozen(ticket) == before

    response = client.post(url, {"service_mode-mode": "onsite", "service_mode-reason": REASON})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.service_mode == ONSITE
    body = _html(client.get(f"/tickets/{ticket.pk}/"))
    assert f"升级服务方式（热线服务 → 上门服务）：{REASON}" in body
    assert 'data-testid="service-mode-escalate"' not in body  # the top rung

    # A stale tab asking for a lower rung is told why, and nothing changes.
    before = _frozen(ticket)
    body = _html(
        client.post(url, {"service_mode-mode": "remote", "service_mode-reason": REASON}), 422
    )
    assert "不能从上门服务退回远程服务" in body
    assert _frozen(ticket) == before


@pytest.mark.django_db
def test_page_escalation_by_a_supervisor_and_refused_to_hr(
    org: dict[str, Any], client_for: Any
) -> None:
    ticket = make_ticket(org["agent_a1"])
    response = client_for(org["supervisor"].user).post(
        f"/tickets/{ticket.pk}/service-mode/",
        {"service_mode-mode": "remote", "service_mode-reason": REASON},
    )
    assert response.status_code == 302  # the supervisor leads the department: allowed
    ticket.refresh_from_db()
    assert ticket.service_mode == REMOTE
    other = make_ticket(org["agent_a1"])
    before = _frozen(other)
    hr = client_for(org["hr"].user).post(
        f"/tickets/{other.pk}/service-mode/",
        {"service_mode-mode": "remote", "service_mode-reason": REASON},
    )
    assert hr.status_code == 403
    assert _frozen(other) == before


@pytest.mark.django_db
def test_list_filter_and_edit_form_for_the_ladder(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    onsite = make_ticket(agent, title="上门的单")
    make_ticket(agent, title="热线的单")
    ticket_escalate_service_mode(actor=agent.user, ticket=onsite, mode=ONSITE, reason=REASON)
    client = client_for(agent.user)
    body = _html(client.get("/tickets/?service_mode=onsite"))
    assert "上门的单" in body and "热线的单" not in body
    assert '<option value="onsite" selected>上门服务</option>' in body
    assert "<th>服务方式</th>" in body

    form = _html(client.get(f"/tickets/{onsite.pk}/edit/"))
    assert 'name="contact_form_no"' in form and "工作联络单号" in form
    data = {
        "title": onsite.title,
        "priority": "normal",
        "contact_form_no": "LX-88",
        "description": onsite.description,
    }
    assert client.post(f"/tickets/{onsite.pk}/edit/", data).status_code == 302
    onsite.refresh_from_db()
    assert onsite.contact_form_no == "LX-88"
    assert 'data-testid="contact-form-no">LX-88<' in _html(client.get(f"/tickets/{onsite.pk}/"))


@pytest.mark.django_db
def test_the_api_answer_reads_actions_and_rungs_once_with_the_same_result(
    org: dict[str, Any],
) -> None:
    """``actions_and_service_modes`` (one reading of permission, facts and state, for the API's
    answer) says what ``actions_for`` and ``service_mode_options`` say, for every person of the
    company and a request new, taken, handed on, resolved and closed."""
    agent = org["agent_a1"]
    new = make_ticket(agent)
    taken = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=taken, action="accept")
    handed = make_ticket(agent)
    ticket_act(
        actor=agent.user,
        ticket=handed,
        action="transfer",
        target=org["agent_a2"],
        reason="转交同事处理",
    )
    resolved = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=resolved, action="resolve", note="已电话指导解决")
    closed = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=closed, action="resolve", note="已电话指导解决")
    ticket_act(actor=agent.user, ticket=closed, action="close")
    people = [value.user for value in org.values() if hasattr(value, "user")]
    assert len(people) >= 8
    checked = 0
    for ticket in (new, taken, handed, resolved, closed):
        ticket.refresh_from_db()
        for user in people:
            expected = (actions_for(user, ticket), service_mode_options(user, ticket))
            assert actions_and_service_modes(user, ticket) == expected, (user, ticket.status)
            checked += bool(expected[0]) + bool(expected[1])
    assert checked > 10  # not only empty answers
