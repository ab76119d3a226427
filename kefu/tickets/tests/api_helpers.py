"""Helpers for the ticket API tests — 工单接口测试工具: requests, error shape, state snapshot."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kefu.core.models import AuditEvent
from kefu.tickets.models import Ticket, TicketAttachment, TicketMessage

BASE = "/api/v1/tickets"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64
REPORT = {
    "occurred_at": "2026-03-01 10:00",
    "place": "上海仓",
    "symptoms": "整批电源适配器冒烟",
    "handling_plan": "立即停止发货并召回",
    "impact": "约200名客户受影响",
    "handling": "已全部召回更换",
    "cause": "绝缘层破损",
    "corrective_actions": "更换供应商并加强来料检验",
}


def post(client: Client, path: str, data: Any = None, **headers: str) -> Any:
    body = json.dumps(data if data is not None else {})
    return client.post(path, body, content_type="application/json", headers=headers)


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(path, json.dumps(data), content_type="application/json")


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "message", "fields"}
    assert data["message"]
    if code:
        assert data["code"] == code, data
    return data


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return response.json()


def snapshot() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "messages": TicketMessage.objects.count(),
        "attachments": TicketAttachment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def url(ticket: Ticket, suffix: str = "") -> str:
    return f"{BASE}/{ticket.pk}" + (f"/{suffix}" if suffix else "")
