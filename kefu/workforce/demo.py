"""Demo rosters — 演示排班 for ``manage.py seed_demo`` (WFM-1, WFM-2).

For every 客服部 team: skills from each member's 专长 (the team lead also 组长), a shift layout,
coverage for this month and next, a few rest requests for next month, this month's roster solved
and PUBLISHED, next month's solved as a DRAFT. Made through the services by each team's lead.
Idempotent: a team whose months are already rostered is left alone, so a second seed writes
nothing. Other demo data (attendance, swaps) rely on this month being published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kefu.org.models import Department, Team

from . import selectors
from .models import CoverageRequirement, EmployeeSkill, RestRequest, TeamRosterSetting
from .services import coverage as coverage_services
from .services import publish, rosters
from .services.coverage import Need

LAYOUTS = {
    "售前组": "two_shift",
    "售后组": "sunday_long",
    "订单受理组": "two_shift",
    "投诉受理组": "with_evening",
    "回访组": "two_shift",
}
SPECIALITY_SKILL = {
    "presales": "presales",
    "aftersales": "aftersales",
    "order_entry": "order_entry",
    "complaints": "aftersales",
    "return_visit": "aftersales",
}
# Per layout: weekday → {shift: (min people, {skill: n})}; key 6 is Sunday, 5 Saturday.
WEEKDAY = {"day": (3, 2), "night": (2, 1), "evening": (1, 0), "sunday": (2, 1)}
WEEKEND = {"day": (2, 1), "night": (2, 1), "evening": (1, 0), "sunday": (2, 1)}
SUNDAY_LONG_SUNDAY = {"day": (1, 0), "night": (1, 0), "sunday": (2, 1)}
SOLVE_SECONDS = 2.0


def _template(layout: str, shifts: list[str], skill: str) -> dict[tuple[int, str], Need]:
    template: dict[tuple[int, str], Need] = {}
    for weekday in range(7):
        table = WEEKDAY if weekday < 5 else WEEKEND
        if layout == "sunday_long" and weekday == 6:
            table = SUNDAY_LONG_SUNDAY
        for shift in shifts:
            if shift == "sunday" and weekday != 6:
                template[(weekday, shift)] = Need(0)
                continue
            people, with_skill = table.get(shift, (0, 0))
            if layout == "with_evening" and shift == "night":
                people, with_skill = 1, 1
            template[(weekday, shift)] = Need(people, {skill: with_skill} if with_skill else {})
    return template


def _cs_teams() -> list[Team]:
    cs = Department.objects.filter(code="CS").first()
    if cs is None:
        return []
    return list(
        Team.objects.filter(department=cs, name__in=LAYOUTS)
        .select_related("leader__user")
        .order_by("name")
    )


def seed_demo_rosters(actor: Any) -> None:
    today = timezone.localdate()
    this_month = selectors.month_start(today)
    next_month = selectors.add_months(today, 1)
    for team in _cs_teams():
        lead = team.leader.user if team.leader_id and team.leader.user_id else actor
        members = selectors.team_members(team.pk, next_month)
        if not members:
            continue
        _skills(lead, team, members)
        layout = LAYOUTS[team.name]
        if not TeamRosterSetting.objects.filter(team=team).exists():
            coverage_services.team_layout_set(actor=lead, team_id=team.pk, layout=layout)
        speciality = next((m.speciality for m in members if m.speciality), "")
        skill = SPECIALITY_SKILL.get(speciality, "presales")
        shifts = selectors.layout_shift_codes(team.pk, this_month)
        for month in (this_month, next_month):
            has = CoverageRequirement.objects.filter(
                team=team, day__gte=month, day__lte=selectors.month_end(month)
            ).exists()
            if not has:
                coverage_services.coverage_fill_template(
                    actor=lead,
                    team_id=team.pk,
                    month=month,
                    template=_template(layout, shifts, skill),
                )
        _rest_requests(members, next_month)
        if selectors.roster_published(team.pk, this_month) is None:
            draft = selectors.roster_draft(team.pk, this_month)
            if draft is None:
                outcome = rosters.roster_solve(
                    actor=lead,
                    team_id=team.pk,
                    month=this_month,
                    time_limit_s=SOLVE_SECONDS,
                    today=this_month,
                    stop_after_first_covered=True,
                )
                draft_id = outcome.roster_id
            else:
                draft_id = draft.pk
            publish.roster_publish(actor=lead, roster_id=draft_id)
        if (
            selectors.roster_draft(team.pk, next_month) is None
            and selectors.roster_published(team.pk, next_month) is None
        ):
            rosters.roster_solve(
                actor=lead,
                team_id=team.pk,
                month=next_month,
                time_limit_s=SOLVE_SECONDS,
                stop_after_first_covered=True,
            )


def _skills(lead: Any, team: Team, members: list[Any]) -> None:
    if EmployeeSkill.objects.filter(employee__team=team).exists():
        return
    wanted = {}
    for m in members:
        skills = [SPECIALITY_SKILL[m.speciality]] if m.speciality in SPECIALITY_SKILL else []
        if m.pk == team.leader_id:
            skills.append("lead")
        wanted[m.pk] = skills
    coverage_services.team_skills_set(actor=lead, team_id=team.pk, skills=wanted)


def _rest_requests(members: list[Any], month: dt.date) -> None:
    """Two agents ask to rest on two days of next month (once)."""
    if RestRequest.objects.filter(employee__in=members, day__gte=month).exists():
        return
    asks = [(members[-1], [month.replace(day=8), month.replace(day=9)])]
    if len(members) > 2:
        asks.append((members[-2], [month.replace(day=15)]))
    for person, days in asks:
        for day in days:
            coverage_services.rest_request_create(actor=person.user, day=day, reason="家中有事")
