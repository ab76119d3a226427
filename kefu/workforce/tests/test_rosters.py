"""排班表编制与发布 (WFM-2): the solve job writes a draft, hand edits are checked with the
checker's exact Chinese messages, publishing withdraws the old version and notifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.core.choices import JobKind, JobStatus
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, BackgroundJob, Notification
from kefu.workforce import selectors
from kefu.workforce.choices import EntrySource, RosterStatus
from kefu.workforce.models import Roster, RosterEntry
from kefu.workforce.rostering.checker import check_roster
from kefu.workforce.services import publish, rosters
from kefu.workforce.services.problem import build_problem
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db


def jan(day: int) -> dt.date:
    return MONTH.replace(day=day)


def set_cell(org: dict[str, Any], roster: Roster, who: str, day: int, code: str, **kw: Any) -> Any:
    return rosters.roster_cell_set(
        actor=org["lead_a"].user,
        roster_id=roster.pk,
        employee_id=org[who].pk,
        day=jan(day),
        code=code,
        **kw,
    )


# --- the solve job ----------------------------------------------------------------------------
def test_solve_job_writes_a_valid_draft_with_the_solver_result(org):
    team = ready_team(org)
    job = rosters.roster_solve_submit(
        actor=org["lead_a"].user, team_id=team.pk, month=MONTH, time_limit_s=1
    )
    job = BackgroundJob.objects.get(pk=job.pk)
    assert job.kind == JobKind.ROSTER_SOLVE and job.status == JobStatus.SUCCEEDED, job.error
    assert job.description == "自动排班：售前组 2030年01月"
    draft = Roster.objects.get(pk=job.result["roster_id"])
    assert draft.status == RosterStatus.DRAFT and draft.version == 1 and draft.team == team
    assert draft.entries.count() == 3 * 31
    assert draft.solver_result["status"] in ("optimal", "feasible", "fallback")
    assert draft.solver_result["shortfall_total"] == 0
    assert draft.solver_result["job_id"] == job.pk
    assert job.result["link"] == f"/workforce/rosters/{draft.pk}/"
    ctx = build_problem(team_id=team.pk, month=MONTH)
    assert check_roster(ctx.problem, selectors.roster_cells(draft.pk)).ok
    note = Notification.objects.get(recipient=org["lead_a"].user, link=f"/jobs/{job.pk}/")
    assert note.title == "自动排班：已完成"
    assert "排班草稿（第1版）已生成，无缺口" in note.body


def test_solving_again_updates_the_same_draft_and_after_publishing_makes_a_new_version(org):
    team = ready_team(org)
    lead = org["lead_a"].user
    first = rosters.roster_solve(actor=lead, team_id=team.pk, month=MONTH, time_limit_s=1)
    again = rosters.roster_solve(actor=lead, team_id=team.pk, month=MONTH, time_limit_s=1)
    assert again.roster_id == first.roster_id and again.version == 1
    publish.roster_publish(actor=lead, roster_id=first.roster_id)
    third = rosters.roster_solve(actor=lead, team_id=team.pk, month=MONTH, time_limit_s=1)
    draft = Roster.objects.get(pk=third.roster_id)
    assert draft.version == 2 and draft.status == RosterStatus.DRAFT
    assert draft.based_on_id == first.roster_id


def test_solve_respects_fixed_leave_from_the_registered_source(org):
    team = ready_team(org)
    a1 = org["agent_a1"]

    def leave(ids, start, end):
        return {(a1.pk, jan(10)): "leave", (a1.pk, jan(11)): "leave"}

    selectors.register_fixed_days_source(leave, key="test.leave")
    try:
        out = rosters.roster_solve(
            actor=org["lead_a"].user, team_id=team.pk, month=MONTH, time_limit_s=1
        )
    finally:
        selectors._FIXED_SOURCES.pop("test.leave")
    cells = RosterEntry.objects.filter(roster_id=out.roster_id, employee=a1)
    assert {e.day: (e.code, e.source) for e in cells if e.code == "leave"} == {
        jan(10): ("leave", EntrySource.LEAVE),
        jan(11): ("leave", EntrySource.LEAVE),
    }


def test_solve_refuses_a_past_month_and_a_busy_team(org):
    team = ready_team(org)
    with pytest.raises(DomainError, match="该月份已经过去，不能再自动排班"):
        rosters.roster_solve_submit(
            actor=org["lead_a"].user, team_id=team.pk, month=dt.date(2020, 1, 1)
        )
    BackgroundJob.objects.create(
        kind=JobKind.ROSTER_SOLVE,
        description="自动排班：售前组 2030年01月",
        created_by=org["lead_a"].user,
        payload=b"",
    )
    with pytest.raises(DomainError, match="该班组本月正在自动排班"):
        rosters.roster_solve_submit(actor=org["lead_a"].user, team_id=team.pk, month=MONTH)


# --- hand edits --------------------------------------------------------------------------------
def test_an_edit_breaking_a_hard_rule_is_refused_with_the_checkers_exact_message(org):
    ready_team(org)
    draft = make_roster(org)
    with pytest.raises(DomainError) as err:
        set_cell(org, draft, "lead_a", 7, "day")
    assert err.value.message == (
        "组长甲 1月7日 连续上班13天，超过上限6天（做六休一）；"
        "组长甲 2030年1月 休息3天（含请假），少于每月最少休息4天"
    )
    assert err.value.code == "roster_rule_broken"
    with pytest.raises(DomainError) as err:
        set_cell(org, draft, "agent_a1", 2, "day")
    assert err.value.message == (
        "客服甲一 1月1日上晚班（17:30–24:00）后，1月2日接着上白班（08:30–17:30），"
        "两班间仅休息8.5小时，少于10小时"
    )
    with pytest.raises(DomainError) as err:
        set_cell(org, draft, "agent_a1", 2, "leave")
    assert err.value.message == "请假须通过请假申请审批后写入排班表，不能在排班表中直接填写"
    with pytest.raises(DomainError) as err:
        set_cell(org, draft, "agent_a1", 2, "early")
    assert err.value.message == "班次“early”不在本班组的班次组合中"
    # Nothing changed.
    assert selectors.roster_cells(draft.pk)[(org["lead_a"].pk, jan(7))] == "rest"
    assert selectors.roster_cells(draft.pk)[(org["agent_a1"].pk, jan(2))] == "night"
    assert not AuditEvent.objects.filter(action="roster.cell").exists()


def test_a_valid_edit_is_saved_and_reports_the_days_coverage_without_blocking(org):
    ready_team(org)
    draft = make_roster(org)
    result = set_cell(org, draft, "agent_a1", 6, "rest")
    assert result.coverage == ["1月6日 晚班 缺1人"]
    entry = RosterEntry.objects.get(roster=draft, employee=org["agent_a1"], day=jan(6))
    assert (entry.code, entry.source) == ("rest", EntrySource.MANUAL)
    event = AuditEvent.objects.get(action="roster.cell")
    assert event.before["code"] == "night" and event.after["code"] == "rest"
    ok = set_cell(org, draft, "lead_a", 6, "night")
    assert ok.coverage == [] and not ok.reissued


def test_a_fixed_leave_day_cannot_be_edited(org):
    ready_team(org)
    draft = make_roster(org)
    a2 = org["agent_a2"]
    RosterEntry.objects.filter(roster=draft, employee=a2, day=jan(5)).update(code="leave")
    selectors.register_fixed_days_source(lambda ids, s, e: {(a2.pk, jan(5)): "leave"}, key="t")
    try:
        with pytest.raises(DomainError) as err:
            set_cell(org, draft, "agent_a2", 5, "day")
    finally:
        selectors._FIXED_SOURCES.pop("t")
    assert err.value.message == "客服甲二 1月5日 已固定为请假（已批准请假或已发布），不能改为白班"


# --- publishing ---------------------------------------------------------------------------------
def test_first_publication_notifies_every_member(org):
    ready_team(org)
    draft = make_roster(org)
    published = publish.roster_publish(actor=org["lead_a"].user, roster_id=draft.pk)
    assert published.pk == draft.pk and published.status == RosterStatus.PUBLISHED
    assert published.published_by == org["lead_a"] and published.published_at is not None
    notes = Notification.objects.filter(title="2030年01月排班表已发布")
    assert {n.recipient_id for n in notes} == {
        org[p].user_id for p in ("lead_a", "agent_a1", "agent_a2")
    }
    assert selectors.rostered_code(org["agent_a1"].pk, jan(1)) == "night"
    with pytest.raises(DomainError, match="只有草稿可以发布"):
        publish.roster_publish(actor=org["lead_a"].user, roster_id=draft.pk)


def test_publishing_a_new_draft_reissues_and_notifies_only_who_changed(org):
    ready_team(org)
    lead = org["lead_a"].user
    v1 = publish.roster_publish(actor=lead, roster_id=make_roster(org).pk)
    draft = rosters.roster_draft_create(actor=lead, team_id=org["team_a"].pk, month=MONTH)
    assert draft.version == 2 and draft.based_on == v1
    assert selectors.roster_cells(draft.pk) == selectors.roster_cells(v1.pk)
    set_cell(org, draft, "agent_a1", 6, "rest")
    Notification.objects.all().delete()
    v2 = publish.roster_publish(actor=lead, roster_id=draft.pk, reason="调整晚班")
    v1.refresh_from_db()
    assert v1.status == RosterStatus.WITHDRAWN and v1.withdrawn_at is not None
    assert v2.status == RosterStatus.PUBLISHED and v2.based_on == v1
    note = Notification.objects.get()
    assert note.recipient_id == org["agent_a1"].user_id
    assert note.title == "排班表已变更（2030年01月 第2版）"
    assert note.body == "1月6日 晚班→休息。原因：调整晚班"
    assert selectors.roster_diff(v1.pk, v2.pk) == [
        {
            "employee_id": org["agent_a1"].pk,
            "name": "客服甲一",
            "employee_no": "KF011",
            "day": jan(6),
            "old": "night",
            "new": "rest",
        }
    ]
    assert [r.version for r in selectors.roster_versions(org["team_a"].pk, MONTH)] == [2, 1]


def test_a_published_roster_is_changed_only_as_a_new_version_with_a_reason(org):
    ready_team(org)
    lead = org["lead_a"].user
    v1 = publish.roster_publish(actor=lead, roster_id=make_roster(org).pk)
    with pytest.raises(DomainError, match="请填写变更原因"):
        set_cell(org, v1, "agent_a1", 6, "rest", today=jan(1))
    with pytest.raises(DomainError, match="已发布排班表中今天以前的日期不能调整"):
        set_cell(org, v1, "agent_a1", 6, "rest", reason="病", today=jan(10))
    with pytest.raises(DomainError, match="连续上班13天"):
        set_cell(org, v1, "lead_a", 7, "day", reason="加班", today=jan(1))
    result = set_cell(org, v1, "agent_a1", 6, "rest", reason="家中有事", today=jan(1))
    assert result.reissued and result.roster.version == 2
    assert (
        result.roster.status == RosterStatus.PUBLISHED and result.roster.change_reason == "家中有事"
    )
    v1.refresh_from_db()
    assert v1.status == RosterStatus.WITHDRAWN
    assert selectors.rostered_code(org["agent_a1"].pk, jan(6)) == "rest"
    with pytest.raises(DomainError, match="该版本已撤回"):
        set_cell(org, v1, "agent_a1", 8, "rest", reason="x", today=jan(1))


def test_a_draft_breaking_a_rule_cannot_be_published(org):
    ready_team(org)
    draft = make_roster(org)
    RosterEntry.objects.filter(roster=draft, employee=org["lead_a"], day=jan(7)).update(code="day")
    with pytest.raises(DomainError) as err:
        publish.roster_publish(actor=org["lead_a"].user, roster_id=draft.pk)
    assert err.value.message == (
        "排班表违反排班规则，不能发布：组长甲 1月7日 连续上班13天，超过上限6天（做六休一）；"
        "组长甲 2030年1月 休息3天（含请假），少于每月最少休息4天"
    )
    draft.refresh_from_db()
    assert draft.status == RosterStatus.DRAFT


def test_only_the_teams_lead_may_compose_and_publish(org):
    ready_team(org)
    draft = make_roster(org)
    for who in ("agent_a1", "lead_b", "hr"):
        user = org[who].user
        with pytest.raises(PermissionDeniedError):
            rosters.roster_cell_set(
                actor=user,
                roster_id=draft.pk,
                employee_id=org["agent_a1"].pk,
                day=jan(6),
                code="rest",
            )
        with pytest.raises(PermissionDeniedError):
            publish.roster_publish(actor=user, roster_id=draft.pk)
        with pytest.raises(PermissionDeniedError):
            rosters.roster_solve_submit(actor=user, team_id=org["team_a"].pk, month=MONTH)
    draft.refresh_from_db()
    assert draft.status == RosterStatus.DRAFT
    assert selectors.roster_cells(draft.pk)[(org["agent_a1"].pk, jan(6))] == "night"
    # The supervisor (department scope) may.
    publish.roster_publish(actor=org["supervisor"].user, roster_id=draft.pk)
