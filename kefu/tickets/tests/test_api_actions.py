"""Ticket API actions and attachments — 工单操作与附件接口 (TKT-3, TKT-5, TKT-6, TKT-7).

Every action endpoint answers the updated detail; the rule engine's refusals come back as
409 (not in this status), 403 (not in this capacity) or 422 (missing input) with Chinese
messages, and a refused request changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.core.models import AuditEvent, Notification
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_act, ticket_attach
from kefu.tickets.tests.api_helpers import (
    BASE,
    PDF,
    PNG,
    REPORT,
    assert_error,
    ok,
    post,
    snapshot,
    url,
)
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


# --- actions ------------------------------------------------------------------------------------
def test_main_path_through_the_api(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    assert ok(post(client, url(ticket, "accept")))["status"] == "in_progress"
    waiting = ok(
        post(client, url(ticket, "wait-customer"), {"note": "请提供购买凭证", "via": "written"})
    )
    assert waiting["status"] == "waiting_customer" and waiting["paused_since"]
    assert waiting["sla"]["stage"] == "paused"
    back = ok(post(client, url(ticket, "customer-replied"), {"note": "客户已发来凭证"}))
    assert back["status"] == "in_progress" and back["paused_since"] is None
    replied = ok(post(client, url(ticket, "reply"), {"note": "正在为您处理", "via": "online"}))
    assert replied["messages"][-1]["via"] == "online"
    resolved = ok(post(client, url(ticket, "resolve"), {"note": "已补发配件"}))
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert resolved["sla"]["stage"] == "done"
    followed = ok(
        post(client, url(ticket, "follow-up"), {"note": "客户表示满意", "satisfied": True})
    )
    assert followed["followed_up"] is True and followed["satisfied"] is True
    closed = ok(post(client, url(ticket, "close")))
    assert closed["status"] == "closed" and closed["closed_at"]
    assert closed["first_contact_resolution"] is True
    reopened = ok(post(client, url(ticket, "reopen"), {"reason": "客户反映问题复现"}))
    assert reopened["status"] == "in_progress" and reopened["closed_at"] is None
    assert [(m["kind"], m["body"]) for m in reopened["messages"]] == [
        ("reply", "请提供购买凭证"),
        ("customer", "客户已发来凭证"),
        ("reply", "正在为您处理"),
        ("reply", "已补发配件"),
        ("note", "客户表示满意"),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "ticket.create",
        "ticket.accept",
        "ticket.wait_customer",
        "ticket.customer_replied",
        "ticket.reply",
        "ticket.resolve",
        "ticket.follow_up",
        "ticket.close",
        "ticket.reopen",
    ]


def test_transfer_accept_and_reject(org: dict[str, Any], client_for: Any) -> None:
    agent, other = org["agent_a1"], org["agent_b1"]
    ticket = make_ticket(agent)
    mine, theirs = client_for(agent.user), client_for(other.user)
    # Not visible to agent_b1 before the transfer.
    assert_error(theirs.get(url(ticket)), 404, "not_found")
    no_reason = assert_error(
        post(mine, url(ticket, "transfer"), {"target_id": other.pk}), 422, "ticket_reason_required"
    )
    assert "reason" in no_reason["fields"]
    no_target = assert_error(
        post(mine, url(ticket, "transfer"), {"reason": "属于售后"}), 422, "ticket_target_required"
    )
    assert "target_id" in no_target["fields"]
    sent = ok(post(mine, url(ticket, "transfer"), {"target_id": other.pk, "reason": "属于售后"}))
    assert sent["status"] == "transferred" and sent["pending_owner"]["id"] == other.pk
    view = ok(theirs.get(url(ticket)))
    assert {"accept_transfer", "reject_transfer"} <= {a["code"] for a in view["actions"]}
    rejected = ok(post(theirs, url(ticket, "reject-transfer"), {"reason": "不是售后问题"}))
    assert rejected["status"] == "in_progress" and rejected["owner"]["id"] == agent.pk
    ok(post(mine, url(ticket, "transfer"), {"target_id": other.pk, "reason": "确属售后"}))
    taken = ok(post(theirs, url(ticket, "accept-transfer")))
    assert taken["owner"]["id"] == other.pk and taken["first_responsible"]["id"] == agent.pk
    assert taken["team"]["id"] == other.team_id


def test_transfer_to_a_department_and_reassign(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    mine = client_for(agent.user)
    nowhere = assert_error(
        post(mine, url(ticket, "transfer"), {"target_department_id": 999999, "reason": "需上门"}),
        422,
        "ticket_target_invalid",
    )
    assert set(nowhere["fields"]) == {"target_department_id"}
    both = assert_error(
        post(
            mine,
            url(ticket, "transfer"),
            {
                "target_id": org["agent_b1"].pk,
                "target_department_id": org["cs_sub"].pk,
                "reason": "需上门",
            },
        ),
        422,
        "ticket_target_required",
    )
    assert "target_id" in both["fields"]
    sent = ok(
        post(
            mine,
            url(ticket, "transfer"),
            {"target_department_id": org["cs_sub"].pk, "reason": "需售后服务组上门"},
        )
    )
    assert sent["pending_department"] == {"id": org["cs_sub"].pk, "name": org["cs_sub"].name}
    # The receiving department sees it (to accept it); a second transfer is not possible.
    assert ok(client_for(org["after_sales"].user).get(url(ticket)))["status"] == "transferred"
    assert_error(
        post(mine, url(ticket, "transfer"), {"target_id": org["agent_b1"].pk, "reason": "再转"}),
        409,
        "ticket_illegal_transition",
    )
    lead = client_for(org["lead_a"].user)
    no_reason = assert_error(
        post(lead, url(ticket, "reassign"), {"target_id": org["agent_a2"].pk}),
        422,
        "ticket_reason_required",
    )
    assert "reason" in no_reason["fields"]
    moved = ok(
        post(lead, url(ticket, "reassign"), {"target_id": org["agent_a2"].pk, "reason": "甲一请假"})
    )
    assert moved["status"] == "in_progress" and moved["owner"]["id"] == org["agent_a2"].pk
    assert moved["pending_department"] is None
    gone = assert_error(
        post(lead, url(ticket, "reassign"), {"target_id": 999999, "reason": "再改派"}),
        422,
        "ticket_target_invalid",
    )
    assert "target_id" in gone["fields"]


def test_major_fault_and_fault_report(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    assert_error(
        post(client, url(ticket, "major-fault"), {"note": ""}), 422, "ticket_note_required"
    )
    flagged = ok(post(client, url(ticket, "major-fault"), {"note": "整批电源冒烟，上海仓"}))
    assert flagged["major_fault"] is True
    assert Notification.objects.filter(title__contains=ticket.number).exists()
    ok(post(client, url(ticket, "resolve"), {"note": "已召回"}))
    refused = assert_error(post(client, url(ticket, "close")), 409, "ticket_fault_report_required")
    assert "故障分析报告" in refused["message"]
    partial = assert_error(
        post(client, url(ticket, "fault-report"), {**REPORT, "cause": " ", "place": ""}),
        422,
        "ticket_fault_report_incomplete",
    )
    assert set(partial["fields"]) == {"cause", "place"}
    done = ok(post(client, url(ticket, "fault-report"), REPORT))
    assert done["fault_report_complete"] is True
    assert done["fault_report"]["cause"] == "绝缘层破损"
    assert done["fault_report"]["submitted_by"] == agent.name
    assert ok(post(client, url(ticket, "close")))["status"] == "closed"


def test_internal_note(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    data = ok(post(client, url(ticket, "notes"), {"body": "客户是老顾客，注意语气"}), 201)
    assert data["messages"][-1]["kind"] == "note" and data["responded"] is False
    empty = assert_error(post(client, url(ticket, "notes"), {"body": "  "}), 422)
    assert empty["code"] == "ticket_note_required" and "body" in empty["fields"]


def test_illegal_transition_is_409_in_chinese(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    before = snapshot()
    data = assert_error(post(client, url(ticket, "close")), 409, "ticket_illegal_transition")
    assert data["message"] == "新建的工单不能结案"
    assert_error(
        post(client, url(ticket, "reopen"), {"reason": "再看看"}), 409, "ticket_illegal_transition"
    )
    assert_error(post(client, url(ticket, "accept-transfer")), 409, "ticket_illegal_transition")
    assert snapshot() == before


def test_action_input_errors_are_422(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    before = snapshot()
    assert_error(post(client, url(ticket, "reply"), {}), 422, "invalid")
    empty = assert_error(post(client, url(ticket, "reply"), {"note": " "}), 422)
    assert empty["code"] == "ticket_note_required" and "note" in empty["fields"]
    assert_error(post(client, url(ticket, "reply"), {"note": "好", "via": "fax"}), 422, "invalid")
    assert_error(post(client, url(ticket, "resolve"), {"note": ""}), 422, "ticket_note_required")
    too_long = assert_error(post(client, url(ticket, "reply"), {"note": "字" * 5001}), 422)
    assert "note" in too_long["fields"]
    # A body that is not JSON: ninja's 400, in the API's own error shape.
    assert_error(
        client.post(url(ticket, "reply"), "{", content_type="application/json"), 400, "bad_request"
    )
    assert snapshot() == before
    ticket_act(actor=agent.user, ticket=ticket, action="resolve", note="已处理")
    no_choice = assert_error(
        post(client, url(ticket, "follow-up"), {"note": "回访了"}),
        422,
        "ticket_satisfaction_required",
    )
    assert "satisfied" in no_choice["fields"]


def test_actor_without_the_capacity_is_403(org: dict[str, Any], client_for: Any) -> None:
    agent, other = org["agent_a1"], org["agent_b1"]
    ticket = make_ticket(agent)
    ticket_act(actor=agent.user, ticket=ticket, action="transfer", target=other, reason="售后")
    before = snapshot()
    # The transfer target sees the ticket, but only a lead may reassign it.
    data = assert_error(
        post(client_for(other.user), url(ticket, "reassign"), {"target_id": other.pk}),
        403,
        "ticket_action_forbidden",
    )
    assert "组长" in data["message"]
    assert snapshot() == before


# --- attachments --------------------------------------------------------------------------------
def _upload(client: Client, ticket: Ticket, name: str, content: bytes) -> Any:
    return client.post(url(ticket, "attachments"), {"file": SimpleUploadedFile(name, content)})


def test_attachment_upload_and_download(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    data = ok(_upload(client, ticket, "../损坏照片.png", PNG), 201)
    (item,) = data["attachments"]
    assert (item["name"], item["content_type"], item["size"]) == (
        "损坏照片.png",
        "image/png",
        len(PNG),
    )
    response = client.get(item["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E6%8D%9F%E5%9D%8F%E7%85%A7%E7%89%87.png"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    # Read-only roles may download what they may see.
    assert client_for(org["hr"].user).get(item["url"]).status_code == 200
    assert AuditEvent.objects.filter(action="ticket.attach").count() == 1


def test_attachment_type_size_and_missing_file_refused(
    org: dict[str, Any], client_for: Any
) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    before = snapshot()
    exe = assert_error(_upload(client, ticket, "照片.png", b"MZ\x90\x00" + b"\x00" * 64), 422)
    assert exe["code"] == "attachment_type" and "file" in exe["fields"]
    big = PNG + b"\x00" * (10 * 1024 * 1024)
    large = assert_error(_upload(client, ticket, "大图.png", big), 422, "attachment_too_large")
    assert "10 MB" in large["fields"]["file"]
    assert_error(_upload(client, ticket, "空.png", b""), 422)
    missing = assert_error(client.post(url(ticket, "attachments"), {}), 422, "attachment_missing")
    assert set(missing["fields"]) == {"file"}
    assert snapshot() == before


def test_attachment_download_is_scoped(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    other = make_ticket(agent)
    attachment = ticket_attach(actor=agent.user, ticket=ticket, name="a.pdf", content=PDF)
    path = f"{BASE}/{ticket.pk}/attachments/{attachment.pk}"
    assert_error(client_for(org["agent_b1"].user).get(path), 404, "not_found")
    assert_error(client_for(org["lead_b"].user).get(path), 404, "not_found")
    assert_error(client_for(org["warehouse"].user).get(path), 403, "forbidden")
    assert_error(Client().get(path), 401, "unauthenticated")
    # An attachment of one ticket is not reachable under another ticket's address.
    assert_error(client_for(agent.user).get(f"{BASE}/{other.pk}/attachments/{attachment.pk}"), 404)
    assert client_for(org["lead_a"].user).get(path).status_code == 200
