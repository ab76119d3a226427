"""排班 pages: roster list with deadlines, the grid (colours, totals, shortfalls), htmx cell edits
with the checker's message beside the cell, publish, Excel, coverage, staffing, skills, rest."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.core.models import BackgroundJob
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import CoverageRequirement, EmployeeSkill, RestRequest, Roster
from kefu.workforce.tests.factories import MONTH, make_roster, next_month, ready_team

pytestmark = pytest.mark.django_db


def test_roster_list_with_filters_deadlines_and_bounded_queries(
    org, client_for, django_assert_max_num_queries
):
    ready_team(org)
    for m in range(1, 5):
        make_roster(org, RosterStatus.PUBLISHED, month=dt.date(2030, m, 1))
    make_roster(org, RosterStatus.DRAFT, month=dt.date(2030, 4, 1))
    lead = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(30):
        r = lead.get("/workforce/rosters/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count('data-testid="roster-row"') == 5
    assert 'data-testid="roster-deadlines"' in body  # next month due by the 25th
    r = lead.get(
        "/workforce/rosters/?status=draft&month=2030-04",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="roster-table",
    )
    assert r.content.decode().count('data-testid="roster-row"') == 1
    assert "<html" not in r.content.decode()
    # An agent: no deadlines, no drafts.
    agent = client_for(org["agent_a1"].user).get("/workforce/rosters/").content.decode()
    assert agent.count('data-testid="roster-row"') == 4 and "roster-deadlines" not in agent


def test_grid_page_shows_colours_totals_demand_and_shortfalls(
    org, client_for, django_assert_max_num_queries
):
    ready_team(org, night=2)
    roster = make_roster(org)
    lead = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(30):
        r = lead.get(f"/workforce/rosters/{roster.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "售前组 2030年01月排班表" in body
    assert body.count('data-testid="roster-row"') == 3
    assert 'class="cell c-night"' in body and 'class="cell c-rest"' in body
    assert 'table class="roster editable"' in body
    assert "1月1日 晚班 缺1人" in body  # one on nights, two needed
    assert 'data-testid="day-total-night"' in body and "1/2" in body
    assert "d-weekend" in body  # 5 and 6 January are a weekend
    printed = lead.get(f"/workforce/rosters/{roster.pk}/?print=1").content.decode()
    assert "roster editable" not in printed and "data-print" in printed


def test_grid_by_team_and_month_redirects_or_offers_to_solve(org, client_for):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    r = lead.get(f"/workforce/rosters/grid/?team={team.pk}&month=2030-02")
    assert r.status_code == 200 and 'data-testid="roster-solve"' in r.content.decode()
    draft = make_roster(org)
    r = lead.get(f"/workforce/rosters/grid/?team={team.pk}&month=2030-01")
    assert r.status_code == 302 and r["Location"] == f"/workforce/rosters/{draft.pk}/"
    agent = client_for(org["agent_a1"].user)
    r = agent.get(f"/workforce/rosters/grid/?team={team.pk}&month=2030-01")
    assert r.status_code == 200 and "该月排班表尚未发布" in r.content.decode()
    assert agent.get(f"/workforce/rosters/{draft.pk}/").status_code == 404


def test_cell_edit_by_htmx_refused_beside_the_cell_then_accepted(org, client_for):
    ready_team(org)
    roster = make_roster(org)
    lead = client_for(org["lead_a"].user)
    url = f"/workforce/rosters/{roster.pk}/cell/"
    a1 = org["agent_a1"].pk
    editor = lead.get(
        f"{url}?employee={a1}&day=2030-01-02", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "客服甲一 · 1月2日（周三）" in editor and 'data-testid="cell-code-day"' in editor
    r = lead.post(url, {"employee": a1, "day": "2030-01-02", "code": "day"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert 'data-testid="cell-error"' in body
    assert "两班间仅休息8.5小时，少于10小时" in body
    assert selectors.roster_cells(roster.pk)[(a1, MONTH.replace(day=2))] == "night"
    r = lead.post(
        url, {"employee": a1, "day": "2030-01-06", "code": "rest"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert "已改为休息" in body and "当日缺口：1月6日 晚班 缺1人" in body
    assert 'id="roster-grid" hx-swap-oob="true"' in body  # the grid refreshes with the totals
    assert selectors.roster_cells(roster.pk)[(a1, MONTH.replace(day=6))] == "rest"


def test_solve_publish_export_and_import_from_the_pages(org, client_for):
    team = ready_team(org, month=next_month())
    month = next_month()
    lead = client_for(org["lead_a"].user)
    from kefu.workforce import policy as roster_policy_module  # noqa: F401 (policy is loaded)

    r = lead.post("/workforce/rosters/solve/", {"team": team.pk, "month": f"{month:%Y-%m}"})
    job = BackgroundJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    page = lead.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="roster-solve-result"' in page and "查看排班草稿" in page
    draft = Roster.objects.get(status=RosterStatus.DRAFT)
    r = lead.post(f"/workforce/rosters/{draft.pk}/publish/")
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RosterStatus.PUBLISHED
    export = lead.get(f"/workforce/rosters/{draft.pk}/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(export.content)).active
    assert ws["A1"].value.startswith("售前组")
    # Import the same file back: a new draft equal to the published version.
    upload = io.BytesIO(export.content)
    upload.name = "排班表.xlsx"
    r = lead.post(
        "/workforce/rosters/import/", {"team": team.pk, "month": f"{month:%Y-%m}", "file": upload}
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    new_draft = selectors.roster_draft(team.pk, month)
    assert selectors.roster_cells(new_draft.pk) == selectors.roster_cells(draft.pk)


def test_import_page_lists_row_errors(org, client_for):
    ready_team(org)
    roster = make_roster(org)
    lead = client_for(org["lead_a"].user)
    data = lead.get(f"/workforce/rosters/{roster.pk}/export/").content
    wb = load_workbook(io.BytesIO(data))
    wb.active.cell(row=4, column=4).value = "早班"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "x.xlsx"
    r = lead.post(
        "/workforce/rosters/import/", {"team": org["team_a"].pk, "month": "2030-01", "file": buf}
    )
    assert r.status_code == 422
    assert (
        "第4行" in r.content.decode() and "“早班”不是本班组的班次、休息或请假" in r.content.decode()
    )


def test_versions_page_shows_the_difference(org, client_for):
    ready_team(org)
    v1 = make_roster(org, RosterStatus.WITHDRAWN)
    v2 = make_roster(org, RosterStatus.PUBLISHED)
    v2.based_on = v1
    v2.save()
    v2.entries.filter(employee=org["agent_a2"], day=MONTH.replace(day=2)).update(code="rest")
    r = client_for(org["agent_a1"].user).get(f"/workforce/rosters/{v2.pk}/versions/")
    body = r.content.decode()
    assert r.status_code == 200 and body.count('data-testid="version-row"') == 2
    assert "第1版 → 第2版：1 处不同" in body and "客服甲二" in body


def test_coverage_page_save_template_and_layout(org, client_for, django_assert_max_num_queries):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(30):
        r = lead.get(f"/workforce/coverage/?team={team.pk}&month=2030-01")
    assert r.status_code == 200 and 'name="n-day-1" value="1"' in r.content.decode()
    post = {
        "action": "save",
        "team": team.pk,
        "month": "2030-01",
        "n-day-1": "3",
        "s-day-presales-1": "2",
    }
    r = lead.post("/workforce/coverage/", post)
    assert r.status_code == 302
    row = CoverageRequirement.objects.get(team=team, day=MONTH, shift_code="day")
    assert (row.min_people, row.skills) == (3, {"presales": 2})
    # An error keeps what was typed.
    bad = {**post, "n-day-1": "1", "n-day-2": "abc"}
    r = lead.post("/workforce/coverage/", bad)
    body = r.content.decode()
    assert r.status_code == 422 and "1月2日 白班：请填写整数" in body
    assert 'name="n-day-2" value="abc"' in body
    r = lead.post(
        "/workforce/coverage/",
        {"action": "layout", "team": team.pk, "month": "2030-01", "layout": "with_evening"},
    )
    assert r.status_code == 302 and selectors.team_layout(team.pk).code == "with_evening"


def test_staffing_page_calculates_and_applies(org, client_for):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    assert lead.get("/workforce/staffing/").status_code == 200
    form = {
        "interval_minutes": "30",
        "aht_seconds": "180",
        "target_sl": "80",
        "target_seconds": "20",
        "shrinkage": "30",
        "mode": "intervals",
        "intervals": "08:30 100\n09:00 80",
        "team": team.pk,
        "month": "2030-01",
        "action": "calc",
    }
    body = lead.post("/workforce/staffing/", form).content.decode()
    assert 'data-testid="staffing-table"' in body and "17.4%" in body and "88.8%" in body
    r = lead.post("/workforce/staffing/", {**form, "action": "apply"})
    assert r.status_code == 302
    assert CoverageRequirement.objects.get(team=team, day=MONTH, shift_code="day").min_people == 20
    r = lead.post("/workforce/staffing/", {**form, "intervals": "半夜 3"})
    assert r.status_code == 422 and "第1行格式不正确" in r.content.decode()
    daily = {**form, "mode": "daily", "daily_0": "2000", "weekday": "0", "intervals": ""}
    assert "staffing-table" in lead.post("/workforce/staffing/", daily).content.decode()


def test_skills_page(org, client_for):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    assert 'data-testid="skills-table"' in lead.get("/workforce/skills/").content.decode()
    a2 = org["agent_a2"].pk
    r = lead.post(
        "/workforce/skills/", {"team": team.pk, f"sk-{a2}-presales": "1", f"sk-{a2}-lead": "1"}
    )
    assert r.status_code == 302
    assert set(EmployeeSkill.objects.filter(employee_id=a2).values_list("skill", flat=True)) == {
        "presales",
        "lead",
    }
    assert not EmployeeSkill.objects.filter(employee=org["agent_a1"]).exists()


def test_rest_request_page(org, client_for):
    agent = client_for(org["agent_a1"].user)
    day = selectors.add_months(timezone.localdate(), 1).replace(day=9)
    r = agent.post("/workforce/rest/", {"day": day.isoformat(), "reason": "体检"})
    assert r.status_code == 302
    request = RestRequest.objects.get(employee=org["agent_a1"])
    assert 'data-testid="rest-row"' in agent.get("/workforce/rest/").content.decode()
    r = agent.post("/workforce/rest/", {"day": day.isoformat()})
    assert r.status_code == 422 and "这一天已经申请过休息" in r.content.decode()
    r = agent.post(f"/workforce/rest/{request.pk}/withdraw/")
    assert r.status_code == 302 and not RestRequest.objects.exists()
