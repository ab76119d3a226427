"""交接班与在线 models — the handover book (WFM-7) and presence (WFM-8).

A handover (交接班记录) is written by an outgoing agent at the end of a rostered shift; the people
rostered on the team's next shift (from the published roster) must confirm it (接班确认). The
periodic scan (``services.scan``) flags shifts that ended without a handover and handovers not
confirmed in time (HandoverFlag); each flag is an incident for the performance module.

Presence (在线状态) keeps one current status per person (PresenceState) and the log of every change
(PresenceEvent); the scan turns offline/hidden periods during a rostered shift into
PresenceViolation rows, counted towards WFM-8's monthly limit unless a lead accepts the reason.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from kefu.org.models import Employee, Team

from .choices import (
    FlagKind,
    HandoverStatus,
    PresenceSource,
    PresenceStatus,
    ViolationStatus,
)


class Handover(models.Model):
    """Handover — 交接班记录 (WFM-7): what the outgoing shift leaves to the next one."""

    team = models.ForeignKey(
        Team, verbose_name="班组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("日期")
    shift_code = models.CharField("班次", max_length=20)
    author = models.ForeignKey(
        Employee, verbose_name="交班人", on_delete=models.PROTECT, related_name="handovers"
    )
    written_at = models.DateTimeField("交班时间")
    pending_work = models.TextField("待处理事宜", blank=True)
    equipment_ok = models.BooleanField("设备正常", default=True)
    equipment_notes = models.CharField("设备情况", max_length=500, blank=True)
    staffing = models.CharField("人员调班情况", max_length=500, blank=True)
    notes = models.TextField("其他事项", blank=True)
    # The incoming shift found in the published roster when the handover was written.
    incoming_day = models.DateField("接班日期", null=True, blank=True)
    incoming_shift_code = models.CharField("接班班次", max_length=20, blank=True)
    ack_due_at = models.DateTimeField("接班确认期限")
    status = models.CharField(
        "状态", max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    acknowledged_at = models.DateTimeField("接班完成时间", null=True, blank=True)
    ack_overdue = models.BooleanField("超时未接班", default=False)

    class Meta:
        verbose_name = "交接班记录"
        verbose_name_plural = "交接班记录"
        ordering = ["-day", "-written_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "day", "shift_code"], name="handover_author_shift_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["day", "shift_code"]),
            models.Index(fields=["team", "day"]),
            models.Index(fields=["status", "ack_due_at"]),
        ]
        permissions = [("acknowledge_handover", "接班确认")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift_code} {self.author_id}"

    @property
    def number(self) -> str:
        """交接班编号 JB00001234."""
        return f"JB{self.pk:08d}"


class HandoverTicket(models.Model):
    """HandoverTicket — 交接的客户问题: an open service request handed to the next shift."""

    handover = models.ForeignKey(
        Handover, verbose_name="交接班记录", on_delete=models.CASCADE, related_name="tickets"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("交接说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "交接工单"
        verbose_name_plural = "交接工单"
        constraints = [
            models.UniqueConstraint(fields=["handover", "ticket"], name="handover_ticket_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}:{self.ticket_id}"


class HandoverAck(models.Model):
    """HandoverAck — 接班确认: one incoming person; ``expected`` when rostered on the next shift."""

    handover = models.ForeignKey(
        Handover, verbose_name="交接班记录", on_delete=models.CASCADE, related_name="acks"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="接班人", on_delete=models.PROTECT, related_name="+"
    )
    expected = models.BooleanField("应接班", default=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    remark = models.CharField("接班备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "接班确认"
        verbose_name_plural = "接班确认"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "employee"], name="handover_ack_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}:{self.employee_id}"


class HandoverFlag(models.Model):
    """HandoverFlag — 交接班异常 (WFM-7): 未交班 or 超时未接班 for one person; an incident unless
    a lead waives it (撤销) with a reason."""

    kind = models.CharField("类型", max_length=20, choices=FlagKind.choices)
    employee = models.ForeignKey(
        Employee, verbose_name="责任人", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        verbose_name="班组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    day = models.DateField("日期")
    shift_code = models.CharField("班次", max_length=20)
    handover = models.ForeignKey(
        Handover,
        verbose_name="交接班记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
    )
    flagged_at = models.DateTimeField("标记时间")
    waived_at = models.DateTimeField("撤销时间", null=True, blank=True)
    waived_by = models.ForeignKey(
        Employee,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waive_reason = models.CharField("撤销原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "交接班异常"
        verbose_name_plural = "交接班异常"
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "employee", "day", "shift_code"], name="handover_flag_uniq"
            )
        ]
        indexes = [models.Index(fields=["day", "employee"])]
        permissions = [("waive_handoverflag", "撤销交接班异常")]

    def __str__(self) -> str:
        return f"{self.kind} {self.employee_id} {self.day} {self.shift_code}"


class PresenceState(models.Model):
    """PresenceState — 当前在线状态 (WFM-8): one row per person, the latest PresenceEvent."""

    employee = models.OneToOneField(
        Employee, verbose_name="员工", on_delete=models.CASCADE, related_name="presence"
    )
    status = models.CharField("状态", max_length=10, choices=PresenceStatus.choices)
    since = models.DateTimeField("开始时间")
    reason = models.CharField("原因", max_length=200, blank=True)
    source = models.CharField("来源", max_length=12, choices=PresenceSource.choices)

    class Meta:
        verbose_name = "在线状态"
        verbose_name_plural = "在线状态"
        permissions = [
            ("view_presence", "查看在线状态看板"),
            ("set_others_presence", "设置他人在线状态"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}:{self.status}"


class PresenceEvent(models.Model):
    """PresenceEvent — 在线状态记录: one change of status, with when, why and who set it."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.CASCADE, related_name="presence_events"
    )
    status = models.CharField("状态", max_length=10, choices=PresenceStatus.choices)
    at = models.DateTimeField("时间")
    reason = models.CharField("原因", max_length=200, blank=True)
    source = models.CharField("来源", max_length=12, choices=PresenceSource.choices)
    set_by = models.ForeignKey(
        Employee,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "在线状态记录"
        verbose_name_plural = "在线状态记录"
        ordering = ["employee_id", "at", "id"]
        indexes = [models.Index(fields=["employee", "at"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.at:%Y-%m-%d %H:%M} {self.status}"


class PresenceViolation(models.Model):
    """PresenceViolation — 当班离线记录 (WFM-8): offline or hidden during a rostered shift for at
    least the grace time; counted towards the monthly limit unless excused."""

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        verbose_name="班组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    day = models.DateField("日期")
    shift_code = models.CharField("班次", max_length=20)
    started_at = models.DateTimeField("开始离线")
    minutes = models.PositiveIntegerField("离线分钟")
    kind = models.CharField("离线状态", max_length=10, choices=PresenceStatus.choices)
    stated_reason = models.CharField("员工说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ViolationStatus.choices, default=ViolationStatus.COUNTED
    )
    excused_by = models.ForeignKey(
        Employee,
        verbose_name="认可人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    excused_at = models.DateTimeField("认可时间", null=True, blank=True)
    excuse_reason = models.CharField("认可原因", max_length=300, blank=True)
    detected_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "当班离线记录"
        verbose_name_plural = "当班离线记录"
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "day", "shift_code"], name="presence_violation_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(status="excused") | Q(excused_at__isnull=False),
                name="presence_violation_excused_has_time",
            ),
        ]
        indexes = [models.Index(fields=["employee", "day"])]
        permissions = [("excuse_presenceviolation", "认可当班离线原因")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.shift_code} {self.minutes}min"


class ShiftCheck(models.Model):
    """ShiftCheck — 班次检查记录: which ended shifts the periodic scan has already checked for a
    handover and for presence, so each is checked once."""

    day = models.DateField("日期")
    team = models.ForeignKey(Team, verbose_name="班组", on_delete=models.CASCADE, related_name="+")
    shift_code = models.CharField("班次", max_length=20)
    handover_checked_at = models.DateTimeField("交班检查时间", null=True, blank=True)
    presence_checked_at = models.DateTimeField("在线检查时间", null=True, blank=True)

    class Meta:
        verbose_name = "班次检查记录"
        verbose_name_plural = "班次检查记录"
        constraints = [
            models.UniqueConstraint(fields=["day", "team", "shift_code"], name="shift_check_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id} {self.shift_code}"
