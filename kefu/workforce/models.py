"""Workforce — 排班 (WFM-1, WFM-2): skills, coverage requirements, rosters with versions.

A roster (排班表) is one team's month. Its cells (RosterEntry) hold one code per person and
day: a shift code from policy, ``rest`` or ``leave``. A draft is edited by the team lead and
published; a published roster is frozen — a change re-issues it as a new version and withdraws
the old one (WFM-2). What someone works on a day is read from the published version only
(``selectors.published_schedule``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from kefu.org.models import Employee, Team

from .choices import CoverageSource, EntrySource, RosterStatus


class EmployeeSkill(models.Model):
    """EmployeeSkill — 员工技能 (WFM-1): what shifts/coverage a person may count for."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.CharField("技能", max_length=20)

    class Meta:
        verbose_name = "员工技能"
        verbose_name_plural = "员工技能"
        constraints = [
            models.UniqueConstraint(fields=["employee", "skill"], name="employee_skill_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}:{self.skill}"


class TeamRosterSetting(models.Model):
    """TeamRosterSetting — 班组排班设置: the shift layout (班次组合) a team rosters with."""

    team = models.OneToOneField(
        Team, verbose_name="班组", on_delete=models.CASCADE, related_name="roster_setting"
    )
    layout = models.CharField("班次组合", max_length=20)

    class Meta:
        verbose_name = "班组排班设置"
        verbose_name_plural = "班组排班设置"

    def __str__(self) -> str:
        return f"{self.team_id}:{self.layout}"


class CoverageRequirement(models.Model):
    """CoverageRequirement — 人员配置需求 (WFM-1): on ``day`` the team's ``shift_code`` needs
    ``min_people`` people, and of them at least ``skills[code]`` with each skill."""

    team = models.ForeignKey(
        Team, verbose_name="班组", on_delete=models.CASCADE, related_name="coverage"
    )
    day = models.DateField("日期")
    shift_code = models.CharField("班次", max_length=20)
    min_people = models.PositiveSmallIntegerField("最少人数")
    skills = models.JSONField("技能要求", default=dict, blank=True)
    source = models.CharField(
        "来源", max_length=10, choices=CoverageSource.choices, default=CoverageSource.MANUAL
    )
    updated_by = models.ForeignKey(
        Employee, verbose_name="维护人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人员配置需求"
        verbose_name_plural = "人员配置需求"
        ordering = ["team_id", "day", "shift_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "shift_code"], name="coverage_team_day_shift_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.shift_code} ≥{self.min_people}"


class Roster(models.Model):
    """Roster — 排班表 (WFM-2): one team's month, one version. At most one draft and one
    published version per team and month; re-issuing withdraws the previous published one."""

    team = models.ForeignKey(
        Team, verbose_name="班组", on_delete=models.PROTECT, related_name="rosters"
    )
    month = models.DateField("月份")  # always the 1st of the month
    version = models.PositiveIntegerField("版本")
    status = models.CharField(
        "状态", max_length=10, choices=RosterStatus.choices, default=RosterStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name="上一版",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change_reason = models.CharField("变更原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        Employee, verbose_name="编制人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    published_by = models.ForeignKey(
        Employee,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # The solver's last answer for this draft: status, shortfalls per day/shift, stats.
    solver_result = models.JSONField("排班结果", default=dict, blank=True)

    class Meta:
        verbose_name = "排班表"
        verbose_name_plural = "排班表"
        ordering = ["-month", "team_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month", "version"], name="roster_team_month_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["team", "month"],
                condition=Q(status="published"),
                name="roster_one_published",
            ),
            models.UniqueConstraint(
                fields=["team", "month"], condition=Q(status="draft"), name="roster_one_draft"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="roster_month_first_day"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="roster_published_has_time",
            ),
        ]
        permissions = [
            ("edit_roster", "编制排班表"),
            ("publish_roster", "发布排班表"),
            ("view_team_roster", "查看班组排班表"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m} v{self.version} {self.get_status_display()}"


class RosterEntry(models.Model):
    """RosterEntry — 排班明细: one person's code (班次 / rest 休息 / leave 请假) on one day."""

    roster = models.ForeignKey(
        Roster, verbose_name="排班表", on_delete=models.CASCADE, related_name="entries"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="roster_entries"
    )
    day = models.DateField("日期")
    code = models.CharField("班次", max_length=20)
    source = models.CharField(
        "来源", max_length=10, choices=EntrySource.choices, default=EntrySource.SOLVER
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "排班明细"
        verbose_name_plural = "排班明细"
        constraints = [
            models.UniqueConstraint(fields=["roster", "employee", "day"], name="roster_entry_uniq")
        ]
        indexes = [models.Index(fields=["employee", "day"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.code}"


class RestRequest(models.Model):
    """RestRequest — 休息申请 (WFM-2 soft rule): a day a person asks to rest; the solver honours
    it when coverage allows. Not leave: nothing is approved or deducted."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.CASCADE, related_name="rest_requests"
    )
    day = models.DateField("日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "休息申请"
        verbose_name_plural = "休息申请"
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="rest_request_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day}"
