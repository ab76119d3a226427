"""请假 models — LeaveRequest (请假申请, WFM-4, WFM-5).

A request covers whole days ``start_day``..``end_day``, or part of one day (``hours``, the
urgent-leave case: 紧急事假班前2小时提出). ``days`` is what it takes from a balance and what the
approval chain is chosen by (≤1 day 部门负责人, longer 副总经理, managers 总经理). On final
approval the days become 请假 cells of the published roster (the codes they replaced are kept in
``replaced`` so an early return — 销假 — can give the remaining days back); in a month not yet
published they are fixed days for the roster solver.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from kefu.org.models import Employee, Team

from .choices import LeavePart, LeaveStatus


class LeaveRequest(models.Model):
    """LeaveRequest — 请假申请 (WFM-4): one person's leave of one type over a range of days."""

    applicant = models.ForeignKey(
        Employee, verbose_name="申请人", on_delete=models.PROTECT, related_name="leave_requests"
    )
    team = models.ForeignKey(
        Team, verbose_name="班组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leave_type = models.CharField("假别", max_length=20)
    type_name = models.CharField("假别名称", max_length=20)
    start_day = models.DateField("开始日期")
    end_day = models.DateField("结束日期")
    hours = models.DecimalField("请假小时数", max_digits=4, decimal_places=1, null=True, blank=True)
    part = models.CharField(
        "请假时段", max_length=5, choices=LeavePart.choices, default=LeavePart.START
    )
    days = models.DecimalField("请假天数", max_digits=5, decimal_places=1)
    reason = models.CharField("请假事由", max_length=300)
    urgent = models.BooleanField("紧急请假", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    offsets_rest = models.BooleanField("充抵调休", default=False)
    replaced = models.JSONField("原排班", default=dict, blank=True)
    returned_on = models.DateField("实际返岗日期", null=True, blank=True)
    returned_days = models.DecimalField("销假退回天数", max_digits=5, decimal_places=1, default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    reported_at = models.DateTimeField("销假时间", null=True, blank=True)

    class Meta:
        verbose_name = "请假申请"
        verbose_name_plural = "请假申请"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["applicant", "start_day"]),
            models.Index(fields=["status", "start_day"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_day__gte=models.F("start_day")), name="leave_end_after_start"
            ),
            models.CheckConstraint(condition=Q(days__gte=0), name="leave_days_nonneg"),
        ]
        permissions = [("view_team_leaverequest", "查看班组请假")]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.type_name} {self.start_day}–{self.end_day}"

    @property
    def number(self) -> str:
        """请假单号 shown on pages: QJ + six digits."""
        return f"QJ{self.pk or 0:06d}"

    def on_leave(self, day: dt.date) -> bool:
        """Whether ``day`` is a day of this leave (before the return when reported back)."""
        if not self.start_day <= day <= self.end_day:
            return False
        return self.returned_on is None or day < self.returned_on

    def leave_dates(self) -> list[dt.date]:
        """Every day actually on leave, in order."""
        n = (self.end_day - self.start_day).days + 1
        days = (self.start_day + dt.timedelta(days=i) for i in range(n))
        return [d for d in days if self.on_leave(d)]

    @property
    def net_days(self):  # type: ignore[no-untyped-def]
        """Days taken after 销假 gave some back."""
        return self.days - self.returned_days
