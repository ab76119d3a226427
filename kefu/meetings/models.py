"""例会与带教 models — standing meetings (WFM-9) and mentoring (WFM-10).

A Meeting (例会) is a standing series — the weekly Monday meeting, the daily 晨会, the noon
training, the weekly 班务会, the monthly all-hands — with a recurrence that generates
MeetingOccurrence rows (会议场次). Per occurrence the host takes attendance (MeetingAttendance),
writes the minutes (纪要) and each participant files a report (MeetingReport: last week's work,
problems, planned improvements). A person absent without leave asked at least the policy's notice
before the start is an incident.

Mentoring (带教) pairs a newcomer with a mentor (Mentorship); training sessions (TrainingRecord,
also new-product training before launch) and exams (ExamRecord) are recorded; passing the
qualifying exam ends the mentoring (出师). The fastest learners of a period earn their mentors the
policy's rewards (MentorReward), frozen when awarded.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from kefu.org.models import Department, Employee, Team

from .choices import (
    WEEKDAYS,
    AttendanceSource,
    AttendanceStatus,
    MeetingKind,
    MentorshipStatus,
    OccurrenceStatus,
    Recurrence,
    TrainingKind,
)


class Meeting(models.Model):
    """Meeting — 例会 (WFM-9): a standing meeting series and its recurrence."""

    name = models.CharField("会议名称", max_length=60)
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name="班组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        Employee, verbose_name="主持人", on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField("地点", max_length=100, blank=True)
    recurrence = models.CharField("重复方式", max_length=10, choices=Recurrence.choices)
    weekday = models.PositiveSmallIntegerField("星期", null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField("每月日期", null=True, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    skip_holidays = models.BooleanField("法定节假日不开", default=True)
    reports_required = models.BooleanField("需提交个人汇报", default=False)
    agenda = models.TextField("会议内容", blank=True)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        Employee, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "例会"
        verbose_name_plural = "例会"
        ordering = ["department_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="meeting_time_order"
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="meeting_weekday"
            ),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True)
                | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="meeting_day_of_month",
            ),
        ]
        permissions = [
            ("take_attendance", "登记例会出勤和纪要"),
            ("ask_meeting_leave", "例会请假和提交汇报"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekday_label(self) -> str:
        return dict(WEEKDAYS).get(self.weekday, "") if self.weekday is not None else ""


class MeetingOccurrence(models.Model):
    """MeetingOccurrence — 会议场次: one meeting on one day, with its minutes (纪要)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="例会", on_delete=models.CASCADE, related_name="occurrences"
    )
    date = models.DateField("日期")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    status = models.CharField(
        "状态", max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.PLANNED
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    minutes_by = models.ForeignKey(
        Employee,
        verbose_name="纪要记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes_at = models.DateTimeField("纪要时间", null=True, blank=True)
    attendance_by = models.ForeignKey(
        Employee,
        verbose_name="考勤登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendance_at = models.DateTimeField("考勤登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "会议场次"
        verbose_name_plural = "会议场次"
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "date"], name="occurrence_meeting_date_uniq")
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.date}"


class MeetingAttendance(models.Model):
    """MeetingAttendance — 例会出勤: one participant of one occurrence."""

    occurrence = models.ForeignKey(
        MeetingOccurrence,
        verbose_name="会议场次",
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    employee = models.ForeignKey(
        Employee, verbose_name="参会人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("出勤", max_length=10, choices=AttendanceStatus.choices)
    late_minutes = models.PositiveSmallIntegerField("迟到分钟", default=0)
    reason = models.CharField("事由", max_length=200, blank=True)
    leave_asked_at = models.DateTimeField("请假时间", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=10, choices=AttendanceSource.choices, default=AttendanceSource.HOST
    )
    recorded_by = models.ForeignKey(
        Employee, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "例会出勤"
        verbose_name_plural = "例会出勤"
        ordering = ["occurrence_id", "employee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "employee"], name="attendance_occurrence_employee_uniq"
            )
        ]
        indexes = [models.Index(fields=["employee", "status"])]

    def __str__(self) -> str:
        return f"{self.occurrence_id}:{self.employee_id} {self.status}"


class MeetingReport(models.Model):
    """MeetingReport — 个人汇报 (WFM-9): last week's work, problems met, improvements planned."""

    occurrence = models.ForeignKey(
        MeetingOccurrence, verbose_name="会议场次", on_delete=models.CASCADE, related_name="reports"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="汇报人", on_delete=models.PROTECT, related_name="+"
    )
    work_done = models.TextField("上周工作及目标完成情况")
    problems = models.TextField("工作中遇到的问题", blank=True)
    improvements = models.TextField("接下来需要改进的地方")
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "个人汇报"
        verbose_name_plural = "个人汇报"
        ordering = ["occurrence_id", "employee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "employee"], name="report_occurrence_employee_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurrence_id}:{self.employee_id}"


class Mentorship(models.Model):
    """Mentorship — 带教 (WFM-10): a newcomer and the mentor who teaches them, until 出师."""

    newcomer = models.ForeignKey(
        Employee, verbose_name="新员工", on_delete=models.PROTECT, related_name="mentorships"
    )
    mentor = models.ForeignKey(
        Employee, verbose_name="带教老师", on_delete=models.PROTECT, related_name="mentees"
    )
    start_date = models.DateField("开始日期")
    planned_end = models.DateField("计划结束日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MentorshipStatus.choices, default=MentorshipStatus.ACTIVE
    )
    qualified_on = models.DateField("出师日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)
    created_by = models.ForeignKey(
        Employee, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "带教"
        verbose_name_plural = "带教"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(newcomer=F("mentor")), name="mentorship_not_self"),
            models.UniqueConstraint(
                fields=["newcomer"],
                condition=Q(status="active"),
                name="mentorship_one_active_per_newcomer",
            ),
            models.CheckConstraint(
                condition=~Q(status="qualified") | Q(qualified_on__isnull=False),
                name="mentorship_qualified_has_date",
            ),
        ]
        permissions = [("award_mentor_rewards", "发放带教奖励")]

    def __str__(self) -> str:
        return f"{self.mentor_id}→{self.newcomer_id}"


class TrainingRecord(models.Model):
    """TrainingRecord — 培训记录 (WFM-10): a session (带教, 岗前, 新品上线前培训 …)."""

    kind = models.CharField("培训类型", max_length=12, choices=TrainingKind.choices)
    topic = models.CharField("培训内容", max_length=200)
    date = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    trainer = models.ForeignKey(
        Employee,
        verbose_name="培训老师",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trainer_name = models.CharField("外部讲师", max_length=40, blank=True)
    mentorship = models.ForeignKey(
        Mentorship,
        verbose_name="带教",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    product = models.CharField("新产品", max_length=100, blank=True)
    launch_date = models.DateField("上架日期", null=True, blank=True)
    attendees = models.ManyToManyField(Employee, verbose_name="参训人员", related_name="+")
    notes = models.CharField("备注", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        Employee, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"

    @property
    def after_launch(self) -> bool:
        """新品培训晚于上架 (WFM-10 "新产品上线前培训")."""
        return bool(self.launch_date and self.date > self.launch_date)


class ExamRecord(models.Model):
    """ExamRecord — 考试记录 (WFM-10): a score; a passed qualifying exam means 出师."""

    employee = models.ForeignKey(
        Employee, verbose_name="考试人", on_delete=models.PROTECT, related_name="+"
    )
    mentorship = models.ForeignKey(
        Mentorship,
        verbose_name="带教",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exams",
    )
    subject = models.CharField("考试科目", max_length=100)
    date = models.DateField("考试日期")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1)
    pass_score = models.DecimalField("合格分", max_digits=5, decimal_places=1)
    passed = models.BooleanField("合格")
    qualifying = models.BooleanField("上岗考试", default=False)
    recorded_by = models.ForeignKey(
        Employee, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "考试记录"
        verbose_name_plural = "考试记录"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="exam_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.subject} {self.score}"


class MentorReward(models.Model):
    """MentorReward — 带教奖励 (WFM-10): a mentor's place in a period's ranking and the amount of
    the policy in force at the end of the period; awarded once per period."""

    period_start = models.DateField("排名周期开始")
    period_end = models.DateField("排名周期结束")
    rank = models.PositiveSmallIntegerField("名次")
    mentorship = models.ForeignKey(
        Mentorship, verbose_name="带教", on_delete=models.PROTECT, related_name="rewards"
    )
    mentor = models.ForeignKey(
        Employee, verbose_name="带教老师", on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveIntegerField("出师天数")
    amount = models.DecimalField("奖励金额", max_digits=10, decimal_places=2)
    awarded_by = models.ForeignKey(
        Employee, verbose_name="发放人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField("发放时间")

    class Meta:
        verbose_name = "带教奖励"
        verbose_name_plural = "带教奖励"
        ordering = ["-period_start", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "rank"], name="reward_period_rank_uniq"
            ),
            models.UniqueConstraint(fields=["mentorship"], name="reward_one_per_mentorship"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} #{self.rank} {self.mentor_id}"
