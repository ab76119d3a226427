"""投诉赔偿 pages and API (CMP-9): scope, filters, detail with schedule, 导入责任认定, Excel, the
refused roles (nothing changes) and the query counts of the lists."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kefu.compensation.models import Compensation
from kefu.compensation.services import compensation_import_month
from kefu.performance.models import Incident

from .factories import add_qc, complaint, finding, this_month

D = Decimal
pytestmark = pytest.mark.django_db
LIST = "/compensation/"
API = "/api/v1/compensation"


@pytest.fixture
def data(org):
    """A 客服部 finding against 售前组 (team A) 300 yuan, one naming 客服甲二, one against 质检部."""
    add_qc(org)
    c = complaint(org)
    finding(c, department=org["cs"], team=org["team_a"], loss_share="300")
    finding(c, department=org["cs"], employee=org["agent_a2"], loss_share="120", sanction="warning")
    finding(c, department=org["qc"], loss_share="600")
    compensation_import_month(month=this_month(), actor=org["supervisor"].user)
    return org


def _people(response) -> set[str]:
    import re

    return set(re.findall(r'data-compensation="\d+"', response.content.decode()))


def _count(client, url=LIST) -> int:
    import re

    return len(re.findall(r'data-testid="compensation-row"', client.get(url).content.decode()))


def test_agent_sees_only_own(data, client_for):
    client = client_for(data["agent_a2"].user)
    html = client.get(LIST).content.decode()
    assert "¥120.00" in html and "质检" not in html
    mine = Compensation.objects.filter(employee=data["agent_a2"])
    assert _count(client) == mine.count() == 2  # named share + her part of the team's 300
    other = Compensation.objects.exclude(employee=data["agent_a2"]).first()
    assert client.get(f"/compensation/{other.pk}/").status_code == 404
    assert client.get(f"{API}/{other.pk}").status_code == 404
    assert client.get(API).json()["count"] == 2


def test_lead_sees_team_manager_department_gm_all(data, client_for):
    team_a = Compensation.objects.filter(employee__team=data["team_a"]).count()
    assert _count(client_for(data["lead_a"].user)) == team_a
    cs = Compensation.objects.filter(employee__department=data["cs"]).count()
    assert _count(client_for(data["manager"].user)) == cs
    assert (
        _count(client_for(data["gm"].user), f"{LIST}?page_size=100") == Compensation.objects.count()
    )


def test_filters_month_status_employee(data, client_for):
    client = client_for(data["gm"].user)
    month = f"{this_month():%Y-%m}"
    assert _count(client, f"{LIST}?month={month}&employee=QC3") == 1
    assert _count(client, f"{LIST}?status=paid") == 0
    assert _count(client, f"{LIST}?month=1999-01") == 0
    assert _count(client, f"{LIST}?month=junk&status=junk") >= 1
    partial = client.get(
        f"{LIST}?employee=QC3", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="compensation-table"
    )
    assert "<html" not in partial.content.decode() and "共 1 条" in partial.content.decode()


def test_detail_shows_basis_and_schedule(data, client_for):
    comp = Compensation.objects.get(employee=data["qc3"])  # 600 ÷ 6 × 3 = 300, bonus 800
    html = client_for(data["gm"].user).get(f"/compensation/{comp.pk}/").content.decode()
    assert "按基点分摊" in html
    assert "¥600.00 ÷ 6 × 3 = ¥300.00" in html
    assert f"/complaints/{comp.complaint_id}/" in html
    assert 'data-testid="schedule-row"' in html and "每月上限 ¥400.00" in html


def test_detail_api_with_schedule(data, client_for):
    comp = Compensation.objects.get(employee=data["agent_a2"], basis="finding_share")
    body = client_for(data["agent_a2"].user).get(f"{API}/{comp.pk}").json()
    assert body["amount"] == "120.00" and body["basis"] == "finding_share"
    # 客服甲二's bonus 1,000 → cap 500: her 120 and her part of the team's 300 in the first month
    assert [(s["amount"], s["projected"]) for s in body["schedule"]] == [("120.00", True)]


def test_list_api(data, client_for):
    body = client_for(data["gm"].user).get(f"{API}?employee=QC2").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["employee_no"], item["amount"], item["paid"], item["unpaid"]) == (
        "QC2",
        "200.00",
        "0.00",
        "200.00",
    )


def test_export(data, client_for):
    response = client_for(data["gm"].user).get(f"{LIST}export/?employee=QC3")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    row = next(r for r in values if r[0] == "QC3")
    assert row[7] == 300 and row[10] == "未扣完"


def test_supervisor_imports_from_the_page(org, client_for):
    add_qc(org)
    finding(complaint(org), department=org["qc"], loss_share="3000")
    client = client_for(org["supervisor"].user)
    page = client.get(LIST).content.decode()
    assert "导入责任认定" in page
    response = client.post(f"{LIST}import/", {"month": f"{this_month():%Y-%m}"})
    assert response.status_code == 302
    assert sorted(Compensation.objects.values_list("amount", flat=True)) == [
        D("500.00"),
        D("1000.00"),
        D("1500.00"),
    ]


def test_import_form_errors_stay_beside_the_field(org, client_for):
    client = client_for(org["supervisor"].user)
    bad = client.post(f"{LIST}import/", {"month": "2026-13"})
    assert bad.status_code == 422 and "请按“年-月”填写月份" in bad.content.decode()
    future = client.post(f"{LIST}import/", {"month": "2999-01"})
    assert future.status_code == 422 and "不能晚于本月" in future.content.decode()


def test_api_import(org, client_for):
    add_qc(org)
    finding(
        complaint(org),
        department=org["qc"],
        employee=org["qc1"],
        loss_share="10",
        sanction="minor_demerit",
    )
    client = client_for(org["manager"].user)
    response = client.post(
        f"{API}/imports", {"month": f"{this_month():%Y-%m}"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert "新增赔偿 1 人次 ¥10.00" in response.json()["summary"]
    assert Incident.objects.get(rule="minor_demerit").money == D("-240.00")  # 30 % of 800
    bad = client.post(f"{API}/imports", {"month": "x"}, content_type="application/json")
    assert bad.status_code == 422


@pytest.mark.parametrize("role", ["agent_a1", "lead_a", "hr", "gm", "sysadmin"])
def test_import_refused_for_other_roles(org, client_for, role):
    add_qc(org)
    finding(complaint(org), department=org["qc"], loss_share="3000")
    client = client_for(org[role].user)
    month = f"{this_month():%Y-%m}"
    assert client.post(f"{LIST}import/", {"month": month}).status_code == 403
    api = client.post(f"{API}/imports", {"month": month}, content_type="application/json")
    assert api.status_code == 403
    assert 'data-testid="compensation-import"' not in client.get(LIST).content.decode()
    assert not Compensation.objects.exists()


def test_without_the_view_right_everything_is_refused(data, client_for, make_employee):
    from django.contrib.auth.models import Group

    nobody = make_employee()
    nobody.user.groups.set(Group.objects.none())
    client = client_for(nobody.user)
    comp = Compensation.objects.first()
    for url in (LIST, f"{LIST}export/", f"/compensation/{comp.pk}/", API, f"{API}/{comp.pk}"):
        assert client.get(url).status_code == 403, url
    assert client.get(LIST.replace("/compensation/", "/login/")).status_code in (200, 302)


def test_anonymous_is_sent_to_login(data, client):
    assert client.get(LIST).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_list_query_counts(org, client_for, django_assert_max_num_queries):
    add_qc(org)
    c = complaint(org)
    for _ in range(30):
        finding(c, department=org["qc"], loss_share="60")
    compensation_import_month(month=this_month(), actor=None)
    client = client_for(org["gm"].user)
    with django_assert_max_num_queries(14):
        assert client.get(f"{LIST}?page_size=100").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}?page_size=100").json()["count"] == 90
