"""排班问题构建 (WFM-1, WFM-2): the database and the policy in force turned into a RosterProblem."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.models import CalendarDay
from kefu.workforce import selectors
from kefu.workforce.choices import RosterStatus
from kefu.workforce.models import CoverageRequirement, RestRequest, TeamRosterSetting
from kefu.workforce.services.problem import build_problem, roster_rules
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db
DEC = dt.date(2029, 12, 1)


def test_people_skills_shifts_demands_and_rules(org):
    team = ready_team(org, day=2)
    CoverageRequirement.objects.create(
        team=team, day=MONTH, shift_code="early", min_people=5
    )  # not in the team's layout: ignored
    CoverageRequirement.objects.filter(team=team, day=MONTH, shift_code="day").update(
        skills={"presales": 1, "lead": 0}
    )
    ctx = build_problem(team_id=team.pk, month=MONTH)
    p = ctx.problem
    assert p.days[0] == MONTH and len(p.days) == 31
    assert [s.code for s in p.shifts] == ["day", "night"]
    assert [x.name for x in p.people] == ["组长甲", "客服甲一", "客服甲二"]
    assert all(x.skills == frozenset({"presales"}) for x in p.people)
    assert len(p.demands) == 62
    first = next(d for d in p.demands if d.day == MONTH and d.shift == "day")
    assert first.min_people == 2 and dict(first.skills) == {"presales": 1}
    assert p.rules.max_consecutive_work_days == 6
    assert (p.rules.min_rest_days, p.rules.max_rest_days) == (4, 6)
    assert p.rules.min_rest_hours_between_shifts == 10
    assert p.rules.max_team_rest_same_day == 1  # floor(0.34 × 3)
    assert roster_rules(MONTH, 9).max_team_rest_same_day == 3
    assert ctx.names[org["agent_a1"].pk] == "客服甲一"


def test_layout_decides_the_shifts(org):
    team = ready_team(org)
    TeamRosterSetting.objects.filter(team=team).update(layout="three_shift")
    ctx = build_problem(team_id=team.pk, month=MONTH)
    assert [s.code for s in ctx.problem.shifts] == ["early", "middle", "graveyard"]
    assert ctx.problem.demands == ()  # the coverage was entered for 白班/晚班


def test_history_from_last_months_published_roster_and_prior_counts(org):
    ready_team(org)
    make_roster(org, RosterStatus.PUBLISHED, month=DEC)
    draft_dec = make_roster(org, RosterStatus.DRAFT, month=DEC)  # drafts never count
    assert draft_dec.version == 2
    ctx = build_problem(team_id=org["team_a"].pk, month=MONTH)
    people = {p.id: p for p in ctx.problem.people}
    a1 = people[org["agent_a1"].pk]
    # December 25–31: rest on the 28th (day % 7 == 0), nights otherwise; last 7 days.
    assert a1.history == ("night", "night", "night", "rest", "night", "night", "night")
    # Prior counts over the three months before: December's 27 nights; 5 Sundays worked.
    assert a1.prior["night"] == 27
    sundays = [d for d in selectors.month_days(DEC) if d.weekday() == 6 and d.day % 7 != 0]
    assert a1.prior["sunday"] == len(sundays)
    assert people[org["lead_a"].pk].prior["night"] == 0


def test_fixed_days_rest_requests_holidays_and_previous(org):
    ready_team(org)
    a2 = org["agent_a2"]
    RestRequest.objects.create(employee=a2, day=MONTH.replace(day=20))
    CalendarDay.objects.create(date=MONTH, kind="holiday", name="元旦")
    CalendarDay.objects.create(date=MONTH.replace(day=5), kind="adjusted_workday", name="元旦")
    selectors.register_fixed_days_source(
        lambda ids, s, e: {(a2.pk, MONTH.replace(day=9)): "leave", (999, s): "leave"}, key="t"
    )
    draft = make_roster(org)
    try:
        ctx = build_problem(team_id=org["team_a"].pk, month=MONTH)
    finally:
        selectors._FIXED_SOURCES.pop("t")
    person = next(p for p in ctx.problem.people if p.id == a2.pk)
    assert person.fixed == {MONTH.replace(day=9): "leave"}
    assert person.requested_rest == frozenset({MONTH.replace(day=20)})
    assert ctx.problem.holidays == frozenset({MONTH})
    assert ctx.problem.workdays_adjusted == frozenset({MONTH.replace(day=5)})
    assert ctx.problem.previous == selectors.roster_cells(draft.pk)
    assert ctx.draft_id == draft.pk and ctx.published_id is None


def test_a_published_month_fixes_the_days_before_today(org):
    ready_team(org)
    published = make_roster(org, RosterStatus.PUBLISHED)
    ctx = build_problem(team_id=org["team_a"].pk, month=MONTH, today=MONTH.replace(day=4))
    assert ctx.frozen_before == MONTH.replace(day=4)
    a1 = next(p for p in ctx.problem.people if p.id == org["agent_a1"].pk)
    assert a1.fixed == {MONTH.replace(day=d): "night" for d in (1, 2, 3)}
    assert ctx.problem.previous == selectors.roster_cells(published.pk)
    ahead = build_problem(team_id=org["team_a"].pk, month=MONTH, today=DEC)
    assert ahead.frozen_before is None
    assert all(not p.fixed for p in ahead.problem.people)


def test_a_newcomer_rests_before_the_hire_date_and_leavers_are_left_out(org):
    ready_team(org)
    a2 = org["agent_a2"]
    a2.hire_date = MONTH.replace(day=3)
    a2.save(update_fields=["hire_date"])
    org["agent_a1"].status = "left"
    org["agent_a1"].left_on = DEC
    org["agent_a1"].save(update_fields=["status", "left_on"])
    ctx = build_problem(team_id=org["team_a"].pk, month=MONTH)
    assert [p.name for p in ctx.problem.people] == ["组长甲", "客服甲二"]
    newcomer = ctx.problem.people[1]
    assert newcomer.fixed == {MONTH: "rest", MONTH.replace(day=2): "rest"}
