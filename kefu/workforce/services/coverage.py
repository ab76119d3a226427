"""Coverage, skills, layouts and rest requests — 人员配置需求、技能、班次组合、休息申请 (WFM-1, WFM-2).

* ``coverage_save`` writes a team's month of requirements (shift × day: minimum people and, of
  them, how many with each skill) — by hand, from a weekday template (``coverage_fill_template``)
  or from the staffing calculator (source ``staffing``).
* ``team_layout_set`` chooses the team's 班次组合; ``employee_skills_set`` a person's skills.
* ``rest_request_create`` / ``rest_request_withdraw``: an agent asks to rest on a day of a coming
  month, until that month's roster is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.org.models import Employee, Team
from kefu.org.selectors import employee_of

from .. import selectors
from ..choices import CoverageSource
from ..models import CoverageRequirement, EmployeeSkill, RestRequest, TeamRosterSetting
from ..policy import roster_policy
from ..selectors import add_months, month_days, month_end, month_start

CHANGE_COVERAGE = "workforce.change_coveragerequirement"
CHANGE_SKILL = "workforce.change_employeeskill"
ADD_REST_REQUEST = "workforce.add_restrequest"
MAX_PEOPLE = 999
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
HOLIDAY_KEY = 7  # the template's row for public holidays (法定节假日)
REST_MONTHS_AHEAD = 2


@dataclass(frozen=True)
class Need:
    """One requirement — 配置: at least ``min_people`` people, of whom ``skills[s]`` with skill s."""

    min_people: int
    skills: Mapping[str, int] = field(default_factory=dict)


def _require_coverage(actor: Any, team_id: int) -> None:
    if actor is None or not (
        actor.has_perm(CHANGE_COVERAGE) and selectors.can_edit_team(actor, team_id)
    ):
        raise PermissionDeniedError("您没有维护该班组人员配置需求的权限")


def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise DomainError("roster_team_missing", "班组不存在", fields={"team": "班组不存在"})
    return team


def _clean_need(need: Need, where: str, skill_names: dict[str, str]) -> Need:
    if not 0 <= int(need.min_people) <= MAX_PEOPLE:
        raise DomainError(
            "coverage_people_range",
            f"{where}：最少人数须在0到{MAX_PEOPLE}之间",
            fields={"min_people": f"须在0到{MAX_PEOPLE}之间"},
        )
    skills: dict[str, int] = {}
    for code, count in need.skills.items():
        if code not in skill_names:
            raise DomainError(
                "coverage_skill_unknown",
                f"{where}：未知技能“{code}”",
                fields={"skills": "未知技能"},
            )
        if not 0 <= int(count) <= MAX_PEOPLE:
            raise DomainError(
                "coverage_skill_range",
                f"{where}：{skill_names[code]}人数须在0到{MAX_PEOPLE}之间",
                fields={"skills": "人数超出范围"},
            )
        if int(count) > 0:
            skills[code] = int(count)
    if sum(skills.values()) > int(need.min_people):
        raise DomainError(
            "coverage_skills_exceed",
            f"{where}：技能要求人数之和（{sum(skills.values())}）不能超过最少人数（{need.min_people}）",
            fields={"skills": "技能要求人数之和不能超过最少人数"},
        )
    return Need(int(need.min_people), skills)


@transaction.atomic
def coverage_save(
    *,
    actor: Any,
    team_id: int,
    month: dt.date,
    needs: Mapping[tuple[dt.date, str], Need],
    source: str = CoverageSource.MANUAL,
) -> int:
    """保存人员配置需求: the team's requirements for the given (day, shift) cells of ``month``.

    Cells not in ``needs`` stay as they are; a cell with 0 people and no skill is removed.
    Shifts must belong to the team's 班次组合. Returns how many cells changed.
    """
    month = month_start(month)
    team = _team(team_id)
    _require_coverage(actor, team.pk)
    shifts = selectors.layout_shift_codes(team.pk, month)
    skill_names = roster_policy(month).skill_names()
    from ..shifts import shift_names

    names = shift_names(month)
    last = month_end(month)
    cleaned: dict[tuple[dt.date, str], Need] = {}
    for (day, shift), need in needs.items():
        if not month <= day <= last:
            raise DomainError(
                "coverage_day_outside", "日期不在所选月份内", fields={"day": "日期不对"}
            )
        if shift not in shifts:
            raise DomainError(
                "coverage_shift_not_in_layout",
                f"班次“{names.get(shift, shift)}”不在本班组的班次组合中",
                fields={"shift": "班次不在班次组合中"},
            )
        where = f"{day.month}月{day.day}日 {names.get(shift, shift)}"
        cleaned[(day, shift)] = _clean_need(need, where, skill_names)
    existing = {
        (r.day, r.shift_code): r
        for r in CoverageRequirement.objects.select_for_update().filter(
            team_id=team.pk, day__gte=month, day__lte=last
        )
    }
    me = employee_of(actor)
    changed = 0
    removed: list[int] = []
    for key, need in cleaned.items():
        row = existing.get(key)
        empty = need.min_people == 0 and not need.skills
        if row is None:
            if empty:
                continue
            CoverageRequirement.objects.create(
                team_id=team.pk,
                day=key[0],
                shift_code=key[1],
                min_people=need.min_people,
                skills=dict(need.skills),
                source=source,
                updated_by=me,
            )
            changed += 1
        elif empty:
            removed.append(row.pk)
            changed += 1
        elif row.min_people != need.min_people or (row.skills or {}) != dict(need.skills):
            row.min_people, row.skills = need.min_people, dict(need.skills)
            row.source, row.updated_by = source, me
            row.save(update_fields=["min_people", "skills", "source", "updated_by", "updated_at"])
            changed += 1
    if removed:
        CoverageRequirement.objects.filter(pk__in=removed).delete()
    if changed:
        audit.record(
            actor=actor,
            action="roster.coverage",
            object_type="org.team",
            object_id=team.pk,
            after={"month": month, "source": source, "changed": changed},
        )
    return changed


def template_needs(
    month: dt.date,
    template: Mapping[tuple[int, str], Need],
    holidays: frozenset[dt.date] = frozenset(),
    adjusted: frozenset[dt.date] = frozenset(),
) -> dict[tuple[dt.date, str], Need]:
    """A weekday template (0 = Monday … 6 = Sunday, 7 = 法定节假日) spread over ``month``.
    A 调休 working weekend day takes Monday's row; a holiday takes row 7 for the shifts it gives,
    else its weekday's."""
    shifts = sorted({s for _, s in template})
    out: dict[tuple[dt.date, str], Need] = {}
    for day in month_days(month):
        key = 0 if day in adjusted else day.weekday()
        for shift in shifts:
            need = template.get((HOLIDAY_KEY, shift)) if day in holidays else None
            out[(day, shift)] = need or template.get((key, shift), Need(0))
    return out


def coverage_fill_template(
    *, actor: Any, team_id: int, month: dt.date, template: Mapping[tuple[int, str], Need]
) -> int:
    """按周模板填充: the month's requirements from a weekday template (WFM-1)."""
    from kefu.core.calendar import calendar_for_range

    month = month_start(month)
    cal = calendar_for_range(month, month_end(month))
    needs = template_needs(month, template, cal.holidays, cal.adjusted_workdays)
    return coverage_save(
        actor=actor, team_id=team_id, month=month, needs=needs, source=CoverageSource.TEMPLATE
    )


@transaction.atomic
def team_layout_set(*, actor: Any, team_id: int, layout: str) -> TeamRosterSetting:
    """设置班次组合: the shift layout the team rosters with from now on."""
    team = _team(team_id)
    _require_coverage(actor, team.pk)
    policy = roster_policy()
    if policy.layout(layout) is None:
        raise DomainError("roster_layout_unknown", "未知的班次组合", fields={"layout": "未知"})
    setting = TeamRosterSetting.objects.select_for_update().filter(team=team).first()
    before = setting.layout if setting else ""
    if setting is None:
        setting = TeamRosterSetting.objects.create(team=team, layout=layout)
    elif setting.layout != layout:
        setting.layout = layout
        setting.save(update_fields=["layout"])
    if before != layout:
        audit.record(
            actor=actor,
            action="roster.layout",
            obj=setting,
            before={"layout": before},
            after={"layout": layout},
        )
    return setting


@transaction.atomic
def employee_skills_set(*, actor: Any, employee_id: int, skills: list[str]) -> list[str]:
    """设置员工技能: the skills a person counts for in rostering (WFM-1)."""
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        raise DomainError("employee_missing", "员工不存在", status=404)
    if (
        actor is None
        or not actor.has_perm(CHANGE_SKILL)
        or employee.team_id is None
        or not selectors.can_edit_team(actor, employee.team_id)
    ):
        raise PermissionDeniedError("您没有维护该员工技能的权限")
    names = roster_policy().skill_names()
    wanted = sorted(set(skills))
    unknown = [s for s in wanted if s not in names]
    if unknown:
        raise DomainError(
            "skill_unknown", f"未知技能：{'、'.join(unknown)}", fields={"skills": "未知技能"}
        )
    current = set(EmployeeSkill.objects.filter(employee=employee).values_list("skill", flat=True))
    if current == set(wanted):
        return wanted
    EmployeeSkill.objects.filter(employee=employee).exclude(skill__in=wanted).delete()
    EmployeeSkill.objects.bulk_create(
        [EmployeeSkill(employee=employee, skill=s) for s in wanted if s not in current]
    )
    audit.record(
        actor=actor,
        action="roster.skills",
        obj=employee,
        before={"skills": sorted(current)},
        after={"skills": wanted},
    )
    return wanted


# --- 休息申请 -------------------------------------------------------------------------------------
def _rest_request_checks(employee: Employee, day: dt.date, today: dt.date) -> None:
    first_allowed = add_months(today, 1)
    if not first_allowed <= day <= month_end(add_months(today, REST_MONTHS_AHEAD)):
        raise DomainError(
            "rest_request_month",
            "只能申请下月起两个月内的休息日",
            fields={"day": "只能申请下月起两个月内的日期"},
        )
    if employee.team_id is None:
        raise DomainError("rest_request_no_team", "您不属于任何班组，无需申请休息日")
    if selectors.roster_published(employee.team_id, day) is not None:
        raise ConflictError(
            "rest_request_published",
            f"{day.year}年{day.month}月排班表已发布，不能再申请或撤回休息日",
        )


@transaction.atomic
def rest_request_create(
    *, actor: Any, day: dt.date, reason: str = "", today: dt.date | None = None
) -> RestRequest:
    """申请休息日: the actor asks to rest on ``day`` of a coming month (a wish the solver
    honours when coverage allows; at most the month's maximum rest days)."""
    me = employee_of(actor)
    if me is None or not actor.has_perm(ADD_REST_REQUEST):
        raise PermissionDeniedError("您没有申请休息日的权限")
    today = today or timezone.localdate()
    _rest_request_checks(me, day, today)
    if RestRequest.objects.filter(employee=me, day=day).exists():
        raise ConflictError(
            "rest_request_duplicate", "这一天已经申请过休息", fields={"day": "这一天已经申请过休息"}
        )
    limit = roster_policy(month_start(day)).rules.max_rest_days
    if selectors.rest_requests_of(me.pk, day).count() >= limit:
        raise DomainError(
            "rest_request_limit",
            f"每月最多申请{limit}天休息",
            fields={"day": f"每月最多申请{limit}天休息"},
        )
    request = RestRequest.objects.create(employee=me, day=day, reason=(reason or "").strip()[:200])
    audit.record(
        actor=actor, action="roster.rest_request", obj=request, after={"day": day, "reason": reason}
    )
    return request


@transaction.atomic
def rest_request_withdraw(*, actor: Any, request_id: int, today: dt.date | None = None) -> None:
    """撤回休息申请 (own requests only, until the month's roster is published)."""
    me = employee_of(actor)
    request = (
        RestRequest.objects.select_for_update().filter(pk=request_id).first()
        if me is not None
        else None
    )
    if request is None or request.employee_id != me.pk:
        raise DomainError("rest_request_missing", "休息申请不存在", status=404)
    today = today or timezone.localdate()
    _rest_request_checks(me, request.day, today)
    audit.record(
        actor=actor,
        action="roster.rest_request_withdraw",
        obj=request,
        before={"day": request.day},
    )
    request.delete()


@transaction.atomic
def team_skills_set(*, actor: Any, team_id: int, skills: Mapping[int, list[str]]) -> int:
    """保存班组员工技能: each listed member's skills at once (all or nothing). Returns how many
    people's skills changed."""
    if (
        actor is None
        or not actor.has_perm(CHANGE_SKILL)
        or not selectors.can_edit_team(actor, team_id)
    ):
        raise PermissionDeniedError("您没有维护该员工技能的权限")
    members = set(
        Employee.objects.filter(team_id=team_id, pk__in=list(skills)).values_list("pk", flat=True)
    )
    if set(skills) - members:
        raise DomainError("skill_not_member", "只能设置本班组成员的技能")
    current = selectors.skills_by_employee(members)
    changed = 0
    for emp in sorted(members):
        if set(skills[emp]) != set(current.get(emp, frozenset())):
            employee_skills_set(actor=actor, employee_id=emp, skills=list(skills[emp]))
            changed += 1
    return changed
