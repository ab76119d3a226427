"""/api/v1/performance — incidents, appeals, catalogue, imports: every endpoint incl. refusals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.performance.models import Appeal, Incident
from kefu.performance.services import ledger

D = Decimal
API = "/api/v1/performance"


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _record(org: dict, emp: str = "agent_a1", **kw) -> Incident:
    args = {"rule_code": "contact_leaked", "day": timezone.localdate()}
    args.update(kw)
    return ledger.incident_record(actor=org["lead_a"].user, employee=org[emp], **args)


@pytest.mark.django_db
def test_list_and_detail_scoped(org: dict, client_for, django_assert_max_num_queries) -> None:
    for _ in range(10):
        _record(org)
    other = ledger.incident_record(
        actor=org["lead_b"].user,
        employee=org["agent_b1"],
        day=timezone.localdate(),
        rule_code="posture",
    )
    manager = client_for(org["manager"].user)
    with django_assert_max_num_queries(12):
        r = manager.get(f"{API}/incidents?page_size=50")
    data = r.json()
    assert r.status_code == 200 and data["count"] == 11
    assert data["items"][0]["money"] in ("-10.00", "0.00", "-10")
    lead = client_for(org["lead_a"].user)
    assert lead.get(f"{API}/incidents").json()["count"] == 10
    assert lead.get(f"{API}/incidents/{other.pk}").status_code == 404
    agent = client_for(org["agent_a2"].user)
    assert agent.get(f"{API}/incidents").json()["count"] == 0
    r = manager.get(f"{API}/incidents?category=deduction")
    assert r.json()["count"] == 1
    assert manager.get(f"{API}/incidents/{other.pk}").json()["rule"] == "posture"
    assert client_for(org["warehouse"].user).get(f"{API}/incidents").json()["count"] == 0


@pytest.mark.django_db
def test_record_confirm_and_refusals(org: dict, client_for) -> None:
    body = {
        "employee_id": org["agent_a1"].pk,
        "day": timezone.localdate().isoformat(),
        "rule": "quarrel_with_customer",
        "points": "2",
        "propose_only": True,
    }
    lead = client_for(org["lead_a"].user)
    r = _post(lead, f"{API}/incidents", body)
    assert r.status_code == 201, r.content
    assert (D(r.json()["points"]), r.json()["status"]) == (D("-2"), "proposed")
    pk = r.json()["id"]
    assert _post(client_for(org["agent_a1"].user), f"{API}/incidents", body).status_code == 403
    out = _post(lead, f"{API}/incidents", {**body, "employee_id": org["agent_b1"].pk})
    assert out.status_code == 422 and out.json()["fields"] == {"employee_id": "无效"}
    too_much = _post(lead, f"{API}/incidents", {**body, "points": "8"})
    assert too_much.status_code == 422 and too_much.json()["code"] == "points_out_of_range"
    assert Incident.objects.count() == 1
    assert (
        _post(client_for(org["agent_a1"].user), f"{API}/incidents/{pk}/confirm", {}).status_code
        == 403
    )
    r = _post(client_for(org["supervisor"].user), f"{API}/incidents/{pk}/confirm", {})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    again = _post(client_for(org["supervisor"].user), f"{API}/incidents/{pk}/confirm", {})
    assert again.status_code == 409


@pytest.mark.django_db
def test_bulk_confirm(org: dict, client_for) -> None:
    a = _record(org, propose_only=True)
    r = _post(client_for(org["lead_a"].user), f"{API}/incidents/confirm", {"ids": [a.pk]})
    assert r.json() == {"confirmed": 1}
    assert (
        _post(
            client_for(org["agent_a1"].user), f"{API}/incidents/confirm", {"ids": [a.pk]}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_appeal_decide_and_revoke(org: dict, client_for) -> None:
    inc = _record(org)
    agent = client_for(org["agent_a1"].user)
    assert (
        _post(
            client_for(org["agent_a2"].user), f"{API}/incidents/{inc.pk}/appeals", {"reason": "x"}
        ).status_code
        == 404
    )
    r = _post(agent, f"{API}/incidents/{inc.pk}/appeals", {"reason": "没有透露"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    appeal_id = r.json()["id"]
    assert _post(agent, f"{API}/incidents/{inc.pk}/appeals", {"reason": "x"}).status_code == 409
    assert agent.get(f"{API}/appeals").json()["count"] == 1
    assert client_for(org["agent_a2"].user).get(f"{API}/appeals").json()["count"] == 0
    decide = {"decision": "corrected", "reason": "酌减", "corrected_money": "5"}
    assert (
        _post(
            client_for(org["lead_a"].user), f"{API}/appeals/{appeal_id}/decide", decide
        ).status_code
        == 403
    )
    assert _post(agent, f"{API}/appeals/{appeal_id}/decide", decide).status_code == 403
    manager = client_for(org["manager"].user)
    bad = _post(manager, f"{API}/appeals/{appeal_id}/decide", {"decision": "maybe", "reason": "x"})
    assert bad.status_code == 422
    r = _post(manager, f"{API}/appeals/{appeal_id}/decide", decide)
    assert r.status_code == 200 and r.json()["status"] == "corrected"
    assert D(r.json()["corrected_money"]) == D("-5")
    assert Appeal.objects.get().status == "corrected"
    # direct revoke of another line
    other = _record(org, rule_code="posture")
    assert (
        _post(
            client_for(org["supervisor"].user),
            f"{API}/incidents/{other.pk}/revoke",
            {"reason": "x"},
        ).status_code
        == 403
    )
    assert _post(manager, f"{API}/incidents/{other.pk}/revoke", {"reason": " "}).status_code == 422
    r = _post(manager, f"{API}/incidents/{other.pk}/revoke", {"reason": "误登"})
    assert r.status_code == 200 and r.json()["incident"]["status"] == "revoked"
    assert D(Incident.objects.get(pk=r.json()["reversal_id"]).points) == D("1")
    assert (
        _post(manager, f"{API}/incidents/{other.pk}/revoke", {"reason": "再次"}).status_code == 409
    )


@pytest.mark.django_db
def test_catalogue_and_imports(org: dict, client_for) -> None:
    rows = client_for(org["agent_a1"].user).get(f"{API}/catalogue").json()
    by = {r["code"]: r for r in rows}
    assert by["missed_handover"]["escalation_steps"] == ["¥10.00", "¥20.00", "辞退"]
    assert by["appearance"]["points_min"] == "0.5" or D(by["appearance"]["points_min"]) == D("0.5")
    assert (
        client_for(org["agent_a1"].user)
        .post(f"{API}/imports", "{}", content_type="application/json")
        .status_code
        == 403
    )
    sup = client_for(org["supervisor"].user)
    assert _post(sup, f"{API}/imports", {}).status_code == 422
    assert _post(sup, f"{API}/imports", {"month": "2026-13"}).status_code == 422
    month = timezone.localdate().strftime("%Y-%m")
    r = _post(sup, f"{API}/imports", {"month": month})
    assert r.status_code == 202 and r.json()["job_url"].startswith("/jobs/")
