"""换班 pages and API: the flow through the HTTP client, refusals change nothing, bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kefu.core.models import AuditEvent
from kefu.org.models import ApprovalStep
from kefu.swaps import services
from kefu.swaps.choices import SwapStatus
from kefu.swaps.models import ShiftSwap
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.selectors import rostered_code

from .factories import future_month, publish_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org: dict[str, Any]) -> dt.date:
    first = future_month()
    publish_roster(org["team_a"], first, [org["agent_a1"], org["agent_a2"], org["lead_a"]])
    return first


def d(month: dt.date, n: int) -> str:
    return month.replace(day=n).isoformat()


def _post_json(client: Any, url: str, body: dict | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_pages_flow_ask_accept_approve(org, month, client_for) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    client = client_for(a1.user)
    assert client.get("/swaps/").status_code == 200
    form = client.get("/swaps/new/")
    assert form.status_code == 200 and d(month, 10) in form.content.decode()
    preview = client.get(
        "/swaps/preview/",
        {"day": d(month, 10), "colleague": a2.pk, "payback_day": d(month, 13)},
        HTTP_HX_REQUEST="true",
    )
    body = preview.content.decode()
    assert 'data-testid="swap-preview-ok"' in body and 'data-testid="swap-strip"' in body
    bad = client.get("/swaps/preview/", {"day": d(month, 10), "colleague": a2.pk})
    assert "换班必须还班" in bad.content.decode()
    # a broken rule is shown beside the field and what was typed stays
    kept = client.post(
        "/swaps/new/", {"day": d(month, 10), "colleague": a2.pk, "reason": "保留我的原因"}
    )
    assert kept.status_code == 422
    assert "保留我的原因" in kept.content.decode() and "换班必须还班" in kept.content.decode()
    created = client.post(
        "/swaps/new/",
        {"day": d(month, 10), "colleague": a2.pk, "payback_day": d(month, 13), "reason": "私事"},
    )
    assert created.status_code == 302
    swap = ShiftSwap.objects.get()
    assert created["Location"] == f"/swaps/{swap.pk}/"

    colleague = client_for(a2.user)
    page = colleague.get("/swaps/?tab=confirm").content.decode()
    assert f'data-swap="{swap.pk}"' in page
    assert 'data-testid="swap-accept"' in colleague.get(f"/swaps/{swap.pk}/").content.decode()
    assert colleague.post(f"/swaps/{swap.pk}/accept/").status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PENDING

    for who in ("lead_a", "supervisor", "manager"):
        approver = client_for(org[who].user)
        inbox = approver.get("/org/approvals/").content.decode()
        assert f"/swaps/{swap.pk}/" in inbox
        detail = approver.get(f"/swaps/{swap.pk}/").content.decode()
        assert 'data-testid="swap-decide-form"' in detail
        r = approver.post(f"/swaps/{swap.pk}/decide/", {"decision": "approve", "comment": ""})
        assert r.status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED
    assert rostered_code(a1.pk, month.replace(day=10)) == "rest"
    assert rostered_code(a2.pk, month.replace(day=10)) == "day"
    roster = Roster.objects.get(team=org["team_a"], month=month, status="published")
    assert client.get(f"/workforce/rosters/{roster.pk}/").status_code == 200
    export = client.get("/swaps/export/?tab=mine")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")


def test_reject_needs_a_comment_and_decline_keeps_input(org, month, client_for) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    swap = services.swap_create(
        actor=a1.user,
        colleague=a2,
        day=month.replace(day=10),
        payback_day=month.replace(day=13),
        reason="x",
    )
    r = client_for(a2.user).post(f"/swaps/{swap.pk}/decline/", {"reason": ""})
    assert r.status_code == 422 and "请填写拒绝原因" in r.content.decode()
    services.swap_accept(actor=a2.user, swap=swap)
    lead = client_for(org["lead_a"].user)
    r = lead.post(f"/swaps/{swap.pk}/decide/", {"decision": "reject", "comment": ""})
    assert r.status_code == 422 and "请填写驳回原因" in r.content.decode()
    r = lead.post(f"/swaps/{swap.pk}/decide/", {"decision": "reject", "comment": "人手不足"})
    swap.refresh_from_db()
    assert r.status_code == 302 and swap.status == SwapStatus.REJECTED


def _state() -> tuple:
    return (
        list(ShiftSwap.objects.order_by("pk").values_list("pk", "status")),
        ApprovalStep.objects.filter(state__in=["pending", "waiting"]).count(),
        list(RosterEntry.objects.order_by("pk").values_list("pk", "code")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["warehouse", "agent_b1"])
def test_refused_roles_change_nothing(org, month, client_for, who) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    swap = services.swap_create(
        actor=a1.user,
        colleague=a2,
        day=month.replace(day=10),
        payback_day=month.replace(day=13),
        reason="x",
    )
    services.swap_accept(actor=a2.user, swap=swap)
    before = _state()
    client = client_for(org[who].user)
    pk = swap.pk
    outsider = who == "agent_b1"  # may use the module, but not another team's swap
    page_codes = {404} if outsider else {403}
    for url in (f"/swaps/{pk}/", f"/swaps/{pk}/payback/"):
        assert client.get(url).status_code in page_codes | {403}
    for url, data in (
        (f"/swaps/{pk}/accept/", {}),
        (f"/swaps/{pk}/decline/", {"reason": "x"}),
        (f"/swaps/{pk}/decide/", {"decision": "approve"}),
        (f"/swaps/{pk}/withdraw/", {}),
        (f"/swaps/{pk}/payback/", {"day": d(month, 20), "reason": "x"}),
        ("/swaps/new/", {"day": d(month, 10), "colleague": a2.pk, "reason": "x"}),
    ):
        assert client.post(url, data).status_code in {403, 404, 422}, url
    if not outsider:
        for url in ("/swaps/", "/swaps/new/", "/swaps/export/", "/swaps/preview/"):
            assert client.get(url).status_code == 403, url
        assert client.get("/api/v1/swaps").status_code == 403
        assert client.get("/api/v1/swaps/overdue").status_code == 403
    assert client.get(f"/api/v1/swaps/{pk}").status_code in (403, 404)
    for action in ("accept", "decline", "approve", "reject", "withdraw", "payback"):
        body = {"reason": "x", "comment": "x", "day": d(month, 20)}
        assert _post_json(client, f"/api/v1/swaps/{pk}/{action}", body).status_code in (403, 404)
    body = {"colleague_id": a2.pk, "day": d(month, 10), "payback_day": d(month, 13), "reason": "x"}
    assert _post_json(client, "/api/v1/swaps", body).status_code in (403, 422)
    assert _post_json(client, "/api/v1/swaps/check", body).status_code in (200, 403)
    assert _state() == before


def test_an_agent_cannot_approve_and_a_colleague_cannot_skip(org, month, client_for) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    swap = services.swap_create(
        actor=a1.user,
        colleague=a2,
        day=month.replace(day=10),
        payback_day=month.replace(day=13),
        reason="x",
    )
    services.swap_accept(actor=a2.user, swap=swap)
    before = _state()
    for who in ("agent_a1", "agent_a2", "supervisor", "manager"):
        r = _post_json(client_for(org[who].user), f"/api/v1/swaps/{swap.pk}/approve")
        assert r.status_code == 403, who
    assert _state() == before


def test_api_flow_and_schemas(org, month, client_for) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    api = client_for(a1.user)
    body = {"colleague_id": a2.pk, "day": d(month, 10), "reason": "私事"}
    check = _post_json(api, "/api/v1/swaps/check", body).json()
    assert check["ok"] is False and check["errors"][0]["code"] == "swap_payback_required"
    r = _post_json(api, "/api/v1/swaps", body)
    assert r.status_code == 422 and r.json()["code"] == "swap_payback_required"
    body["payback_day"] = d(month, 13)
    r = _post_json(api, "/api/v1/swaps", body)
    assert r.status_code == 201
    swap = r.json()
    assert swap["status"] == "colleague" and swap["applicant_code"] == "day"
    pk = swap["id"]
    r = _post_json(client_for(a2.user), f"/api/v1/swaps/{pk}/accept")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = _post_json(api, f"/api/v1/swaps/{pk}/accept")
    assert r.status_code == 403
    for who in ("lead_a", "supervisor"):
        assert (
            _post_json(client_for(org[who].user), f"/api/v1/swaps/{pk}/approve").status_code == 200
        )
    detail = client_for(org["manager"].user).get(f"/api/v1/swaps/{pk}").json()
    assert [s["state"] for s in detail["steps"]] == ["approved", "approved", "pending"]
    r = _post_json(
        client_for(org["manager"].user), f"/api/v1/swaps/{pk}/approve", {"comment": "同意"}
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["payback_status"] in ("due", "done")
    listing = api.get("/api/v1/swaps?tab=mine").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == pk
    team = client_for(org["lead_a"].user).get("/api/v1/swaps?tab=team").json()
    assert team["count"] == 1
    assert api.get("/api/v1/swaps/overdue").json() == []
    schema = client_for(org["sysadmin"].user).get("/api/v1/openapi.json").json()
    assert "/api/v1/swaps/{pk}/approve" in schema["paths"]
    assert "SwapIn" in schema["components"]["schemas"]


def test_list_queries_bounded(org, month, client_for, django_assert_max_num_queries) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    for n, p in ((2, 5), (10, 13), (18, 21)):
        services.swap_create(
            actor=a1.user,
            colleague=a2,
            day=month.replace(day=n),
            payback_day=month.replace(day=p),
            reason="x",
        )
    lead = client_for(org["lead_a"].user)
    lead.get("/swaps/?tab=team")  # warm caches (session, permissions)
    with django_assert_max_num_queries(14):
        r = lead.get("/swaps/?tab=team&page_size=100")
    assert r.content.decode().count('data-testid="swap-row"') == 3
    with django_assert_max_num_queries(10):
        r = lead.get("/api/v1/swaps?tab=team&page_size=100")
    assert r.json()["count"] == 3
