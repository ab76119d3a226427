"""Attendance — 考勤 (WFM-5, WFM-6): clocks, the classified day, corrections, the monthly report.

A clock (ClockEvent, 打卡记录) comes from the web button (server time), a time-clock import or an
approved correction. The classifier (``classify.py``) judges each person-day against the published
roster; the result is stored as an AttendanceDay with the policy versions it used, and its
penalties are the attendance incidents read by the performance module. A forgotten clock is
corrected through a ClockCorrection (补卡) approved along the reporting line. The 考勤员 reports
the month to 行政人事部 (AttendanceReportSubmission).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kefu.org.models import Department, Employee, Team

from .choices import ClockSource, CorrectionStatus, DayStatus, Direction


class ClockCorrection(models.Model):
    """ClockCorrection — 补卡申请 (WFM-5): a forgotten clock of one work day, asked within the
    policy's days, at most N a month, approved by the superior (审批 kind ``clock_fix``)."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="clock_corrections"
    )
    day = models.DateField("考勤日期")
    direction = models.CharField(
        "补卡类型", max_length=3, choices=[(Direction.IN, "上班"), (Direction.OUT, "下班")]
    )
    at = models.DateTimeField("补卡时间")
    reason = models.CharField("补卡原因", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "补卡申请"
        verbose_name_plural = "补卡申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["employee", "day"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.direction} {self.status}"


class ClockEvent(models.Model):
    """ClockEvent — 打卡记录: one clock of one person. The time is the server's for a web clock,
    the device's for an import, the approved time for a correction. Never edited."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="clock_events"
    )
    at = models.DateTimeField("打卡时间")
    direction = models.CharField(
        "类型", max_length=3, choices=Direction.choices, blank=True, default=Direction.UNKNOWN
    )
    source = models.CharField("来源", max_length=12, choices=ClockSource.choices)
    device = models.CharField("设备", max_length=60, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    correction = models.OneToOneField(
        ClockCorrection,
        verbose_name="补卡申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "打卡记录"
        verbose_name_plural = "打卡记录"
        ordering = ["at", "id"]
        constraints = [
            # Re-importing the same time-clock file adds nothing.
            models.UniqueConstraint(fields=["employee", "at"], name="clockevent_employee_at_uniq")
        ]
        indexes = [models.Index(fields=["at"])]
        permissions = [("import_clockevent", "导入打卡记录")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.at:%Y-%m-%d %H:%M} {self.direction}"


class AttendanceDay(models.Model):
    """AttendanceDay — 考勤结果: one person-day as classified against the published roster, with
    the policy versions used. Recomputed idempotently; ``penalties`` are its incidents (signed)."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="attendance_days"
    )
    day = models.DateField("日期")
    # Snapshot at classification time, so a month is reported by the department of that time.
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name="班组", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField("排班", max_length=20, blank=True)
    shift_start = models.DateTimeField("上班时间", null=True, blank=True)
    shift_end = models.DateTimeField("下班时间", null=True, blank=True)
    clock_in = models.DateTimeField("上班打卡", null=True, blank=True)
    clock_out = models.DateTimeField("下班打卡", null=True, blank=True)
    status = models.CharField("考勤结果", max_length=12, choices=DayStatus.choices)
    late_minutes = models.PositiveIntegerField("迟到分钟", default=0)
    early_minutes = models.PositiveIntegerField("早退分钟", default=0)
    missing_in = models.BooleanField("缺上班卡", default=False)
    missing_out = models.BooleanField("缺下班卡", default=False)
    final = models.BooleanField("已确定", default=False)
    penalties = models.JSONField("考勤事件", default=list, blank=True)
    incident_count = models.PositiveSmallIntegerField("事件数", default=0)
    points = models.DecimalField("扣分", max_digits=7, decimal_places=2, default=0)
    money = models.DecimalField("罚款", max_digits=10, decimal_places=2, default=0)
    pay_days = models.DecimalField("扣工资天数", max_digits=5, decimal_places=2, default=0)
    workforce_policy_version = models.PositiveIntegerField("考勤制度版本", null=True)
    attendance_policy_version = models.PositiveIntegerField("考勤参数版本", null=True)
    classified_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "考勤结果"
        verbose_name_plural = "考勤结果"
        ordering = ["day", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="attendanceday_uniq"),
            models.CheckConstraint(condition=Q(points__lte=0), name="attendanceday_points_le0"),
        ]
        indexes = [
            models.Index(fields=["day", "department"]),
            models.Index(fields=["day", "team"]),
            models.Index(
                fields=["day"], condition=Q(incident_count__gt=0), name="attendanceday_incidents"
            ),
        ]
        permissions = [
            ("view_attendance_report", "查看考勤月报"),
            ("submit_attendance_report", "报送考勤月报"),
            ("classify_attendance", "重新计算考勤"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.status}"


class AttendanceReportSubmission(models.Model):
    """AttendanceReportSubmission — 考勤月报报送 (WFM-6): the 考勤员 sent a department's month to
    行政人事部; who, when, whether by the due day, and the figures as sent (kept unchanged)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份")  # the 1st of the month
    due_on = models.DateField("报送截止日")
    submitted_by = models.ForeignKey(
        Employee, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间")
    on_time = models.BooleanField("按时报送")
    note = models.CharField("备注", max_length=200, blank=True)
    snapshot = models.JSONField("报送数据", default=dict)

    class Meta:
        verbose_name = "考勤月报报送"
        verbose_name_plural = "考勤月报报送"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="attreport_month_first_day")
        ]
        indexes = [models.Index(fields=["department", "month"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}"
