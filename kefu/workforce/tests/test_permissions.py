"""Refused roles (WFM-2): an agent and another team's lead try every roster write — pages and API —
and nothing changes; another team's lead does not see the draft at all."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from kefu.core.models import AuditEvent, BackgroundJob
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import (
    CoverageRequirement,
    EmployeeSkill,
    Roster,
    RosterEntry,
    TeamRosterSetting,
)
from kefu.workforce.tests.factories import make_roster, ready_team

pytestmark = pytest.mark.django_db


def _state() -> Any:
    return (
        sorted(Roster.objects.values_list("id", "status", "version")),
        sorted(RosterEntry.objects.values_list("roster_id", "employee_id", "day", "code")),
        sorted(
            CoverageRequirement.objects.values_list("day", "shift_code", "min_people", "skills")
        ),
        sorted(EmployeeSkill.objects.values_list("employee_id", "skill")),
        sorted(TeamRosterSetting.objects.values_list("team_id", "layout")),
        BackgroundJob.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["agent_a1", "lead_b", "hr"])
def test_refused_roles_change_nothing(org, client_for, who):
    team = ready_team(org)
    draft = make_roster(org)
    published = make_roster(org, RosterStatus.PUBLISHED, month=draft.month.replace(month=2))
    a1 = org["agent_a1"].pk
    client = client_for(org[who].user)
    before = _state()
    team_month = {"team": team.pk, "month": "2030-01"}
    xlsx = io.BytesIO(
        client_for(org["lead_a"].user).get(f"/workforce/rosters/{draft.pk}/export/").content
    )
    xlsx.name = "r.xlsx"
    before = _state()
    page_posts = [
        ("/workforce/rosters/solve/", team_month),
        ("/workforce/rosters/new-draft/", team_month),
        ("/workforce/rosters/import/", {**team_month, "file": xlsx}),
        (
            f"/workforce/rosters/{draft.pk}/cell/",
            {"employee": a1, "day": "2030-01-06", "code": "rest"},
        ),
        (
            f"/workforce/rosters/{published.pk}/cell/",
            {"employee": a1, "day": "2030-02-06", "code": "rest", "reason": "x"},
        ),
        (f"/workforce/rosters/{draft.pk}/publish/", {}),
        ("/workforce/coverage/", {**team_month, "action": "save", "n-day-1": "9"}),
        ("/workforce/coverage/", {**team_month, "action": "layout", "layout": "three_shift"}),
        ("/workforce/coverage/", {**team_month, "action": "template", "t-n-day-0": "9"}),
        (
            "/workforce/staffing/",
            {
                **team_month,
                "action": "apply",
                "interval_minutes": "30",
                "aht_seconds": "180",
                "target_sl": "80",
                "target_seconds": "20",
                "shrinkage": "30",
                "mode": "intervals",
                "intervals": "08:30 100",
            },
        ),
        ("/workforce/skills/", {"team": team.pk, f"sk-{a1}-lead": "1"}),
    ]
    for url, data in page_posts:
        r = client.post(url, data)
        assert r.status_code in (403, 404) or (
            url == "/workforce/staffing/" and "staffing-result" not in r.content.decode()
        ), (url, r.status_code)
    api = "/api/v1/workforce"
    calls = [
        (
            "put",
            f"{api}/coverage",
            {
                "team_id": team.pk,
                "month": "2030-01",
                "cells": [{"day": "2030-01-01", "shift": "day", "min_people": 9}],
            },
        ),
        (
            "post",
            f"{api}/staffing",
            {
                "intervals": [{"start": "08:30", "calls": 100}],
                "team_id": team.pk,
                "month": "2030-01",
                "apply": True,
            },
        ),
        ("post", f"{api}/rosters/solve", {"team_id": team.pk, "month": "2030-01"}),
        (
            "patch",
            f"{api}/rosters/{draft.pk}/cells",
            {"employee_id": a1, "day": "2030-01-06", "code": "rest"},
        ),
        (
            "patch",
            f"{api}/rosters/{published.pk}/cells",
            {"employee_id": a1, "day": "2030-02-06", "code": "rest", "reason": "x"},
        ),
        ("post", f"{api}/rosters/{draft.pk}/publish", {}),
    ]
    for method, url, body in calls:
        r = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        assert r.status_code in (403, 404), (url, r.status_code, r.content[:300])
    assert _state() == before


def test_another_teams_lead_cannot_see_the_draft(org, client_for):
    ready_team(org)
    draft = make_roster(org)
    lead_b = client_for(org["lead_b"].user)
    assert lead_b.get(f"/workforce/rosters/{draft.pk}/").status_code == 404
    assert lead_b.get(f"/workforce/rosters/{draft.pk}/versions/").status_code == 404
    assert lead_b.get(f"/workforce/rosters/{draft.pk}/export/").status_code == 404
    assert lead_b.get(f"/api/v1/workforce/rosters/{draft.pk}").status_code == 404
    assert "roster-row" not in lead_b.get("/workforce/rosters/").content.decode()
    assert draft.pk not in {r.pk for r in selectors.rosters_for_user(org["lead_b"].user)}
    # The team's agent sees only published versions; the supervisor sees the draft.
    assert (
        client_for(org["agent_a1"].user).get(f"/workforce/rosters/{draft.pk}/").status_code == 404
    )
    assert (
        client_for(org["supervisor"].user).get(f"/workforce/rosters/{draft.pk}/").status_code == 200
    )


def test_an_agent_sees_the_published_grid_without_edit_controls(org, client_for):
    ready_team(org)
    published = make_roster(org, RosterStatus.PUBLISHED)
    body = (
        client_for(org["agent_a1"].user).get(f"/workforce/rosters/{published.pk}/").content.decode()
    )
    assert 'data-testid="roster-grid"' in body
    assert "roster editable" not in body
    for action in ("roster-solve", "roster-publish", "roster-import", "roster-new-draft"):
        assert f'data-testid="{action}"' not in body
