"""Sales-line corrections and deletions (audited, refused once the month is closed), the chat
tool's inquiry file (日期, 工号, 咨询量 — all or nothing), and RPT-6 未成交原因 with its report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kefu.core.audit import AuditEvent
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.performance.models import MonthClose
from kefu.sales import inquiryfile, services_lines, services_lost
from kefu.sales.choices import InquirySource
from kefu.sales.models import InquiryCount, LostInquiry, SalesLine
from kefu.sales.selectors_lost import lost_report_for_user

from .helpers import inquiries, line

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 6, 10)


# --- corrections ---------------------------------------------------------------------------------
def test_correct_recomputes_amount_and_audits(org: dict[str, Any]) -> None:
    x = line(org["agent_a1"], DAY, "100", order_no="A-1")
    saved = services_lines.sales_line_correct(
        actor=org["lead_a"].user,
        line=x,
        reason="数量填错",
        quantity=3,
        unit_price=D("99.5"),
        agent=org["agent_a2"],
    )
    assert (saved.quantity, saved.amount, saved.agent) == (3, D("298.50"), org["agent_a2"])
    event = AuditEvent.objects.filter(action="sales.line_correct").get()
    assert event.reason == "数量填错" and event.before["amount"] == "100.00"
    with pytest.raises(DomainError):
        services_lines.sales_line_correct(actor=org["lead_a"].user, line=x, reason=" ", quantity=2)


def test_delete_audits(org: dict[str, Any]) -> None:
    x = line(org["agent_a1"], DAY, "100", order_no="A-1")
    services_lines.sales_line_delete(actor=org["agent_a1"].user, line=x, reason="重复登记")
    assert not SalesLine.objects.exists()
    event = AuditEvent.objects.filter(action="sales.line_delete").get()
    assert event.before["order_no"] == "A-1" and event.reason == "重复登记"


def test_closed_month_refuses_correct_and_delete(org: dict[str, Any]) -> None:
    x = line(org["agent_a1"], DAY, "100", order_no="A-1")
    y = line(org["agent_a1"], dt.date(2026, 7, 3), "100", order_no="A-2")
    MonthClose.objects.create(month=dt.date(2026, 6, 1), status="closing")
    with pytest.raises(ConflictError):
        services_lines.sales_line_correct(actor=org["lead_a"].user, line=x, reason="r", quantity=2)
    with pytest.raises(ConflictError):
        services_lines.sales_line_delete(actor=org["lead_a"].user, line=x, reason="r")
    with pytest.raises(ConflictError):  # moving a line into a closed month
        services_lines.sales_line_correct(actor=org["lead_a"].user, line=y, reason="r", day=DAY)
    x.refresh_from_db()
    y.refresh_from_db()
    assert (x.quantity, y.day, SalesLine.objects.count()) == (1, dt.date(2026, 7, 3), 2)


@pytest.mark.parametrize("who", ["agent_a2", "lead_b", "hr", "warehouse", "clerk_none"])
def test_refused_roles_change_nothing(org: dict[str, Any], who: str) -> None:
    x = line(org["agent_a1"], DAY, "100", order_no="A-1")
    user = org.get(who, org["gm"]).user
    with pytest.raises(PermissionDeniedError):
        services_lines.sales_line_correct(actor=user, line=x, reason="r", quantity=5)
    with pytest.raises(PermissionDeniedError):
        services_lines.sales_line_delete(actor=user, line=x, reason="r")
    x.refresh_from_db()
    assert x.quantity == 1 and SalesLine.objects.count() == 1


# --- inquiry file --------------------------------------------------------------------------------
def test_inquiry_file_csv_all_or_nothing_then_import(org: dict[str, Any]) -> None:
    inquiries(org["agent_a1"], DAY, 10)
    bad = "日期,工号,咨询量\n2026-06-10,KF011,12\n2026-06-10,KF099,5\n2026-06-11,KF012,x\n"
    result = services_lines.inquiry_import(
        actor=org["supervisor"].user, rows=inquiryfile.read_rows(bad.encode())
    )
    assert [(e.line, e.field) for e in result.errors] == [(3, "工号"), (4, "咨询量")]
    assert InquiryCount.objects.get().count == 10
    good = "工号,咨询量,日期\nkf011,12,2026-06-10\nKF012,7,2026/6/11\nKF021,0,2026-06-11\n"
    result = services_lines.inquiry_import(
        actor=org["supervisor"].user, rows=inquiryfile.read_rows(good.encode("gbk"))
    )
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    got = dict(
        InquiryCount.objects.filter(source=InquirySource.IMPORT).values_list(
            "agent__employee_no", "count"
        )
    )
    assert got == {"KF011": 12, "KF012": 7, "KF021": 0}


def test_inquiry_file_xlsx_and_scope(org: dict[str, Any]) -> None:
    wb = Workbook()
    wb.active.append(["日期", "工号", "询单数"])
    wb.active.append([dt.datetime(2026, 6, 10), "KF011", 30])
    wb.active.append([dt.datetime(2026, 6, 10), "KF011", 31])
    buf = io.BytesIO()
    wb.save(buf)
    rows = inquiryfile.read_rows(buf.getvalue())
    result = services_lines.inquiry_import(actor=org["supervisor"].user, rows=rows)
    assert [e.message for e in result.errors] == ["与第2行的工号和日期重复"]
    with pytest.raises(PermissionDeniedError):
        services_lines.inquiry_import(actor=org["lead_a"].user, rows=rows)
    with pytest.raises(DomainError):
        inquiryfile.read_rows("日期,工号\n2026-06-10,KF011\n".encode())
    assert not InquiryCount.objects.exists()


def test_inquiry_file_closed_month_refused(org: dict[str, Any]) -> None:
    MonthClose.objects.create(month=dt.date(2026, 6, 1), status="closing")
    rows = inquiryfile.read_rows("日期,工号,咨询量\n2026-06-10,KF011,12\n".encode())
    result = services_lines.inquiry_import(actor=org["manager"].user, rows=rows)
    assert "已月结" in result.errors[0].message and not InquiryCount.objects.exists()


# --- 未成交原因 (RPT-6) -----------------------------------------------------------------------------
def test_record_reasons_and_report(org: dict[str, Any]) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    for who, reason in (("agent_a1", "price"), ("agent_a1", "price"), ("agent_a1", "color")):
        services_lost.lost_inquiry_record(actor=org[who].user, agent=a1, day=DAY, reason=reason)
    services_lost.lost_inquiry_record(actor=org["lead_a"].user, agent=a2, day=DAY, reason="other")
    with pytest.raises(DomainError):
        services_lost.lost_inquiry_record(actor=a1.user, agent=a1, day=DAY, reason="nope")
    with pytest.raises(PermissionDeniedError):
        services_lost.lost_inquiry_record(actor=a2.user, agent=a1, day=DAY, reason="price")
    line(a1, DAY, "500")
    inquiries(a1, DAY, 4)
    report = lost_report_for_user(org["lead_a"].user, dt.date(2026, 6, 1))
    rows = {r.employee.employee_no: r for r in report.rows}
    assert rows["KF011"].counts == {"price": 2, "color": 1} and rows["KF011"].lost == 3
    assert (rows["KF011"].figures.inquiries, rows["KF011"].figures.conversion) == (4, D("0.25"))
    assert rows["KF012"].counts == {"other": 1} and report.lost == 4
    assert report.reasons[0] == ("price", "价格或优惠未谈拢")
    own = lost_report_for_user(a2.user, dt.date(2026, 6, 1))
    assert [r.employee.employee_no for r in own.rows] == ["KF012"]
    assert lost_report_for_user(org["warehouse"].user, dt.date(2026, 6, 1)).rows == []


def test_lost_delete_needs_scope(org: dict[str, Any]) -> None:
    a1 = org["agent_a1"]
    rec = services_lost.lost_inquiry_record(actor=a1.user, agent=a1, day=DAY, reason="price")
    with pytest.raises(PermissionDeniedError):
        services_lost.lost_inquiry_delete(actor=org["agent_a2"].user, record=rec, reason="x")
    assert LostInquiry.objects.count() == 1
    services_lost.lost_inquiry_delete(actor=a1.user, record=rec, reason="登记有误")
    assert not LostInquiry.objects.exists()


def test_lost_export_two_sheets(org: dict[str, Any], client_for: Any) -> None:
    a1 = org["agent_a1"]
    services_lost.lost_inquiry_record(
        actor=a1.user, agent=a1, day=DAY, reason="delivery", customer_name="王女士"
    )
    r = client_for(org["supervisor"].user).get("/sales/lost/report/export/?month=2026-06")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "明细"]
    summary = [c.value for c in wb["汇总"][3]]
    assert summary[:3] == ["KF011", a1.name, a1.team.name] and summary[6] == 1
    assert [c.value for c in wb["明细"][3]][3:5] == ["发货或到货时间不满足", "王女士"]
    assert client_for(org["warehouse"].user).get("/sales/lost/report/export/").status_code == 403
