"""工单导出 (TKT-5, SEC-1): the list's filters, scoped, masked, audited; too large is refused."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from kefu.core.models import AuditEvent
from kefu.tickets import excel
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _sheet(response: Any) -> Any:
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_supervisor_exports_the_filtered_list(org: dict[str, Any], client_for: Any) -> None:
    make_ticket(org["agent_a1"], title="咨询保修", contact_phone="13812345678", order_no="0012")
    make_ticket(org["agent_b1"], title="催件", kind="order_issue", subkind="chase")
    response = client_for(org["supervisor"].user).get("/tickets/export/?kind=inquiry")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    ws = _sheet(response)
    assert ws["A1"].value.startswith("工单明细")
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["工单编号", "受理时间", "受理渠道"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1
    row = dict(zip(headers, rows[0], strict=True))
    assert row["标题"] == "咨询保修" and row["工单类型"] == "咨询"
    assert row["订单号"] == "0012"  # text, the leading zeros kept
    # The supervisor may reveal: the file shows what the screen shows.
    assert row["联系电话"] == "13812345678"
    assert ws.freeze_panes == "A3"
    event = AuditEvent.objects.get(action="ticket.export")
    assert event.after["count"] == 1 and event.after["filters"] == {"kind": "inquiry"}


def test_export_is_refused_to_roles_without_the_right(org: dict[str, Any], client_for: Any) -> None:
    make_ticket(org["agent_a1"])
    for who in ("agent_a1", "warehouse"):
        assert client_for(org[who].user).get("/tickets/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="ticket.export").exists()


def test_a_too_large_export_is_refused_with_the_count(
    org: dict[str, Any], client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 1)
    make_ticket(org["agent_a1"])
    make_ticket(org["agent_a1"])
    client = client_for(org["manager"].user)
    response = client.get("/tickets/export/?q=保修", follow=True)
    assert response.redirect_chain[0][0] == "/tickets/?q=%E4%BF%9D%E4%BF%AE"
    assert "共 2 条，超过单次导出上限 1 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="ticket.export").exists()
