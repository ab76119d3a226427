"""月结 pages and outputs (CMP-7, PERF-8): list and detail, the actions, 奖罚通知单 / 人事公布单
(print page and PDF), 工资核算表 (Excel), permissions and query counts."""
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from kefu.core.models import BackgroundJob
from kefu.org.models import Employee
from kefu.performance.choices import MonthCloseStatus
from kefu.performance.models import MonthClose, PayrollLine
from kefu.performance.payroll import COLUMNS, register_payroll_source
from kefu.performance.periods import previous_month
from kefu.performance.services.booking import incident_book

# Shared fixtures of test_closing (pytest finds them by name; ruff sees a redefinition).
from .test_closing import close, fake_source, isolated_payroll, month, review  # noqa: F401

D = Decimal


def url(name: str, m: dt.date) -> str:
    from django.urls import reverse

    return reverse(f"performance:{name}", args=[f"{m:%Y-%m}"])


@pytest.fixture
def booked(org: dict, month: dt.date) -> dict[str, Any]:
    lead = org["lead_a"].user
    sup = org["supervisor"].user
    fine = incident_book(
        actor=lead,
        employee=org["agent_a1"],
        day=month.replace(day=3),
        rule_code="contact_leaked",
        confirm=True,
    )
    reward = incident_book(
        actor=sup,
        employee=org["agent_a2"],
        day=month.replace(day=8),
        rule_code="suggestion_money",
        money=D("50"),
        confirm=True,
    )
    warning = incident_book(
        actor=sup,
        employee=org["agent_a1"],
        day=month.replace(day=9),
        rule_code="warning",
        confirm=True,
    )
    return {"fine": fine, "reward": reward, "warning": warning}


# --- list / detail ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_close_list_shows_months_with_counts(
    org: dict, month: dt.date, client_for: Any, booked: dict, django_assert_max_num_queries: Any
) -> None:
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=month.replace(day=4),
        rule_code="posture",
        confirm=False,
    )
    client = client_for(org["manager"].user)
    with django_assert_max_num_queries(16):
        r = client.get("/performance/close/")
    body = r.content.decode()
    assert r.status_code == 200
    assert f'data-month="{month:%Y-%m}"' in body
    assert "未结账" in body and "共 2 条" in body
    row = body.split(f'data-month="{month:%Y-%m}"')[1].split("</tr>")[0]
    assert '<span class="tag tag-orange">1</span>' in row  # one proposal waiting
    # The query count does not grow with the months.
    for i in range(2, 8):
        MonthClose.objects.create(
            month=previous_month(previous_month(month)).replace(year=2025, month=i)
        )
    with django_assert_max_num_queries(16):
        assert client.get("/performance/close/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent_a1", "warehouse"])
def test_close_pages_refused_without_view_right(
    org: dict, month: dt.date, client_for: Any, who: str
) -> None:
    client = client_for(org[who].user)
    for name in (
        "close_detail",
        "notice_print",
        "notice_pdf",
        "publication_print",
        "publication_pdf",
    ):
        assert client.get(url(name, month)).status_code == 403, name
    assert client.get("/performance/close/").status_code == 403


@pytest.mark.django_db
def test_detail_shows_only_allowed_actions(
    org: dict, month: dt.date, client_for: Any, booked: dict, isolated_payroll: dict
) -> None:
    body = client_for(org["manager"].user).get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-review"' in body and 'data-testid="close-approve"' not in body
    assert "确定要审核并提交总经理批准吗" in body
    assert "¥-10.00" in body and "¥50.00" in body  # fines / rewards of the ledger
    gm_body = client_for(org["gm"].user).get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-review"' not in gm_body
    assert 'data-testid="close-approve"' not in gm_body  # not reviewed yet
    lead_body = client_for(org["lead_a"].user).get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-actions"' not in lead_body
    assert 'data-testid="payroll-preview"' not in lead_body  # no export right


@pytest.mark.django_db
def test_review_approve_through_the_pages(
    org: dict, month: dt.date, client_for: Any, booked: dict, isolated_payroll: dict
) -> None:
    register_payroll_source("fake", fake_source(org))
    manager, gm = client_for(org["manager"].user), client_for(org["gm"].user)
    # Refused roles change nothing.
    assert gm.post(url("close_review", month)).status_code == 403
    assert manager.post(url("close_approve", month)).status_code == 403
    assert not MonthClose.objects.exists()
    r = manager.post(url("close_review", month), {"note": "无异议"})
    assert r.status_code == 302
    assert MonthClose.objects.get().status == MonthCloseStatus.REVIEWED
    body = gm.get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-approve"' in body and 'data-testid="close-reject"' in body
    r = gm.post(url("close_reject", month), {"reason": ""})
    assert r.status_code == 422
    assert MonthClose.objects.get().status == MonthCloseStatus.REVIEWED
    r = gm.post(url("close_approve", month))
    assert r.status_code == 302
    assert MonthClose.objects.get().status == MonthCloseStatus.CLOSED
    body = gm.get(url("close_detail", month)).content.decode()
    assert 'data-testid="payroll-export"' in body and 'data-testid="close-job"' in body
    assert "总经理批准结账" in body  # the timeline
    assert 'data-testid="close-actions"' not in body


@pytest.mark.django_db
def test_review_refusal_shows_the_message(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=month.replace(day=4),
        rule_code="posture",
        confirm=False,
    )
    r = client_for(org["manager"].user).post(url("close_review", month), {"note": "x"})
    assert r.status_code == 422
    assert "待确认的奖惩事件 1 条" in r.content.decode()
    assert not MonthClose.objects.exists()


@pytest.mark.django_db
def test_pending_after_review_is_shown_before_approving_and_sends_back(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    review(org, month)
    gm = client_for(org["gm"].user)
    body = gm.get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-pending-after-review"' not in body
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=month.replace(day=25),
        rule_code="posture",
        confirm=False,
    )
    body = gm.get(url("close_detail", month)).content.decode()
    assert 'data-testid="close-pending-after-review"' in body
    assert "经理审核后本月又有待确认事件 1 条、待处理申诉 0 件" in body
    r = gm.post(url("close_approve", month))
    assert r.status_code == 422
    text = r.content.decode()
    assert "待确认的奖惩事件 1 条" in text and "不能批准结账" in text
    assert MonthClose.objects.get().status == MonthCloseStatus.OPEN
    assert not BackgroundJob.objects.exists()
    assert "审核后有新待办，退回重新审核" in text  # the timeline


@pytest.mark.django_db
def test_bad_months_are_404(org: dict, client_for: Any) -> None:
    client = client_for(org["gm"].user)
    for bad in ("2026-13", "1999-01", "2999-01"):
        assert client.get(f"/performance/close/{bad}/").status_code == 404
    assert client.get("/performance/close/2026-1/").status_code == 404


# --- outputs ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_notice_print_and_pdf(
    org: dict, month: dt.date, client_for: Any, booked: dict, isolated_payroll: dict
) -> None:
    close(org, month)
    client = client_for(org["manager"].user)
    body = client.get(url("notice_print", month)).content.decode()
    assert "奖罚通知单" in body and "客服甲一" in body and "客服甲二" in body
    assert "泄露" in body or booked["fine"].rule_name in body
    assert "¥-10.00" in body and "¥50.00" in body
    assert "奖励合计 ¥50.00" in body and "罚款合计 ¥-10.00" in body and "净额 ¥40.00" in body
    assert "张经理" in body and "王总" in body  # the approval block
    r = client.get(url("notice_pdf", month))
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_notice_is_scoped_to_what_the_reader_sees(
    org: dict, month: dt.date, client_for: Any, booked: dict
) -> None:
    incident_book(
        actor=org["lead_b"].user,
        employee=org["agent_b1"],
        day=month.replace(day=3),
        rule_code="posture",
        confirm=True,
    )
    body = client_for(org["lead_a"].user).get(url("notice_print", month)).content.decode()
    assert "客服甲一" in body and org["agent_b1"].name not in body


@pytest.mark.django_db
def test_publication_lists_sanctions_rewards_dismissals(
    org: dict, month: dt.date, client_for: Any, booked: dict, isolated_payroll: dict
) -> None:
    register_payroll_source("fake", lambda m, ids: [])
    close(org, month)
    PayrollLine.objects.filter(employee=org["agent_b1"]).update(flags=["建议辞退"])
    client = client_for(org["hr"].user)
    body = client.get(url("publication_print", month)).content.decode()
    sanctions = body.split('data-testid="pub-sanctions"')[1].split("</table>")[0]
    assert "警告" in sanctions and "客服甲一" in sanctions
    rewards = body.split('data-testid="pub-rewards"')[1].split("</table>")[0]
    assert "客服甲二" in rewards and "奖励 ¥50.00" in rewards
    dismissals = body.split('data-testid="pub-dismissals"')[1].split("</table>")[0]
    assert org["agent_b1"].name in dismissals
    r = client.get(url("publication_pdf", month))
    assert r.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_payroll_excel_numbers_and_total(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    register_payroll_source("fake", fake_source(org))
    close(org, month)
    r = client_for(org["hr"].user).get(url("payroll_export", month))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.freeze_panes == "A3"
    assert "工资核算表" in ws["A1"].value
    headers = [c.value for c in ws[2]]
    assert headers == ["工号", "姓名", "部门", "班组", *[c.label for c in COLUMNS], "合计"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == Employee.objects.count()
    a1 = rows["KF011"]
    assert a1[1] == "客服甲一" and a1[2] == "客服部" and a1[3] == "售前组"
    assert a1[4] == 92 and isinstance(a1[4], int | float)
    col = {c.key: 4 + i for i, c in enumerate(COLUMNS)}
    assert a1[col["band_deduction"]] == -80 and a1[col["fines"]] == pytest.approx(-30.5)
    in_net = [col[c.key] for c in COLUMNS if c.in_net]
    for row in rows.values():
        assert row[-1] == pytest.approx(sum(row[i] for i in in_net))
    assert rows["KF012"][-1] == pytest.approx(123.45)
    assert rows["KF012"][col["carry_over"]] == 50


@pytest.mark.django_db
def test_payroll_export_rights_and_open_month(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    register_payroll_source("fake", fake_source(org))
    # A team lead may view the close but not export payroll.
    assert client_for(org["lead_a"].user).get(url("payroll_export", month)).status_code == 403
    hr = client_for(org["hr"].user)
    r = hr.get(url("payroll_export", month))
    assert r.status_code == 302  # not closed: back to the detail page
    r = hr.get(url("payroll_export", month) + "?preview=1")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "预览" in ws["A1"].value
    assert not PayrollLine.objects.exists()  # a preview writes nothing


@pytest.mark.django_db
def test_job_result_template(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    close(org, month)
    job = BackgroundJob.objects.get()
    body = client_for(org["gm"].user).get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-month-close"' in body
    assert f'data-testid="job-close-lines">{Employee.objects.count()}<' in body


@pytest.mark.django_db
def test_detail_polls_the_job_part(
    org: dict, month: dt.date, client_for: Any, isolated_payroll: dict
) -> None:
    close(org, month)
    r = client_for(org["manager"].user).get(url("close_detail", month) + "?part=job")
    assert r.status_code == 200 and 'id="close-job"' in r.content.decode()
