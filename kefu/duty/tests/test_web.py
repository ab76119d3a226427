"""Duty pages and API: who may open and do what, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.tokens import api_token_create
from kefu.duty import services
from kefu.duty.models import (
    Handover,
    HandoverAck,
    HandoverFlag,
    PresenceEvent,
    PresenceState,
    PresenceViolation,
)
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _bearer(user: Any) -> dict[str, str]:
    _, raw = api_token_create(actor=user, name="聊天工具")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _handover(org: dict[str, Any]) -> Handover:
    return services.handover_create(
        actor=org["agent_a1"].user, day=YESTERDAY, shift_code="day", pending_work="无"
    )


def test_agent_writes_with_open_tickets_prefilled_and_colleague_acknowledges(
    org, client_for
) -> None:
    ticket = make_ticket(org["agent_a1"], title="客户催发货")
    client = client_for(org["agent_a1"].user)
    form = client.get("/duty/handovers/new/").content.decode()
    assert ticket.number in form and f'value="{ticket.pk}"' in form and "checked" in form
    bad = client.post(
        "/duty/handovers/new/",
        {"day": YESTERDAY, "shift_code": "day", "pending_work": "", "notes": "保留我"},
    )
    assert bad.status_code == 422 and "保留我" in bad.content.decode()
    ok = client.post(
        "/duty/handovers/new/",
        {
            "day": YESTERDAY,
            "shift_code": "day",
            "tickets": [ticket.pk],
            "pending_work": "发货待跟进",
            "equipment_ok": "1",
        },
    )
    assert ok.status_code == 302
    h = Handover.objects.get()
    assert list(h.tickets.values_list("ticket_id", flat=True)) == [ticket.pk]
    colleague = client_for(org["agent_a2"].user)
    page = colleague.get(f"/duty/handovers/{h.pk}/").content.decode()
    assert 'data-testid="handover-ack-form"' in page and ticket.number in page
    assert colleague.post(f"/duty/handovers/{h.pk}/ack/", {"remark": "收到"}).status_code == 302
    h.refresh_from_db()
    assert h.status == "acknowledged"
    # 客服乙一 (another team) does not see team A's book.
    assert client_for(org["agent_b1"].user).get(f"/duty/handovers/{h.pk}/").status_code == 404


def test_list_tabs_filters_export_and_bounded_queries(
    org, client_for, django_assert_max_num_queries
) -> None:
    people = [org["agent_a1"], org["agent_a2"], org["lead_a"]]
    now = timezone.now()
    for i in range(30):
        h = Handover.objects.create(
            team=org["team_a"],
            day=YESTERDAY - dt.timedelta(days=i // 3),
            shift_code=["day", "night", "evening"][i % 3],
            author=people[i % 3],
            written_at=now,
            pending_work=f"事项{i}",
            ack_due_at=now,
            ack_overdue=i % 4 == 0,
        )
        HandoverAck.objects.create(handover=h, employee=people[(i + 1) % 3])
        HandoverFlag.objects.create(
            kind="missing",
            employee=people[i % 3],
            day=h.day,
            shift_code=h.shift_code + "x",
            team=org["team_a"],
            flagged_at=now,
        )
    client = client_for(org["lead_a"].user)
    # 18: the first page of a fresh login also saves the session (savepoint, update, release).
    with django_assert_max_num_queries(18):
        page = client.get("/duty/handovers/?page_size=50")
    body = page.content.decode()
    assert body.count('data-testid="handover-row"') == 30
    assert 'data-testid="handover-overdue"' in body
    with django_assert_max_num_queries(16):
        flags = client.get("/duty/handovers/?tab=flags&page_size=50")
    assert flags.content.decode().count('data-testid="flag-row"') == 30
    one = client.get(
        "/duty/handovers/?view=overdue", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="duty-table"
    )
    assert one.content.decode().count('data-testid="handover-row"') == 8
    assert "<html" not in one.content.decode()
    export = client.get("/duty/handovers/export/?shift=day")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    with django_assert_max_num_queries(16):
        api = client.get("/api/v1/duty/handovers?page_size=50")
    assert api.json()["count"] == 30


def test_presence_widget_board_and_chat_tool_token(org, client_for) -> None:
    agent = client_for(org["agent_a1"].user)
    widget = agent.get("/duty/presence/widget/").content.decode()
    assert 'data-testid="presence-widget"' in widget
    r = agent.post(
        "/duty/presence/set/", {"status": "away", "reason": "午休"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and 'data-status="away"' in r.content.decode()
    assert agent.get("/duty/presence/").status_code == 403  # the board is for leads
    lead = client_for(org["lead_a"].user)
    assert lead.get("/duty/presence/").status_code == 200
    # The chat tool posts the agent's status with the agent's own token, no session.
    from django.test import Client

    tool = Client()
    auth = _bearer(org["agent_a1"].user)
    r = tool.post(
        "/api/v1/duty/presence", json.dumps({"status": "hidden"}), "application/json", **auth
    )
    assert r.status_code == 200 and r.json()["status"] == "hidden" and r.json()["changed"]
    assert PresenceState.objects.get(employee=org["agent_a1"]).source == "api"
    r = tool.post(
        "/api/v1/duty/presence",
        json.dumps({"status": "online", "employee_no": "KF012"}),
        "application/json",
        **auth,
    )
    assert r.status_code == 403
    assert not PresenceState.objects.filter(employee=org["agent_a2"]).exists()
    sup = _bearer(org["supervisor"].user)
    r = tool.post(
        "/api/v1/duty/presence",
        json.dumps({"status": "online", "employee_no": "KF012"}),
        "application/json",
        **sup,
    )
    assert r.status_code == 200 and r.json()["employee_no"] == "KF012"
    assert tool.get("/api/v1/duty/presence/me", **auth).json()["status"] == "hidden"
    bad = tool.post(
        "/api/v1/duty/presence", json.dumps({"status": "x"}), "application/json", **auth
    )
    assert bad.status_code == 422 and bad.json()["fields"]["status"]


def test_api_write_and_acknowledge(org, client_for) -> None:
    ticket = make_ticket(org["agent_a1"])
    r = client_for(org["agent_a1"].user).post(
        "/api/v1/duty/handovers",
        {
            "day": YESTERDAY.isoformat(),
            "shift_code": "day",
            "pending_work": "跟进",
            "ticket_numbers": [ticket.number],
            "ticket_notes": {ticket.number: "等客户回电"},
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["tickets"][0]["note"] == "等客户回电"
    r = client_for(org["agent_a2"].user).post(
        f"/api/v1/duty/handovers/{data['id']}/acknowledge",
        {"remark": "好"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"


def _state() -> tuple:
    return (
        list(Handover.objects.values_list("pk", "status", "ack_overdue")),
        list(HandoverAck.objects.values_list("pk", "acknowledged_at")),
        list(HandoverFlag.objects.values_list("pk", "waived_at")),
        PresenceEvent.objects.count(),
        list(PresenceViolation.objects.values_list("pk", "status")),
    )


def test_refused_role_tries_every_endpoint_and_nothing_changes(org, client_for) -> None:
    h = _handover(org)
    now = timezone.now()
    flag = HandoverFlag.objects.create(
        kind="missing", employee=org["agent_a2"], day=YESTERDAY, shift_code="night", flagged_at=now
    )
    v = PresenceViolation.objects.create(
        employee=org["agent_a2"],
        day=YESTERDAY,
        shift_code="day",
        started_at=now,
        minutes=30,
        kind="offline",
        detected_at=now,
    )
    before = _state()
    client = client_for(org["warehouse"].user)
    gets = [
        "/duty/handovers/",
        "/duty/handovers/?tab=flags",
        "/duty/handovers/export/",
        "/duty/handovers/new/",
        f"/duty/handovers/{h.pk}/",
        "/duty/presence/",
        "/duty/presence/widget/",
        "/api/v1/duty/handovers",
        f"/api/v1/duty/handovers/{h.pk}",
        "/api/v1/duty/handover-flags",
        "/api/v1/duty/presence/me",
        "/api/v1/duty/presence/board",
        "/api/v1/duty/presence/violations",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        ("/duty/handovers/new/", {"day": YESTERDAY, "shift_code": "day", "pending_work": "x"}),
        (f"/duty/handovers/{h.pk}/ack/", {"remark": "x"}),
        (f"/duty/flags/{flag.pk}/waive/", {"reason": "x"}),
        ("/duty/presence/set/", {"status": "online"}),
        (f"/duty/presence/violations/{v.pk}/excuse/", {"reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    api_posts = [
        (
            "/api/v1/duty/handovers",
            {"day": str(YESTERDAY), "shift_code": "day", "pending_work": "x"},
        ),
        (f"/api/v1/duty/handovers/{h.pk}/acknowledge", {}),
        (f"/api/v1/duty/handover-flags/{flag.pk}/waive", {"reason": "x"}),
        ("/api/v1/duty/presence", {"status": "online"}),
        (f"/api/v1/duty/presence/violations/{v.pk}/excuse", {"reason": "x"}),
    ]
    for url, data in api_posts:
        assert client.post(url, data, content_type="application/json").status_code == 403, url
    assert _state() == before


def test_agent_may_not_waive_or_excuse_and_lead_of_other_team_sees_nothing(org, client_for) -> None:
    now = timezone.now()
    flag = HandoverFlag.objects.create(
        kind="missing", employee=org["agent_a2"], day=YESTERDAY, shift_code="night", flagged_at=now
    )
    agent = client_for(org["agent_a1"].user)
    assert agent.post(f"/duty/flags/{flag.pk}/waive/", {"reason": "x"}).status_code == 403
    # 组长乙 (team B) does not find team A's flag.
    other = client_for(org["lead_b"].user)
    assert other.post(f"/duty/flags/{flag.pk}/waive/", {"reason": "x"}).status_code == 404
    lead = client_for(org["lead_a"].user)
    assert lead.post(f"/duty/flags/{flag.pk}/waive/", {"reason": "系统故障"}).status_code == 302
    flag.refresh_from_db()
    assert flag.waive_reason == "系统故障"


def test_ticket_page_links_to_the_handover(org, client_for) -> None:
    ticket = make_ticket(org["agent_a1"])
    h = services.handover_create(
        actor=org["agent_a1"].user,
        day=YESTERDAY,
        shift_code="day",
        pending_work="跟进",
        ticket_ids=[ticket.pk],
    )
    page = client_for(org["agent_a1"].user).get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/duty/handovers/{h.pk}/" in page


def test_presence_board_queries_do_not_grow_with_people(
    org, client_for, django_assert_max_num_queries
) -> None:
    from kefu.org.tests.factories import EmployeeFactory

    from .factories import publish

    today = timezone.localdate()
    people = [org["agent_a1"], org["agent_a2"]] + [
        EmployeeFactory(department=org["cs"], team=org["team_a"]) for _ in range(12)
    ]
    publish(org["team_a"], {(p, today): "day" if i % 2 else "night" for i, p in enumerate(people)})
    now = timezone.now()
    for p in people[:6]:
        PresenceViolation.objects.create(
            employee=p,
            team=org["team_a"],
            day=today,
            shift_code="day",
            started_at=now,
            minutes=15,
            kind="offline",
            detected_at=now,
        )
    client = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(22):
        page = client.get("/duty/presence/")
    body = page.content.decode()
    assert body.count('data-testid="presence-row"') == 14
    assert body.count('data-testid="violation-row"') == 6
    with django_assert_max_num_queries(18):
        assert len(client.get("/api/v1/duty/presence/board").json()) == 14


def test_top_bar_quick_status_posts_and_comes_back(org, client_for) -> None:
    """The top bar of every page has the 在线状态 form (no extra query, no script needed)."""
    from kefu.duty.models import PresenceState

    agent = client_for(org["agent_a1"].user)
    page = agent.get("/org/approvals/").content.decode()
    assert 'data-testid="presence-quick"' in page
    back = agent.post(
        "/duty/presence/set/", {"status": "online", "reason": "", "next": "/org/approvals/"}
    )
    assert back.status_code == 302 and back["Location"] == "/org/approvals/"
    assert PresenceState.objects.get(employee=org["agent_a1"]).status == "online"
    # HR sets no status: no form in its top bar
    hr_page = client_for(org["hr"].user).get("/org/approvals/").content.decode()
    assert 'data-testid="presence-quick"' not in hr_page
