"""人员配置需求, 话务量测算, 员工技能, 班次组合 and 休息申请 (WFM-1, WFM-2)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import CalendarDay
from kefu.workforce import selectors
from kefu.workforce.choices import CoverageSource, RosterStatus
from kefu.workforce.models import CoverageRequirement, EmployeeSkill, RestRequest
from kefu.workforce.services import coverage as cs
from kefu.workforce.services.coverage import Need
from kefu.workforce.services.staffing import coverage_apply_staffing, staffing_table
from kefu.workforce.staffing_input import Forecast, StaffingParams, parse_intervals
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db


def jan(day: int) -> dt.date:
    return MONTH.replace(day=day)


def test_coverage_save_writes_changes_and_removes_empty_cells(org):
    team = ready_team(org)
    lead = org["lead_a"].user
    changed = cs.coverage_save(
        actor=lead,
        team_id=team.pk,
        month=MONTH,
        needs={
            (jan(1), "day"): Need(3, {"presales": 2}),
            (jan(1), "night"): Need(0),
            (jan(2), "day"): Need(1),  # unchanged
        },
    )
    assert changed == 2
    rows = {(r.day, r.shift_code): r for r in selectors.coverage_rows(team.pk, MONTH)}
    assert rows[(jan(1), "day")].min_people == 3 and rows[(jan(1), "day")].skills == {"presales": 2}
    assert rows[(jan(1), "day")].updated_by == org["lead_a"]
    assert (jan(1), "night") not in rows


@pytest.mark.parametrize(
    ("needs", "message"),
    [
        ({(jan(1), "early"): Need(1)}, "班次“早班”不在本班组的班次组合中"),
        (
            {(jan(1), "day"): Need(1, {"presales": 2})},
            "1月1日 白班：技能要求人数之和（2）不能超过最少人数（1）",
        ),
        ({(jan(1), "day"): Need(2, {"driving": 1})}, "1月1日 白班：未知技能“driving”"),
        ({(jan(1), "day"): Need(1000)}, "1月1日 白班：最少人数须在0到999之间"),
        ({(dt.date(2030, 2, 1), "day"): Need(1)}, "日期不在所选月份内"),
    ],
)
def test_coverage_save_refuses_bad_cells_and_writes_nothing(org, needs, message):
    team = ready_team(org)
    before = list(selectors.coverage_rows(team.pk, MONTH).values_list("min_people", flat=True))
    with pytest.raises(DomainError) as err:
        cs.coverage_save(actor=org["lead_a"].user, team_id=team.pk, month=MONTH, needs=needs)
    assert err.value.message == message
    assert (
        list(selectors.coverage_rows(team.pk, MONTH).values_list("min_people", flat=True)) == before
    )


def test_weekday_template_with_holidays_and_adjusted_workdays(org):
    team = ready_team(org)
    CalendarDay.objects.create(date=jan(1), kind="holiday", name="元旦")
    CalendarDay.objects.create(date=jan(5), kind="adjusted_workday", name="元旦")  # a Saturday
    template = {(w, "day"): Need(2 if w < 5 else 1) for w in range(7)}
    template.update({(w, "night"): Need(1) for w in range(7)})
    template[(cs.HOLIDAY_KEY, "day")] = Need(4)
    cs.coverage_fill_template(
        actor=org["lead_a"].user, team_id=team.pk, month=MONTH, template=template
    )
    rows = {(r.day, r.shift_code): r for r in selectors.coverage_rows(team.pk, MONTH)}
    assert rows[(jan(1), "day")].min_people == 4  # 元旦
    assert rows[(jan(2), "day")].min_people == 2  # Wednesday
    assert rows[(jan(5), "day")].min_people == 2  # 调休上班 Saturday → Monday's row
    assert rows[(jan(6), "day")].min_people == 1  # Sunday
    assert rows[(jan(1), "day")].source == CoverageSource.TEMPLATE
    assert rows[(jan(1), "night")].min_people == 1  # no holiday row for 晚班: the weekday's


def test_staffing_table_and_apply_to_a_months_coverage(org):
    team = ready_team(org)
    CoverageRequirement.objects.filter(team=team, day=jan(2), shift_code="day").update(
        skills={"presales": 1}
    )
    params = StaffingParams(aht_seconds=180, target_sl=0.8, target_seconds=20, shrinkage=0.3)
    text = "08:30 100\n09:00 100\n17:30 40\n18:00 20"
    forecast = Forecast(calls=tuple(parse_intervals(text, 30)))
    from kefu.workforce.services.problem import layout_specs

    table = staffing_table(params, forecast, shifts=layout_specs(team.pk, MONTH))
    first = table.rows[0]
    # Call Centre Helper's worked example: 100 calls / 30 min, AHT 180 s → 10 Erl, 14 agents.
    assert (round(first.traffic, 2), first.agents, first.scheduled) == (10.0, 14, 20)
    assert table.per_shift["day"] == 20 and table.per_shift["night"] > 0
    changed = coverage_apply_staffing(
        actor=org["lead_a"].user, team_id=team.pk, month=MONTH, params=params, forecast=forecast
    )
    assert changed == 62
    row = CoverageRequirement.objects.get(team=team, day=jan(2), shift_code="day")
    assert row.min_people == 20 and row.source == CoverageSource.STAFFING
    assert row.skills == {"presales": 1}  # still fits: kept


def test_staffing_input_is_checked_in_chinese():
    with pytest.raises(DomainError, match="第2行格式不正确"):
        parse_intervals("08:30 10\n半夜 3", 30)
    with pytest.raises(DomainError, match="不是30分钟时段的开始"):
        parse_intervals("08:10 10", 30)
    with pytest.raises(DomainError, match="时段重复"):
        parse_intervals("08:30 1\n08:30 2", 30)
    assert parse_intervals("时段\t咨询量\n08:30-09:00\t1,200\n09:00 3", 30) == [
        (510, 1200.0),
        (540, 3.0),
    ]
    assert parse_intervals("5\n6", 60) == [(0, 5.0), (60, 6.0)]
    with pytest.raises(DomainError, match="服务水平目标须在1%到99%之间"):
        StaffingParams(target_sl=1.5).check()
    with pytest.raises(DomainError, match="缺勤率须在0到90%之间"):
        StaffingParams(shrinkage=0.95).check()


def test_weekday_volumes_times_profile():
    forecast = Forecast(calls=(), daily={0: 1000.0, 6: 500.0}, profile=((510, 60.0), (540, 40.0)))
    assert forecast.day_calls(0) == [(510, 600.0), (540, 400.0)]
    assert forecast.day_calls(6) == [(510, 300.0), (540, 200.0)]
    assert forecast.day_calls(3) == [(510, 600.0), (540, 400.0)]  # missing weekday → Monday's


def test_skills_and_layout_by_the_teams_lead_only(org):
    team = ready_team(org)
    lead = org["lead_a"].user
    cs.team_skills_set(
        actor=lead,
        team_id=team.pk,
        skills={org["lead_a"].pk: ["presales", "lead"], org["agent_a1"].pk: []},
    )
    assert selectors.skills_by_employee([org["lead_a"].pk, org["agent_a1"].pk]) == {
        org["lead_a"].pk: frozenset({"presales", "lead"})
    }
    with pytest.raises(DomainError, match="未知技能：driving"):
        cs.employee_skills_set(actor=lead, employee_id=org["agent_a2"].pk, skills=["driving"])
    with pytest.raises(PermissionDeniedError):
        cs.employee_skills_set(actor=org["lead_b"].user, employee_id=org["agent_a2"].pk, skills=[])
    with pytest.raises(PermissionDeniedError):
        cs.team_skills_set(actor=org["agent_a2"].user, team_id=team.pk, skills={})
    assert EmployeeSkill.objects.filter(employee=org["agent_a2"]).count() == 1
    cs.team_layout_set(actor=lead, team_id=team.pk, layout="with_evening")
    assert selectors.team_layout(team.pk).code == "with_evening"
    with pytest.raises(DomainError, match="未知的班次组合"):
        cs.team_layout_set(actor=lead, team_id=team.pk, layout="nope")
    with pytest.raises(PermissionDeniedError):
        cs.team_layout_set(actor=org["lead_b"].user, team_id=team.pk, layout="two_shift")
    assert selectors.team_layout(team.pk).code == "with_evening"


def test_rest_requests_until_the_month_is_published(org):
    agent = org["agent_a1"].user
    today = dt.date(2029, 12, 10)
    request = cs.rest_request_create(actor=agent, day=jan(8), reason="家中有事", today=today)
    assert request.employee == org["agent_a1"]
    with pytest.raises(ConflictError, match="这一天已经申请过休息"):
        cs.rest_request_create(actor=agent, day=jan(8), today=today)
    with pytest.raises(DomainError, match="只能申请下月起两个月内的休息日"):
        cs.rest_request_create(actor=agent, day=dt.date(2029, 12, 20), today=today)
    for day in (9, 10, 11, 12, 13):
        cs.rest_request_create(actor=agent, day=jan(day), today=today)
    with pytest.raises(DomainError, match="每月最多申请6天休息"):
        cs.rest_request_create(actor=agent, day=jan(14), today=today)
    cs.rest_request_withdraw(actor=agent, request_id=request.pk, today=today)
    assert not RestRequest.objects.filter(pk=request.pk).exists()
    with pytest.raises(DomainError, match="休息申请不存在"):
        other = RestRequest.objects.filter(employee=org["agent_a1"]).first()
        cs.rest_request_withdraw(actor=org["agent_a2"].user, request_id=other.pk, today=today)
    make_roster(org, RosterStatus.PUBLISHED)
    with pytest.raises(ConflictError, match="2030年1月排班表已发布，不能再申请或撤回休息日"):
        cs.rest_request_create(actor=agent, day=jan(20), today=today)
    with pytest.raises(ConflictError):
        cs.rest_request_withdraw(actor=agent, request_id=other.pk, today=today)
    with pytest.raises(PermissionDeniedError):
        cs.rest_request_create(actor=org["hr"].user, day=jan(20), today=today)
