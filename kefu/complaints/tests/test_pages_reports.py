"""Complaint reports and printed forms — 打印、PDF、投诉统计、Excel、责任认定 (CMP-4, CMP-5, CMP-7,
RPT-1): content, scope, query counts, the workbook opened and read back."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from kefu.core.models import AuditEvent
from kefu.core.xlsx import XLSX_CONTENT_TYPE

from ..choices import Ground, ProcedureStatus
from ..forms import last_month
from .factories import add_production, open_complaint, walk

pytestmark = pytest.mark.django_db
S = ProcedureStatus
STATS = "/complaints/stats/"
EXPORT = "/complaints/stats/export/"
FINDINGS = "/complaints/findings/"


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return add_production(org)


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:1500]
    return response.content.decode()


def month_of(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m")


# --- printed forms ----------------------------------------------------------------------------
def test_record_card_print_page_and_pdf(people: dict[str, Any], client_for: Any) -> None:
    complaint = open_complaint(
        people["agent_a1"], contact_phone="13812345678", amount_involved="1234.5"
    )
    complaint = walk(complaint, people, to=S.CLOSED)
    agent = client_for(people["agent_a1"].user)
    body = html(agent.get(f"/complaints/{complaint.pk}/card/"))
    assert "<h1>客户投诉记录卡</h1>" in body and complaint.number in body
    for text in (
        "投诉客户名称",
        "客户要求",
        "受理时间",
        "受理部门处理意见",
        "为客户换货，运费由公司承担",
    ):
        assert text in body, text
    assert "¥1,234.50" in body and "138****5678" in body and "13812345678" not in body
    assert "处理记录" in body and "总经理批阅" in body and "已为您安排换货" in body
    assert "print.css" in body and 'class="sidebar"' not in body  # no shell on paper
    response = agent.get(f"/complaints/{complaint.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert b"STSong-Light" in response.content  # the built-in CJK font, no file shipped
    assert "inline" in response["Content-Disposition"]


def test_investigation_report_print_page_and_pdf(people: dict[str, Any], client_for: Any) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.INVESTIGATING)
    hr = client_for(people["hr"].user)
    # No report yet: nothing to print.
    assert hr.get(f"/complaints/{complaint.pk}/report/").status_code == 404
    assert hr.get(f"/complaints/{complaint.pk}/report.pdf").status_code == 404
    complaint = walk(complaint, people, to=S.GM_REVIEW)
    body = html(hr.get(f"/complaints/{complaint.pk}/report/"))
    assert "<h1>投诉调查报告</h1>" in body and "（第1稿）" in body
    for text in (
        "投诉范围（数量、金额等）是否属实",
        "投诉理由是否合理",
        "客户要求是否正当",
        "发生原因",
        "包装材料不合格",
        "具体经过",
        "具体责任者",
        "生产工人",
        "70%",
        "未依“制作规范”予以备料、用料遭致客户投诉",
        "结论",
        "对策",
        "防范措施",
    ):
        assert text in body, text
    # Approvals so far: department head and HR yes, the GM still to come.
    assert body.count(">同意<") == 2 and "待审核" in body
    response = hr.get(f"/complaints/{complaint.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    # Outside the scope: the same 404 as a complaint that does not exist.
    outsider = client_for(people["agent_b1"].user)
    assert outsider.get(f"/complaints/{complaint.pk}/report.pdf").status_code == 404
    assert outsider.get(f"/complaints/{complaint.pk}/card.pdf").status_code == 404
    assert outsider.get("/complaints/99999999/card.pdf").status_code == 404


# --- statistics -------------------------------------------------------------------------------
def _month_with_cases(people: dict[str, Any]) -> tuple[dt.date, list[Any]]:
    """Three complaints received 40 days ago: closed with findings, rejected, still open."""
    received = timezone.now() - dt.timedelta(days=40)
    agent = people["agent_a1"]
    closed = walk(
        open_complaint(agent, received_at=received, ground=Ground.PACKING_DAMAGE),
        people,
        to=S.CLOSED,
    )
    rejected = open_complaint(agent, received_at=received, ground=Ground.DELIVERY_TIME)
    from .. import services

    services.complaint_decide_acceptance(
        actor=people["supervisor"].user, complaint=rejected, accept=False, reason="客户原因"
    )
    still_open = open_complaint(agent, received_at=received, ground=Ground.PACKING_DAMAGE)
    month = timezone.localtime(received).date().replace(day=1)
    return month, [closed, rejected, still_open]


def test_stats_page_for_a_month(people: dict[str, Any], client_for: Any) -> None:
    month, (closed, _rejected, _open) = _month_with_cases(people)
    client = client_for(people["hr"].user)
    body = html(client.get(STATS, {"month": month.strftime("%Y-%m")}))
    assert f"{month.year}年{month.month}月客户投诉统计表" in body
    assert 'data-stat="total">3<' in body and 'data-stat="accepted">1 / 1 / 1<' in body
    assert 'data-stat="closed">1 / 2<' in body
    # Received 40 days ago and closed today: past the 7-day limit.
    assert 'data-stat="on-time-rate">0.0%<' in body
    assert "<svg" in body and 'data-ground="packing_damage"' in body and "</svg>" in body
    # Drawn on the server: nothing is fetched from another site.
    assert 'src="http' not in body and 'href="http' not in body.replace('href="http://www.w3', "")
    assert "生产管理部" in body and "生产工人" in body and "¥210.00" in body
    assert closed.number in body  # the longest closure
    # Defaults to last month (CMP-7); a bad month falls back to it, never a 500.
    default = html(client.get(STATS))
    assert f"{last_month().year}年{last_month().month}月客户投诉统计表" in default
    assert html(client.get(STATS, {"month": "2026-13"})).count("客户投诉统计表") >= 1


def test_stats_need_the_right_and_queries_do_not_grow(
    people: dict[str, Any], client_for: Any
) -> None:
    assert client_for(people["agent_a1"].user).get(STATS).status_code == 403
    assert client_for(people["agent_a1"].user).get(EXPORT).status_code == 403
    assert client_for(people["prod_head"].user).get(STATS).status_code == 403
    client = client_for(people["hr"].user)
    received = timezone.now() - dt.timedelta(days=35)
    month = month_of(received)
    walk(open_complaint(people["agent_a1"], received_at=received), people, to=S.CLOSED)

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(STATS, {"month": month}).status_code == 200
        return len(ctx.captured_queries)

    client.get(STATS, {"month": month})  # warm the per-process caches (policy, permissions)
    small = measure()
    for _ in range(4):
        walk(open_complaint(people["agent_a1"], received_at=received), people, to=S.CLOSED)
        open_complaint(people["agent_a1"], received_at=received)
    assert measure() == small
    assert small <= 15


def test_excel_export_opens_with_title_headers_and_numbers(
    people: dict[str, Any], client_for: Any
) -> None:
    month, (closed, rejected, still_open) = _month_with_cases(people)
    client = client_for(people["hr"].user)
    events = AuditEvent.objects.filter(action="complaint.stats_export").count()
    response = client.get(EXPORT, {"month": month.strftime("%Y-%m")})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "filename*=utf-8''" in response["Content-Disposition"]
    title = f"{month.year}年{month.month}月客户投诉统计表"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["汇总", "按投诉范围", "按责任部门", "按责任人", "投诉明细"]
    for ws in wb.worksheets:
        assert ws["A1"].value == title and ws.freeze_panes == "A3"
        assert ws.column_dimensions["A"].width >= 14
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["投诉总数"] == 3 and summary["不受理"] == 1 and summary["已结案"] == 1
    assert summary["7天内结案"] == 0 and summary["按期结案率（%）"] == 0.0
    assert 39.9 < summary["最长结案用时（天）"] < 40.1
    grounds = wb["按投诉范围"]
    assert [c.value for c in grounds[2]] == ["投诉范围", "件数", "占比（%）"]
    by_ground = {r[0]: (r[1], r[2]) for r in grounds.iter_rows(min_row=3, values_only=True)}
    assert by_ground["因包装不良造成损坏"] == (2, 66.7)
    assert by_ground["产品的交期"] == (1, 33.3)
    depts = list(wb["按责任部门"].iter_rows(min_row=2, values_only=True))
    assert depts[0] == ("责任部门", "件数", "分摊损失金额（元）", "罚款金额（元）")
    assert ("生产管理部", 1, 210.0, 0.0) in depts
    assert wb["按责任部门"]["C3"].number_format == "#,##0.00"
    people_rows = list(wb["按责任人"].iter_rows(min_row=3, values_only=True))
    assert ("生产工人", "生产管理部", 1, 210.0, 0.0) in people_rows
    detail = wb["投诉明细"]
    headers = [c.value for c in detail[2]]
    assert headers[:3] == ["受理编号", "工单编号", "投诉客户名称"] and "按期结案" in headers
    rows = {r[1]: r for r in detail.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {closed.ticket.number, rejected.ticket.number, still_open.ticket.number}
    closed_row = rows[closed.ticket.number]
    assert closed_row[0] == closed.number and closed_row[5] == 300.0
    assert isinstance(closed_row[9], dt.datetime) and closed_row[13] == "否"
    assert rows[rejected.ticket.number][6] == "不受理"
    # Audited like every export.
    event = AuditEvent.objects.filter(action="complaint.stats_export").latest("seq")
    assert AuditEvent.objects.filter(action="complaint.stats_export").count() == events + 1
    assert event.after == {"month": month.strftime("%Y-%m"), "count": 3}
    assert event.actor_id == people["hr"].user.pk


# --- 责任认定 -----------------------------------------------------------------------------------
def test_findings_are_listed_by_month_within_the_readers_scope(
    people: dict[str, Any], client_for: Any
) -> None:
    complaint = walk(open_complaint(people["agent_a1"]), people, to=S.CLOSED)
    this_month = timezone.localdate().strftime("%Y-%m")
    hr = client_for(people["hr"].user)
    body = html(hr.get(FINDINGS, {"month": this_month}))
    assert complaint.number in body and "生产工人" in body and "小过" in body
    assert "¥210.00" in body and "¥90.00" in body
    fragment = html(
        hr.get(
            FINDINGS,
            {"month": "2001-01"},
            headers={"HX-Request": "true", "HX-Target": "finding-table"},
        )
    )
    assert "<html" not in fragment and "没有符合条件的责任认定" in fragment
    # The worker sees the finding against himself only; an agent sees none.
    mine = html(client_for(people["prod_worker"].user).get(FINDINGS))
    assert "生产工人" in mine and "总部" not in mine.split('data-testid="finding-table"')[1]
    assert "暂无责任认定" in html(client_for(people["agent_b1"].user).get(FINDINGS))


# --- demo data --------------------------------------------------------------------------------
def test_demo_complaints_fill_last_months_statistics(client_for: Any) -> None:
    from django.core.management import call_command

    from kefu.org.models import Employee

    from ..models import Complaint, ResponsibilityFinding

    call_command("seed_demo", "--quiet")
    statuses = sorted(Complaint.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            S.CLOSED,
            S.CLOSED,
            S.CLOSED,
            S.INVESTIGATING,
            S.HR_REVIEW,
            S.LEADERSHIP_DECISION,
            S.RECORDED,
        ]
    )
    assert ResponsibilityFinding.objects.count() == 2
    call_command("seed_demo", "--quiet")  # idempotent
    assert Complaint.objects.count() == 7
    hr = client_for(Employee.objects.get(employee_no="HR001").user)
    body = html(hr.get(STATS))  # last month, the page's default
    assert 'data-stat="total">3<' in body and 'data-stat="closed">3 / 0<' in body
    assert "仓库" in body
    overdue = html(hr.get("/complaints/overdue/"))
    late = Complaint.objects.get(status=S.INVESTIGATING)
    assert late.number in overdue and "超时 " in overdue
    assert overdue.count("<tr data-complaint=") == 1
