"""Ledger pages — 奖惩台账, 登记, 事件页 actions, 申诉, 奖惩条目, 导入: permissions, htmx, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.performance.models import Appeal, Incident
from kefu.performance.services import ledger

D = Decimal


def _record(org: dict, emp: str = "agent_a1", **kw) -> Incident:
    args = {"rule_code": "contact_leaked", "day": timezone.localdate()}
    args.update(kw)
    return ledger.incident_record(actor=org["lead_a"].user, employee=org[emp], **args)


@pytest.mark.django_db
def test_list_page_scoped_filtered_and_bounded(
    org: dict, client_for, django_assert_max_num_queries
) -> None:
    for _ in range(12):
        _record(org)
        _record(org, emp="agent_a2", rule_code="posture")
    client = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(20):
        r = client.get("/performance/incidents/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "共 24 条" in body and "¥-10.00" in body and "incident-new" in body
    r = client.get(
        "/performance/incidents/?category=deduction&page_size=50",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="incident-table",
    )
    assert "<html" not in r.content.decode() and "共 12 条" in r.content.decode()
    agent = client_for(org["agent_b1"].user).get("/performance/incidents/")
    assert agent.status_code == 200 and "暂无奖惩事件" in agent.content.decode()
    assert "incident-new" not in agent.content.decode()


@pytest.mark.django_db
def test_export_is_excel(org: dict, client_for) -> None:
    _record(org)
    r = client_for(org["manager"].user).get("/performance/incidents/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.django_db
def test_record_form_and_amounts_preview(org: dict, client_for) -> None:
    client = client_for(org["lead_a"].user)
    r = client.get("/performance/incidents/new/")
    assert r.status_code == 200
    assert "客服乙一" not in r.content.decode()  # outside the team
    r = client.get(
        "/performance/incidents/amounts/",
        {
            "rule": "missed_handover",
            "day": timezone.localdate().isoformat(),
            "employee": org["agent_a1"].pk,
        },
    )
    assert "本月第1次" in r.content.decode() and "¥10.00 / ¥20.00 / 辞退" in r.content.decode()
    r = client.get(
        "/performance/incidents/amounts/",
        {"rule": "quarrel_with_customer", "day": timezone.localdate().isoformat()},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="rule",
    )
    body = r.content.decode()
    assert 'id="id_points" value="5"' in body and 'hx-swap-oob="true"' in body
    day = timezone.localdate().isoformat()
    bad = client.post(
        "/performance/incidents/new/",
        {
            "employee": org["agent_a1"].pk,
            "rule": "quarrel_with_customer",
            "day": day,
            "points": "9",
        },
    )
    assert bad.status_code == 422 and "超出制度规定的范围" in bad.content.decode()
    assert not Incident.objects.exists()
    ok = client.post(
        "/performance/incidents/new/",
        {
            "employee": org["agent_a1"].pk,
            "rule": "quarrel_with_customer",
            "day": day,
            "points": "3",
        },
    )
    inc = Incident.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/performance/incidents/{inc.pk}/"
    assert (inc.points, inc.status) == (D("-3"), "confirmed")
    other = client.post(
        "/performance/incidents/new/",
        {"employee": org["agent_b1"].pk, "rule": "posture", "day": day},
    )
    assert other.status_code == 422 and Incident.objects.count() == 1
    refused = client_for(org["agent_a1"].user).get("/performance/incidents/new/")
    assert refused.status_code == 403


@pytest.mark.django_db
def test_detail_appeal_and_decision_pages(org: dict, client_for) -> None:
    inc = _record(org)
    agent = client_for(org["agent_a1"].user)
    page = agent.get(f"/performance/incidents/{inc.pk}/").content.decode()
    assert "提交申诉" in page and "处理申诉" not in page
    assert (
        client_for(org["agent_a2"].user).get(f"/performance/incidents/{inc.pk}/").status_code == 404
    )
    empty = agent.post(f"/performance/incidents/{inc.pk}/appeal/", {"reason": ""})
    assert empty.status_code == 422 and "请填写申诉理由" in empty.content.decode()
    r = agent.post(f"/performance/incidents/{inc.pk}/appeal/", {"reason": "当时在处理客户投诉"})
    assert r.status_code == 302
    # the lead may not decide; the manager may
    lead = client_for(org["lead_a"].user)
    assert (
        lead.post(
            f"/performance/incidents/{inc.pk}/decide/", {"decision": "revoked", "reason": "x"}
        ).status_code
        == 403
    )
    manager = client_for(org["manager"].user)
    assert "维持原判" in manager.get(f"/performance/incidents/{inc.pk}/").content.decode()
    assert "待处理" in manager.get("/performance/appeals/").content.decode()
    r = manager.post(
        f"/performance/incidents/{inc.pk}/decide/", {"decision": "revoked", "reason": "属实"}
    )
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.status == "revoked" and Appeal.objects.get().status == "revoked"
    page = manager.get(f"/performance/incidents/{inc.pk}/").content.decode()
    assert "冲销记录" in page and "提出申诉" in page


@pytest.mark.django_db
def test_confirm_and_direct_revoke_pages(org: dict, client_for) -> None:
    inc = _record(org, propose_only=True)
    assert (
        client_for(org["agent_a1"].user)
        .post(f"/performance/incidents/{inc.pk}/confirm/")
        .status_code
        == 403
    )
    r = client_for(org["supervisor"].user).post(f"/performance/incidents/{inc.pk}/confirm/")
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.status == "confirmed"
    manager = client_for(org["manager"].user)
    bad = manager.post(
        f"/performance/incidents/{inc.pk}/revoke/", {"reason": "x", "action": "correct"}
    )
    assert bad.status_code == 422
    r = manager.post(
        f"/performance/incidents/{inc.pk}/revoke/",
        {"reason": "金额有误", "action": "correct", "corrected_money": "5"},
    )
    assert r.status_code == 302
    assert sorted(Incident.objects.values_list("money", flat=True)) == [D("-10"), D("-5"), D("10")]


@pytest.mark.django_db
def test_bulk_confirm_page(org: dict, client_for) -> None:
    a = _record(org, propose_only=True)
    b = ledger.incident_record(
        actor=org["lead_b"].user,
        employee=org["agent_b1"],
        day=timezone.localdate(),
        rule_code="posture",
        propose_only=True,
    )
    r = client_for(org["lead_a"].user).post(
        "/performance/incidents/confirm/", {"ids": [a.pk, b.pk]}
    )
    assert r.status_code == 302
    assert dict(Incident.objects.values_list("pk", "status")) == {
        a.pk: "confirmed",
        b.pk: "proposed",
    }
    agent = client_for(org["agent_b1"].user).post(
        "/performance/incidents/confirm/", {"ids": [b.pk]}
    )
    assert agent.status_code == 403


@pytest.mark.django_db
def test_catalogue_appeals_and_import_pages(org: dict, client_for) -> None:
    page = client_for(org["agent_a1"].user).get("/performance/catalogue/").content.decode()
    assert "未交班（交接班缺失造成损失）" in page and "¥10.00 / ¥20.00 / 辞退" in page
    assert "¥50.00 / ¥100.00 / 辞退" in page and "PERF-6" in page
    assert client_for(org["agent_a1"].user).get("/performance/appeals/").status_code == 200
    assert client_for(org["lead_a"].user).get("/performance/incidents/import/").status_code == 403
    sup = client_for(org["supervisor"].user)
    assert sup.get("/performance/incidents/import/").status_code == 200
    day = timezone.localdate().isoformat()
    r = sup.post("/performance/incidents/import/", {"start": day, "end": day})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    assert sup.get(r["Location"]).status_code == 200


@pytest.mark.django_db
def test_appeal_list_pending_first_and_bounded(
    org: dict, client_for, django_assert_max_num_queries
) -> None:
    incidents = [_record(org, rule_code="posture") for _ in range(6)]
    for inc in incidents:
        ledger.appeal_file(actor=org["agent_a1"].user, incident=inc, reason="不认可")
    ledger.appeal_decide(
        actor=org["manager"].user,
        appeal=incidents[0].appeals.get(),
        decision="upheld",
        reason="属实",
    )
    client = client_for(org["manager"].user)
    with django_assert_max_num_queries(16):
        r = client.get("/performance/appeals/")
    body = r.content.decode()
    assert "共 6 条" in body
    assert body.index('data-status="pending"') < body.index('data-status="upheld"')
    assert (
        client_for(org["agent_a2"].user)
        .get("/performance/appeals/")
        .content.decode()
        .count('data-testid="appeal-row"')
        == 0
    )
