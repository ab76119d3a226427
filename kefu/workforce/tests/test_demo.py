"""seed_demo for rosters: this month published, next month a draft, per 客服部 team; idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.workforce import selectors
from kefu.workforce.demo import seed_demo_rosters
from kefu.workforce.models import CoverageRequirement, EmployeeSkill, RestRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_rosters_is_idempotent(org: dict[str, Any]) -> None:
    for team, lead in (("team_a", "lead_a"), ("team_b", "lead_b")):
        org[team].leader = org[lead]
        org[team].save(update_fields=["leader"])
    seed_demo_rosters(org["sysadmin"].user)
    this_month = selectors.month_start(timezone.localdate())
    next_month = selectors.add_months(this_month, 1)
    for team in (org["team_a"], org["team_b"]):
        published = selectors.roster_published(team.pk, this_month)
        assert published is not None and published.published_by is not None
        assert selectors.roster_draft(team.pk, next_month) is not None
        assert CoverageRequirement.objects.filter(team=team, day__gte=next_month).exists()
    assert selectors.team_layout(org["team_b"].pk).code == "sunday_long"
    assert set(
        EmployeeSkill.objects.filter(employee=org["lead_a"]).values_list("skill", flat=True)
    ) == {"lead"}
    assert RestRequest.objects.filter(day__gte=next_month).count() == 5  # 3 in team A, 2 in B
    # Other demo data read who works today from the published roster.
    assert selectors.rostered_code(org["agent_a1"].pk, timezone.localdate()) is not None
    events = AuditEvent.objects.count()
    seed_demo_rosters(org["sysadmin"].user)
    assert AuditEvent.objects.count() == events  # a second seed writes nothing
