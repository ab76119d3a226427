"""排班 API (/api/v1/workforce/) through the HTTP client: shifts, coverage, staffing, solve + job
status, grid, cells, publish, versions, incidents — with query counts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from kefu.workforce import incidents as incident_registry
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.incidents import WorkforceIncident
from kefu.workforce.models import CoverageRequirement, Roster
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


def _json(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_shifts(org, client_for):
    r = client_for(org["agent_a1"].user).get(f"{API}/shifts?on=2030-01-01")
    assert r.status_code == 200
    data = r.json()
    night = next(s for s in data["shifts"] if s["code"] == "night")
    assert (night["name"], night["start"], night["end"], night["night"]) == (
        "晚班",
        "17:30",
        "24:00",
        True,
    )
    assert {x["code"] for x in data["layouts"]} >= {"two_shift", "three_shift"}
    assert data["roster_publish_day"] == 25
    assert client_for(org["agent_a1"].user).get(f"{API}/shifts?on=junk").status_code == 422


def test_coverage_get_and_put(org, client_for, django_assert_max_num_queries):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    # Warm-up first: the first request after login writes the session's activity stamp and
    # loads the policies into the per-process cache (whether an earlier test already did
    # depends on the order tests run in); the limit is for the steady state.
    lead.get(f"{API}/coverage?team_id={team.pk}&month=2030-01")
    with django_assert_max_num_queries(14):
        r = lead.get(f"{API}/coverage?team_id={team.pk}&month=2030-01")
    assert r.status_code == 200 and r.json()["layout"] == "two_shift"
    assert len(r.json()["cells"]) == 62
    r = _json(
        lead,
        "put",
        f"{API}/coverage",
        {
            "team_id": team.pk,
            "month": "2030-01",
            "cells": [
                {"day": "2030-01-02", "shift": "day", "min_people": 3, "skills": {"presales": 1}}
            ],
        },
    )
    assert r.status_code == 200
    cell = next(c for c in r.json()["cells"] if c["day"] == "2030-01-02" and c["shift"] == "day")
    assert cell == {
        "day": "2030-01-02",
        "shift": "day",
        "min_people": 3,
        "skills": {"presales": 1},
        "source": "manual",
    }
    r = _json(
        lead,
        "put",
        f"{API}/coverage",
        {
            "team_id": team.pk,
            "month": "2030-01",
            "cells": [
                {"day": "2030-01-02", "shift": "day", "min_people": 1, "skills": {"presales": 2}}
            ],
        },
    )
    assert r.status_code == 422
    assert r.json()["message"] == "1月2日 白班：技能要求人数之和（2）不能超过最少人数（1）"


def test_staffing_calculation(org, client_for):
    team = ready_team(org)
    body = {
        "aht_seconds": 180,
        "target_sl": 0.8,
        "target_seconds": 20,
        "shrinkage": 0.3,
        "intervals": [{"start": "08:30", "calls": 100}, {"start": "09:00", "calls": 0}],
        "team_id": team.pk,
        "month": "2030-01",
    }
    r = _json(client_for(org["lead_a"].user), "post", f"{API}/staffing", body)
    assert r.status_code == 200, r.content
    first = r.json()["rows"][0]
    assert first == {
        "start": "08:30",
        "calls": 100.0,
        "traffic": 10.0,
        "agents": 14,
        "p_wait": 0.1741,
        "service_level": 0.8884,
        "asa_seconds": 7.84,
        "occupancy": 0.7143,
        "scheduled": 20,
    }
    assert r.json()["per_shift"] == {"day": 20, "night": 0}
    r = _json(client_for(org["lead_a"].user), "post", f"{API}/staffing", {**body, "apply": True})
    assert r.json()["applied"] == 62
    assert CoverageRequirement.objects.get(team=team, day=MONTH, shift_code="day").min_people == 20
    bad = _json(client_for(org["lead_a"].user), "post", f"{API}/staffing", {**body, "target_sl": 2})
    assert bad.status_code == 422 and bad.json()["message"] == "服务水平目标须在1%到99%之间"


def test_solve_job_grid_cell_publish_versions(org, client_for, django_assert_max_num_queries):
    team = ready_team(org)
    lead = client_for(org["lead_a"].user)
    r = _json(
        lead,
        "post",
        f"{API}/rosters/solve",
        {"team_id": team.pk, "month": "2030-01", "time_limit_s": 1},
    )
    assert r.status_code == 202, r.content
    job = lead.get(f"{API}/jobs/{r.json()['job_id']}").json()
    assert job["status"] == "succeeded" and job["progress_percent"] == 100
    roster_id = job["result"]["roster_id"]
    # Someone else's job is not found.
    assert client_for(org["lead_b"].user).get(f"{API}/jobs/{r.json()['job_id']}").status_code == 404

    # Constant whatever the team size (policy reads are cached outside tests' transactions).
    with django_assert_max_num_queries(18):
        grid = lead.get(f"{API}/rosters/grid?team_id={team.pk}&month=2030-01&version=draft")
    assert grid.status_code == 200
    data = grid.json()
    assert data["roster"]["status"] == "draft" and len(data["rows"]) == 3
    assert len(data["rows"][0]["codes"]) == 31 and data["shortfall_total"] == 0
    assert data["shifts"] == ["day", "night"]

    # A refused edit: 422 with the checker's words; an accepted one.
    cells = selectors.roster_cells(roster_id)
    a1 = org["agent_a1"].pk
    work = next(d for d in selectors.month_days(MONTH) if cells[(a1, d)] != "rest")
    r = _json(
        lead,
        "patch",
        f"{API}/rosters/{roster_id}/cells",
        {"employee_id": a1, "day": work.isoformat(), "code": "early"},
    )
    assert r.status_code == 422 and r.json()["message"] == "班次“early”不在本班组的班次组合中"

    r = _json(lead, "post", f"{API}/rosters/{roster_id}/publish", {})
    assert r.status_code == 200 and r.json()["status"] == "published"
    versions = lead.get(f"{API}/rosters/{roster_id}/versions").json()
    assert [v["version"] for v in versions] == [1]
    # The agent sees the published grid, not a draft.
    agent = client_for(org["agent_a1"].user)
    assert agent.get(f"{API}/rosters/{roster_id}").status_code == 200
    assert (
        agent.get(f"{API}/rosters/grid?team_id={team.pk}&month=2030-01&version=draft").status_code
        == 404
    )


def test_patch_a_published_roster_reissues(org, client_for):
    ready_team(org)
    roster = make_roster(org, RosterStatus.PUBLISHED, month=dt.date(2099, 1, 1))
    a1 = org["agent_a1"].pk
    lead = client_for(org["lead_a"].user)
    url = f"{API}/rosters/{roster.pk}/cells"
    r = _json(lead, "patch", url, {"employee_id": a1, "day": "2099-01-06", "code": "rest"})
    assert r.status_code == 422 and r.json()["message"] == "请填写变更原因"
    r = _json(
        lead,
        "patch",
        url,
        {"employee_id": a1, "day": "2099-01-06", "code": "rest", "reason": "病假补休"},
    )
    assert r.status_code == 200 and r.json()["reissued"] and r.json()["version"] == 2
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.WITHDRAWN


def test_roster_list_paged_with_bounded_queries(org, client_for, django_assert_max_num_queries):
    ready_team(org)
    for m in range(1, 7):
        make_roster(org, RosterStatus.PUBLISHED, month=dt.date(2030, m, 1))
    lead = client_for(org["lead_a"].user)
    with django_assert_max_num_queries(12):  # the same for 6 rows or 20
        r = lead.get(f"{API}/rosters?page_size=20")
    assert r.status_code == 200 and r.json()["count"] == 6
    assert r.json()["items"][0]["month"] == "2030-06-01"
    assert r.json()["items"][0]["team_name"] == "售前组"


def test_incidents_for_the_people_in_scope(org, client_for):
    a1, b1 = org["agent_a1"], org["agent_b1"]

    def source(start, end, ids):
        return [
            WorkforceIncident(
                "attendance",
                "late",
                e.pk,
                start,
                Decimal("-0.5"),
                Decimal(0),
                "迟到12分钟",
                f"x:{e.pk}",
            )
            for e in (a1, b1)
            if ids is None or e.pk in ids
        ]

    incident_registry.register_incident_source("test", source)
    try:
        url = f"{API}/incidents?start=2030-01-01&end=2030-01-31"
        lead_a = client_for(org["lead_a"].user).get(url)
        assert lead_a.status_code == 200
        assert [i["employee_id"] for i in lead_a.json()] == [a1.pk]
        assert (
            lead_a.json()[0]["description"] == "迟到12分钟" and lead_a.json()[0]["points"] == "-0.5"
        )
        hr = client_for(org["hr"].user).get(url)
        assert sorted(i["employee_id"] for i in hr.json()) == sorted([a1.pk, b1.pk])
        assert client_for(org["agent_a1"].user).get(url).status_code == 403
        too_long = client_for(org["hr"].user).get(
            f"{API}/incidents?start=2030-01-01&end=2030-12-31"
        )
        assert too_long.status_code == 422
    finally:
        incident_registry._SOURCES.pop("test")
