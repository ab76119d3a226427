"""Service requests — 工单 (TKT-1..TKT-7): the ticket, its messages, attachments, pauses and
fault report.

State lives in columns the rule engines read back (``statemachine.TicketState`` is built from a
row by ``services.state_of``): the status, the owner and 首问负责人, a pending transfer, whether the
customer has been answered, TKT-7's flags. Deadlines (TKT-4, CMP-6) are stored so lists can sort
and filter by them and the periodic SLA task finds what is due with one indexed query
(``next_sla_check_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Channel, Kind, Priority, ServiceMode, Status, Subkind


class Tag(models.Model):
    """Tag — 工单标签: a free word agents put on requests (e.g. 小红旗, 批量问题) to find them again."""

    name = models.CharField("标签", max_length=20, unique=True)

    class Meta:
        verbose_name = "工单标签"
        verbose_name_plural = "工单标签"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_blank")]

    def __str__(self) -> str:
        return self.name


class TicketDayCounter(models.Model):
    """TicketDayCounter — 工单编号计数: the last number given on one day (``KF20261122-0001``).

    One row per day, incremented under a row lock inside the creating transaction. Creation is
    already serialised by the audit chain's lock, so the counter costs no extra concurrency.
    """

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "工单编号计数"
        verbose_name_plural = "工单编号计数"

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Ticket(models.Model):
    """Ticket — 工单: one service request, from receipt (受理) to 结案 and 回访 (TKT-1..TKT-7).

    ``owner`` is who holds it now; ``first_responsible`` the 首问负责人 (TKT-3), set by the first
    person to take it and never changed. ``department``/``team`` are where it lives for data
    scope (ORG-5): the owner's, or for an unassigned request the department that received it.
    ``customer_grade`` is the customer's grade when the request came in (the SLA target depends on
    it and must not move when the archive changes later).
    """

    number = models.CharField("工单编号", max_length=20, unique=True)
    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices)
    kind = models.CharField("工单类型", max_length=20, choices=Kind.choices)
    subkind = models.CharField("子类", max_length=20, choices=Subkind.choices, blank=True)
    priority = models.CharField(
        "优先级", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NEW)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    demand = models.TextField("客户诉求", blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="tickets")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="tickets",
        # No index of its own: the composite index that leads with it serves every lookup (and
        # the PROTECT check), and each index is one more write per new or changed request.
        db_index=False,
    )
    customer_grade = models.CharField("客户等级（受理时）", max_length=20, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    order_no = models.CharField("订单号", max_length=40, blank=True)
    purchase_date = models.DateField("购买日期", null=True, blank=True)
    tracking_no = models.CharField("快递单号", max_length=40, blank=True)

    # TKT-8: 热线服务 → 远程服务 → 上门服务, only upwards (services.ticket_escalate_service_mode).
    service_mode = models.CharField(
        "服务方式", max_length=10, choices=ServiceMode.choices, default=ServiceMode.HOTLINE
    )
    # TKT-8: technical staff may solve first and file the 工作联络单 afterwards; its number here.
    contact_form_no = models.CharField("工作联络单号", max_length=40, blank=True)
    # TKT-9: 小红旗 — the customer has special demands; the note says which.
    red_flag = models.BooleanField("小红旗", default=False)
    red_flag_note = models.CharField("特殊要求", max_length=200, blank=True)
    # TKT-10: arrived as a message left while nobody answered (decided once, at receipt).
    offline_message = models.BooleanField("留言", default=False)

    received_at = models.DateTimeField("受理时间")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        "org.Employee",
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tickets",
        # No index of its own: the composite index that leads with it serves every lookup (and
        # the PROTECT check), and each index is one more write per new or changed request.
        db_index=False,
    )
    first_responsible = models.ForeignKey(
        "org.Employee",
        verbose_name="首问负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_tickets",
    )
    pending_owner = models.ForeignKey(
        "org.Employee",
        verbose_name="转交对象（人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pending_department = models.ForeignKey(
        "org.Department",
        verbose_name="转交对象（部门）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="所属部门",
        on_delete=models.PROTECT,
        related_name="+",
        # No index of its own: the composite index that leads with it serves every lookup (and
        # the PROTECT check), and each index is one more write per new or changed request.
        db_index=False,
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name="所属班组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # No index of its own: the composite index that leads with it serves every lookup (and
        # the PROTECT check), and each index is one more write per new or changed request.
        db_index=False,
    )

    responded = models.BooleanField("已回复客户", default=False)
    first_responded_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    followed_up = models.BooleanField("已回访", default=False)
    satisfied = models.BooleanField("客户满意", null=True, blank=True)
    major_fault = models.BooleanField("重大故障", default=False)
    fault_report_complete = models.BooleanField("故障分析报告已提交", default=False)
    first_contact_eligible = models.BooleanField("可计一次办结", default=True)
    first_contact_resolution = models.BooleanField("一次办结", default=False)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    # SLA (TKT-4, CMP-6): stored, recomputed by the services when the clock pauses or resumes.
    first_response_due = models.DateTimeField("首次响应期限", null=True, blank=True)
    resolution_due = models.DateTimeField("解决期限", null=True, blank=True)
    paused_since = models.DateTimeField("暂停计时起", null=True, blank=True)
    sla_level = models.PositiveSmallIntegerField("已到达的预警/升级级数", default=0)
    first_response_breached = models.BooleanField("首次响应超时", default=False)
    resolution_breached = models.BooleanField("解决超时", default=False)
    next_sla_check_at = models.DateTimeField("下次时限检查", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["owner", "status", "-received_at"], name="ticket_owner_status_idx"
            ),
            models.Index(fields=["team", "status", "-received_at"], name="ticket_team_status_idx"),
            models.Index(
                fields=["department", "status", "-received_at"], name="ticket_dept_status_idx"
            ),
            models.Index(fields=["status", "-received_at"], name="ticket_status_recv_idx"),
            models.Index(fields=["-received_at", "-id"], name="ticket_recv_idx"),
            models.Index(fields=["customer", "-received_at"], name="ticket_customer_idx"),
            models.Index(fields=["order_no"], name="ticket_order_idx"),
            models.Index(fields=["tracking_no"], name="ticket_tracking_idx"),
            models.Index(fields=["contact_phone"], name="ticket_contact_phone_idx"),
            models.Index(fields=["kind", "-received_at"], name="ticket_kind_recv_idx"),
            # 仅小红旗 (TKT-9): few rows carry the flag; a partial index keeps the filter cheap.
            models.Index(
                fields=["-received_at"],
                name="ticket_red_flag_idx",
                condition=Q(red_flag=True),
            ),
            models.Index(
                fields=["next_sla_check_at"],
                name="ticket_sla_check_idx",
                condition=Q(next_sla_check_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="ticket_kind"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="ticket_title_not_blank"),
            models.CheckConstraint(
                condition=Q(service_mode__in=ServiceMode.values), name="ticket_service_mode"
            ),
            # A special demand is only recorded under a raised flag (TKT-9).
            models.CheckConstraint(
                condition=Q(red_flag=True) | Q(red_flag_note=""),
                name="ticket_red_flag_note_needs_flag",
            ),
            # statemachine.state_problems, as far as a row can say it.
            models.CheckConstraint(
                condition=Q(status=Status.NEW) | Q(owner__isnull=False),
                name="ticket_owner_unless_new",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(first_responsible__isnull=False),
                name="ticket_first_responsible_with_owner",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.TRANSFERRED)
                | (Q(pending_owner__isnull=False) & Q(pending_department__isnull=True))
                | (Q(pending_owner__isnull=True) & Q(pending_department__isnull=False)),
                name="ticket_transfer_has_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.TRANSFERRED)
                | (Q(pending_owner__isnull=True) & Q(pending_department__isnull=True)),
                name="ticket_target_only_when_transferred",
            ),
            models.CheckConstraint(
                condition=Q(major_fault=True) | Q(fault_report_complete=False),
                name="ticket_fault_report_needs_fault",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED)
                | Q(major_fault=False)
                | Q(fault_report_complete=True),
                name="ticket_major_fault_closes_with_report",
            ),
        ]
        permissions = [
            ("export_ticket", "导出工单"),
            ("view_all_tickets", "查看全部工单"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketMessage(models.Model):
    """TicketMessage — 工单记录: a reply to the customer, an internal note, or what the customer said.

    Replies are what the customer was told (TKT-6: in writing or by phone, ``via``); internal
    notes are for colleagues only and never leave the system; customer messages record what came
    in. Transfers, resolutions and the like are in the audit timeline, not here.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "回复客户"
        NOTE = "note", "内部备注"
        CUSTOMER = "customer", "客户来信"

    class Via(models.TextChoices):
        NONE = "", "—"
        PHONE = "phone", "电话"
        WRITTEN = "written", "书面"
        ONLINE = "online", "在线"

    ticket = models.ForeignKey(
        Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    via = models.CharField("方式", max_length=10, choices=Via.choices, blank=True, default="")
    body = models.TextField("内容")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单记录"
        verbose_name_plural = "工单记录"
        ordering = ["ticket_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="ticketmessage_body_not_blank"),
            models.CheckConstraint(
                condition=Q(kind__in=["reply", "note", "customer"]), name="ticketmessage_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:20]}"


def _attachment_path(instance: TicketAttachment, filename: str) -> str:
    # The stored name is not the uploaded one: names can carry personal data and odd characters.
    return f"tickets/{instance.ticket_id}/{instance.token}{instance.extension}"


class TicketAttachment(models.Model):
    """TicketAttachment — 工单附件: a photo or PDF (发票, 保修卡, damage photos), type and size checked.

    Served only through the ticket's download view, which applies the viewer's scope; never from
    the public media URL.
    """

    ticket = models.ForeignKey(
        Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="attachments"
    )
    token = models.CharField("存储标识", max_length=32, unique=True)
    extension = models.CharField("扩展名", max_length=8)
    file = models.FileField("文件", upload_to=_attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["ticket_id", "id"]

    def __str__(self) -> str:
        return self.name


class TicketPause(models.Model):
    """TicketPause — 暂停计时: a period the SLA clock stood still (待客户, or settled until reopened)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="pauses"
    )
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束", null=True, blank=True)
    reason = models.CharField("原因", max_length=20)

    class Meta:
        verbose_name = "暂停计时"
        verbose_name_plural = "暂停计时"
        ordering = ["ticket_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="ticketpause_end_after_start",
            ),
            # At most one open pause per ticket.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(end__isnull=True), name="ticketpause_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end or '…'}"


class FaultReport(models.Model):
    """FaultReport — 故障分析报告 (TKT-7): required, complete, before a major-fault ticket closes."""

    ticket = models.OneToOneField(
        Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="fault_report"
    )
    occurred_at = models.CharField("发生时间", max_length=60)
    place = models.CharField("地点", max_length=200)
    symptoms = models.TextField("故障现象")
    handling_plan = models.TextField("处理预案")
    impact = models.TextField("造成的影响")
    handling = models.TextField("处理情况")
    cause = models.TextField("原因分析")
    corrective_actions = models.TextField("纠正预防措施")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", auto_now=True)

    class Meta:
        verbose_name = "故障分析报告"
        verbose_name_plural = "故障分析报告"

    def __str__(self) -> str:
        return f"故障分析报告 {self.ticket_id}"
