"""考核计分卡 pages and API (PERF-4): who sees which card, what a card shows, Excel, query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.org.tests.factories import EmployeeFactory
from kefu.performance.choices import IncidentStatus
from kefu.performance.models import Incident, PayrollLine

from .test_scorecard_support import MONTH, close_month, line

D = Decimal
pytestmark = pytest.mark.django_db
LIST = reverse("performance:scorecard_list")
API = "/api/v1/scorecards"


def detail(emp: Any, month: str = "2026-10") -> str:
    return reverse("performance:scorecard_detail", args=[emp.pk]) + f"?month={month}"


def listed(response: Any) -> set[str]:
    import re

    return set(re.findall(r'data-testid="scorecard-row" data-employee="(\d+)"', response.text))


# --- permissions ---------------------------------------------------------------------------
def test_agent_sees_only_their_own_card(org: dict, client_for: Any) -> None:
    a1 = org["agent_a1"]
    client = client_for(a1.user)
    r = client.get(LIST, {"month": "2026-10"})
    assert r.status_code == 200 and listed(r) == {str(a1.pk)}
    assert client.get(detail(a1)).status_code == 200
    assert client.get(detail(org["agent_a2"])).status_code == 404
    assert client.get(detail(org["lead_a"])).status_code == 404
    api = client.get(API, {"month": "2026-10"}).json()
    assert [c["employee_id"] for c in api["items"]] == [a1.pk]
    assert client.get(f"{API}/{org['agent_a2'].pk}").status_code == 404


def test_lead_sees_the_team_but_not_another_team(org: dict, client_for: Any) -> None:
    client = client_for(org["lead_a"].user)
    r = client.get(LIST, {"month": "2026-10"})
    ids = {str(org[k].pk) for k in ("lead_a", "agent_a1", "agent_a2")}
    assert listed(r) == ids
    assert client.get(detail(org["agent_a2"])).status_code == 200
    assert client.get(detail(org["agent_b1"])).status_code == 404
    assert client.get(f"{API}/{org['agent_b1'].pk}").status_code == 404
    assert client.get(f"{API}/{org['agent_a1'].pk}").status_code == 200


def test_supervisor_sees_the_department_and_hr_everyone(org: dict, client_for: Any) -> None:
    sup = client_for(org["supervisor"].user)
    assert sup.get(detail(org["agent_b1"])).status_code == 200
    assert sup.get(detail(org["hr"])).status_code == 404
    hr = client_for(org["hr"].user)
    assert hr.get(detail(org["agent_b1"])).status_code == 200
    assert hr.get(API, {"page_size": 100}).json()["count"] >= 15


def test_no_permission_is_refused(org: dict, client_for: Any, db: Any) -> None:
    nobody = EmployeeFactory()
    nobody.user.groups.clear()
    client = client_for(nobody.user)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(org["agent_a1"])).status_code == 403
    assert client.get(reverse("performance:scorecard_export")).status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/{org['agent_a1'].pk}").status_code == 403
    assert Incident.objects.count() == 0 and PayrollLine.objects.count() == 0


def test_anonymous_is_sent_to_login(org: dict, client: Any) -> None:
    assert client.get(LIST).status_code == 302
    assert client.get(API).status_code == 401


# --- what a card shows ----------------------------------------------------------------------
def test_detail_groups_lines_by_rule_and_shows_the_money(org: dict, client_for: Any) -> None:
    a1 = org["agent_a1"]
    line(a1, "-10", description="与客户争执")
    line(a1, "-5", description="趴在桌上")
    line(a1, "-0.5", rule="late", day=7)
    line(a1, "-3", status=IncidentStatus.PROPOSED, description="待确认的一条")
    r = client_for(org["lead_a"].user).get(detail(a1))
    assert r.status_code == 200
    body = r.text
    assert 'data-testid="scorecard-detail-score">84.50<' in body
    assert 'data-testid="money-band">¥-210.00<' in body  # 10×10 + 5.5×20
    assert 'data-testid="money-full-attendance">¥0.00<' in body
    assert 'data-testid="money-total">¥-10.00<' in body  # −210 + 0 + 200
    assert body.count('data-testid="scorecard-group"') == 2
    assert body.count('data-testid="scorecard-line"') == 4
    assert "与客户争执" in body and "待确认的一条" in body and "不计分" in body
    assert 'data-month="2026-05"' in body and 'data-month="2026-10"' in body  # 6 months


def test_detail_of_a_closed_month_is_the_snapshot(org: dict, client_for: Any) -> None:
    a1 = org["agent_a1"]
    line(a1, "-30")
    close_month(
        org,
        MONTH,
        {a1: {"score": "95", "amounts": {"band_deduction": "-50.00", "performance_bonus": "200"}}},
    )
    client = client_for(a1.user)
    r = client.get(detail(a1))
    assert 'data-testid="scorecard-closed"' in r.text
    assert 'data-testid="scorecard-detail-score">95<' in r.text
    assert 'data-testid="money-band">¥-50.00<' in r.text
    api = client.get(f"{API}/{a1.pk}", {"month": "2026-10"}).json()
    assert (api["frozen"], D(api["score"]), D(api["band_deduction"])) == (True, 95, -50)


def test_supervisor_line_on_the_list(org: dict, client_for: Any) -> None:
    line(org["agent_b1"], "-41")
    r = client_for(org["manager"].user).get(LIST, {"month": "2026-10"})
    assert 'data-testid="supervisor-line"' in r.text
    assert "客服乙一" in r.text
    # 5 of 6 at 100 → +100, one below 60 → −100
    assert 'data-testid="supervisor-adjust">¥0.00<' in r.text
    sup_card = client_for(org["supervisor"].user).get(
        f"{API}/{org['supervisor'].pk}", {"month": "2026-10"}
    )
    assert D(sup_card.json()["supervisor_adjust"]) == 0 and sup_card.json()["is_supervisor"]


def test_api_list_and_detail_figures(org: dict, client_for: Any) -> None:
    a1 = org["agent_a1"]
    line(a1, "-15")
    client = client_for(org["lead_a"].user)
    data = client.get(API, {"month": "2026-10", "team": org["team_a"].pk}).json()
    assert data["count"] == 3
    row = next(c for c in data["items"] if c["employee_id"] == a1.pk)
    assert (D(row["score"]), D(row["band_deduction"]), D(row["total"])) == (85, -200, 100)
    one = client.get(f"{API}/{a1.pk}", {"month": "2026-10"}).json()
    assert one["groups"][0]["rule"] == "posture" and D(one["groups"][0]["points"]) == -15
    assert len(one["history"]) == 6
    assert client.get(API, {"month": "2026-13"}).status_code == 422
    assert client.get(API, {"month": "abc"}).json()["code"] == "invalid_month"


def test_bad_month_on_pages_falls_back_to_the_current_month(org: dict, client_for: Any) -> None:
    client = client_for(org["agent_a1"].user)
    assert client.get(LIST, {"month": "9999-99", "team": "x", "page": "-1"}).status_code == 200
    assert client.get(detail(org["agent_a1"], "junk")).status_code == 200


def test_excel_export(org: dict, client_for: Any) -> None:
    line(org["agent_a1"], "-15")
    r = client_for(org["lead_a"].user).get(
        reverse("performance:scorecard_export"), {"month": "2026-10"}
    )
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "考核计分卡 2026年10月"
    header = [c.value for c in ws[2]]
    assert header[:6] == ["工号", "姓名", "部门", "班组", "考核方案", "考核分"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"KF010", "KF011", "KF012"}
    assert rows["KF011"][5] == 85 and rows["KF011"][6] == -200 and rows["KF011"][11] == 100


# --- query counts ---------------------------------------------------------------------------
def _many(org: dict, n: int = 12) -> None:
    for _ in range(n):
        emp = EmployeeFactory(
            department=org["cs"], team=org["team_a"], position=org["agent_position"]
        )
        line(emp, "-3")
        line(emp, "-0.5", rule="late", day=9)


def test_list_page_query_count_does_not_grow(
    org: dict, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(org["manager"].user)
    client.get(LIST, {"month": "2026-10"})  # warm the session
    _many(org)
    # A fixed number: one more each for the month's department moves and for the leave that
    # costs 全勤奖, whatever the number of people.
    with django_assert_max_num_queries(23):
        r = client.get(LIST, {"month": "2026-10", "page_size": 50})
    assert r.status_code == 200 and r.text.count('data-testid="scorecard-row"') >= 18


def test_api_list_query_count_does_not_grow(
    org: dict, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(org["hr"].user)
    _many(org)
    with django_assert_max_num_queries(19):
        r = client.get(API, {"month": "2026-10", "page_size": 50})
    assert r.status_code == 200 and len(r.json()["items"]) >= 25


def test_months_before_hire_have_no_history(org: dict, client_for: Any) -> None:
    new = EmployeeFactory(
        department=org["cs"], position=org["agent_position"], hire_date=dt.date(2026, 9, 15)
    )
    r = client_for(org["hr"].user).get(f"{API}/{new.pk}", {"month": "2026-10"})
    scores = [h["score"] for h in r.json()["history"]]
    assert scores[:4] == [None] * 4
    assert [D(x) for x in scores[4:]] == [D(100), D(100)]
