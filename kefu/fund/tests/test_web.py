"""部门基金 pages: the ledger per role, spending through the approval pages, refusals that change
nothing, the Excel export and bounded queries."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.fund import selectors, services
from kefu.fund.choices import FundEntryStatus
from kefu.fund.models import FundEntry
from kefu.org.models import ApprovalStep
from kefu.org.tests.factories import EmployeeFactory
from kefu.performance.services.booking import incident_book

D = Decimal
pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def income(org: dict[str, Any], amount: str, dept: Any = None, text: str = "开业红包") -> FundEntry:
    return FundEntry.objects.create(
        department=dept or org["cs"],
        day=today(),
        kind="income",
        amount=D(amount),
        description=text,
        created_at=timezone.now(),
    )


def spend_form(org: dict[str, Any], amount: str, text: str = "班组生日会") -> dict[str, str]:
    return {
        "department": str(org["cs"].pk),
        "day": today().isoformat(),
        "amount": amount,
        "description": text,
    }


def test_agent_reads_own_department_fund_only(org, client_for) -> None:
    income(org, "200", text="客服部收入")
    income(org, "77", dept=org["hr_dept"], text="人事部收入")
    c = client_for(org["agent_a1"].user)
    body = c.get("/fund/").content.decode()
    assert "¥200.00" in body and "客服部收入" in body
    assert "人事部收入" not in body and "行政人事部" not in body
    assert 'data-testid="fund-spend"' not in body  # an agent cannot ask to spend
    # Asking for another department falls back to the own one.
    body = c.get(f"/fund/?department={org['hr_dept'].pk}").content.decode()
    assert "人事部收入" not in body and "客服部收入" in body
    hr_line = FundEntry.objects.get(department=org["hr_dept"])
    assert c.get(f"/fund/{hr_line.pk}/").status_code == 404
    # 行政人事部 reads every fund.
    body = client_for(org["hr"].user).get(f"/fund/?department={org['hr_dept'].pk}").content
    assert "人事部收入" in body.decode()


def test_user_without_a_role_is_refused(org, client_for) -> None:
    nobody = EmployeeFactory(department=org["cs"])
    nobody.user.groups.clear()
    c = client_for(nobody.user)
    for url in ("/fund/", "/fund/export/", "/fund/spendings/new/", "/fund/incomes/new/"):
        assert c.get(url).status_code == 403, url
    assert c.post("/fund/spendings/new/", spend_form(org, "10")).status_code == 403
    assert not FundEntry.objects.exists()


def test_htmx_filter_swaps_summary_and_table(org, client_for) -> None:
    income(org, "200")
    old = income(org, "50", text="上月收入")
    old.day = today().replace(day=1) - dt.timedelta(days=1)
    old.save()
    c = client_for(org["lead_a"].user)
    r = c.get("/fund/?kind=income", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fund-table")
    body = r.content.decode()
    assert "<html" not in body and 'data-testid="fund-balance"' in body
    assert body.count('data-testid="fund-row"') == 1  # this month by default
    body = c.get(
        f"/fund/?month={old.day:%Y-%m}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fund-table"
    ).content.decode()
    assert "上月收入" in body and body.count('data-testid="fund-row"') == 1
    body = c.get("/fund/?month=").content.decode()  # all months
    assert body.count('data-testid="fund-row"') == 2
    assert "¥250.00" in body


def test_spending_through_the_pages(org, client_for) -> None:
    income(org, "1000")
    lead = client_for(org["lead_a"].user)
    assert lead.get("/fund/spendings/new/").status_code == 200
    r = lead.post("/fund/spendings/new/", spend_form(org, "450"))
    entry = FundEntry.objects.get(kind="spending")
    assert r.status_code == 302 and r["Location"] == f"/fund/{entry.pk}/"
    # It waits in the supervisor's 待我审批 with a link to the spending's page.
    sup = client_for(org["supervisor"].user)
    inbox = sup.get("/org/approvals/").content.decode()
    assert "部门基金支出" in inbox and f'href="/fund/{entry.pk}/"' in inbox
    page = sup.get(f"/fund/{entry.pk}/").content.decode()
    assert 'data-testid="fund-decide-form"' in page
    # The manager's turn has not come (不得越级).
    mgr = client_for(org["manager"].user)
    assert 'data-testid="fund-decide-form"' not in mgr.get(f"/fund/{entry.pk}/").content.decode()
    assert mgr.post(f"/fund/{entry.pk}/decide/", {"decision": "approve"}).status_code == 403
    # Rejecting needs a reason: the form is shown again with the error.
    r = sup.post(f"/fund/{entry.pk}/decide/", {"decision": "reject", "comment": ""})
    assert r.status_code == 422 and "驳回时请填写驳回理由" in r.content.decode()
    assert sup.post(f"/fund/{entry.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert mgr.post(f"/fund/{entry.pk}/decide/", {"decision": "approve"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == FundEntryStatus.EFFECTIVE
    body = lead.get("/fund/").content.decode()
    assert 'data-amount="550.00"' in body and "-¥450.00" in body and "+¥1,000.00" in body


def test_spending_form_errors_stay_beside_the_fields(org, client_for) -> None:
    income(org, "100")
    lead = client_for(org["lead_a"].user)
    r = lead.post("/fund/spendings/new/", spend_form(org, "150", text="聚餐"))
    body = r.content.decode()
    assert r.status_code == 422 and "超出可用余额¥100.00" in body
    assert "聚餐" in body  # what was typed stays
    r = lead.post("/fund/spendings/new/", {**spend_form(org, "abc"), "description": ""})
    assert r.status_code == 422 and "请填写支出事由" in r.content.decode()
    # A department the lead may not read is not even a choice.
    r = lead.post(
        "/fund/spendings/new/", {**spend_form(org, "10"), "department": org["hr_dept"].pk}
    )
    assert r.status_code == 422
    assert not FundEntry.objects.filter(kind="spending").exists()


def test_agent_cannot_request_and_lead_cannot_record_income(org, client_for) -> None:
    income(org, "100")
    agent = client_for(org["agent_a1"].user)
    assert agent.get("/fund/spendings/new/").status_code == 403
    assert agent.post("/fund/spendings/new/", spend_form(org, "10")).status_code == 403
    lead = client_for(org["lead_a"].user)
    assert lead.get("/fund/incomes/new/").status_code == 403
    assert lead.post("/fund/incomes/new/", spend_form(org, "10")).status_code == 403
    assert FundEntry.objects.count() == 1
    mgr = client_for(org["manager"].user)
    r = mgr.post("/fund/incomes/new/", spend_form(org, "66", text="废品回收"))
    assert r.status_code == 302
    assert selectors.fund_balance(org["cs"].pk) == D("166.00")


def test_cancel_by_requester_only(org, client_for) -> None:
    income(org, "100")
    entry = services.fund_spending_request(
        actor=org["lead_a"].user,
        department=org["cs"],
        day=today(),
        amount=D("30"),
        description="x",
    )
    assert client_for(org["lead_b"].user).post(f"/fund/{entry.pk}/cancel/").status_code == 403
    entry.refresh_from_db()
    assert entry.status == FundEntryStatus.PENDING
    lead = client_for(org["lead_a"].user)
    assert 'data-testid="fund-cancel"' in lead.get(f"/fund/{entry.pk}/").content.decode()
    assert lead.post(f"/fund/{entry.pk}/cancel/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == FundEntryStatus.CANCELLED
    assert not ApprovalStep.objects.filter(state="pending").exists()


def test_fine_line_links_to_incident_when_the_page_exists(org, client_for) -> None:
    inc = incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=today(),
        rule_code="contact_leaked",
        confirm=True,
    )
    body = client_for(org["supervisor"].user).get("/fund/").content.decode()
    assert "罚款收入" in body and "¥10.00" in body
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("performance:incident_detail", args=[inc.pk])
    except NoReverseMatch:
        assert 'data-testid="fund-incident-link"' not in body
    else:
        assert f'href="{url}"' in body


def test_export_opens_with_numbers_as_numbers(org, client_for) -> None:
    income(org, "1000")
    services.fund_spending_request(
        actor=org["lead_a"].user,
        department=org["cs"],
        day=today(),
        amount=D("300.5"),
        description="生日会",
    )
    r = client_for(org["agent_a1"].user).get("/fund/export/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert "客服部 部门基金台账" in ws["A1"].value
    assert [c.value for c in ws[2]] == [
        "日期",
        "类型",
        "摘要",
        "金额（元）",
        "余额（元）",
        "状态",
        "经办人",
        "审批完成时间",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    by_text = {r[2]: r for r in rows}
    assert by_text["开业红包"][3] == 1000 and by_text["开业红包"][4] == 1000
    assert isinstance(by_text["开业红包"][3], (int, float))
    assert by_text["生日会"][3] == -300.5 and by_text["生日会"][4] is None
    assert by_text["生日会"][5] == "待审批"
    # Another department's export is not the agent's to take: it falls back to the own fund.
    income(org, "5", dept=org["hr_dept"], text="人事")
    r = client_for(org["agent_a1"].user).get(f"/fund/export/?department={org['hr_dept'].pk}")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "人事" not in [row[2].value for row in ws.iter_rows(min_row=3)]


def test_ledger_queries_bounded(org, client_for, django_assert_max_num_queries) -> None:
    for i in range(30):
        income(org, str(10 + i), text=f"收入{i}")
    c = client_for(org["agent_a1"].user)
    c.get("/fund/")  # warm the session
    with django_assert_max_num_queries(16):
        r = c.get("/fund/?page_size=100")
    assert r.content.decode().count('data-testid="fund-row"') == 30
    with django_assert_max_num_queries(15):
        r = c.get("/fund/?page_size=20", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fund-table")
    assert r.content.decode().count('data-testid="fund-row"') == 20
