"""Return visits — 回访 (AS-4, CRM-2, CRM-4).

A ``VisitTask`` (回访任务) is one planned call; once recorded it is the 回访单 (visit receipt,
CRM-4) searched and counted by the reports. Tasks come from the plan generator (in warranty,
projects), from a closed service request, or from a no-answer retry. ``CorrectiveAction``
(纠正措施) follows a problem found. ``CarePlan``/``CareTask`` are the key-customer care plan and
the December campaign (CRM-2).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .choices import ActionStatus, CareStatus, FollowUp, Outcome, Source, TaskStatus

# NO_FK_TRIGGERS: PostgreSQL queues a foreign-key check for every inserted row and every foreign
# key, even a NULL one; on the generator's plan rows the five nullable keys below cost a fifth of
# the insert time. Their targets (employees, service requests, visit tasks) are never deleted
# (people leave, requests close) and PROTECT still refuses a delete through the ORM; the services
# are the only writers and always pass existing objects.


class VisitTask(models.Model):
    """VisitTask — 回访任务 / 回访单: one call to a customer, planned then recorded.

    Plan tasks are unique per (installation, source, due date) among first attempts, so
    regenerating a plan never duplicates a visit; a retry is a new task pointing at its
    ``parent``. Rows are kept narrow and indexes few because the generator writes millions of
    them: besides the primary key and the plan's unique key, the customer index and partial
    indexes (open tasks by date and by 回访员, done tasks, foreign keys most rows leave empty).
    """

    installation = models.ForeignKey(
        "aftersales.Installation",
        verbose_name="安装记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # The generator writes millions of rows copied from these very tables; a per-row
        # foreign-key trigger would double its time. Deletes are still refused (PROTECT).
        db_constraint=False,
        # visit_plan_unique (installation, source, due date) serves the lookups.
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # visit_customer_idx (customer, -due_date) serves it
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index visit_ticket_idx: most rows have none
        db_constraint=False,  # see NO_FK_TRIGGERS
    )
    source = models.CharField("回访来源", max_length=12, choices=Source.choices)
    due_date = models.DateField("计划回访日期")
    in_warranty = models.BooleanField("保修期内", default=False)
    attempt = models.PositiveSmallIntegerField("第几次回访", default=1)
    parent = models.ForeignKey(
        "self",
        verbose_name="上次回访",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retries",
        db_index=False,  # partial index visit_parent_idx: only retries have one
        db_constraint=False,  # see NO_FK_TRIGGERS
    )
    assignee = models.ForeignKey(
        "org.Employee",
        verbose_name="回访员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # visit_open_assignee_idx / visit_done_assignee_idx serve it
        db_constraint=False,  # see NO_FK_TRIGGERS
    )
    status = models.CharField(
        "状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    outcome = models.CharField("回访结果", max_length=14, choices=Outcome.choices, blank=True)
    notes = models.TextField("回访记录", blank=True)
    follow_up = models.CharField("问题处理", max_length=10, choices=FollowUp.choices, blank=True)
    follow_up_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="转出工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index visit_follow_up_ticket_idx
        db_constraint=False,  # see NO_FK_TRIGGERS
    )
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    visited_by = models.ForeignKey(
        "org.Employee",
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index visit_visited_by_idx: only recorded visits have one
        db_constraint=False,  # see NO_FK_TRIGGERS
    )
    cancel_reason = models.CharField("取消原因", max_length=60, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "回访任务"
        verbose_name_plural = "回访任务"
        ordering = ["due_date", "id"]
        permissions = [
            ("view_visit_reports", "查看回访报表"),
            ("view_all_visittasks", "查看全部回访任务"),
            ("reassign_visittask", "改派回访任务"),
            ("manage_visit_plans", "生成回访计划"),
        ]
        indexes = [
            # The open lists (今日/逾期/待回访, everyone's or one 回访员's) read only planned
            # tasks, the 已回访 lists only done ones, newest first: partial indexes serve each
            # and keep the keys short (a status text in every key cost the generator ~10%).
            models.Index(
                fields=["due_date"],
                name="visit_open_due_idx",
                condition=Q(status=TaskStatus.PLANNED),
            ),
            models.Index(
                fields=["assignee", "due_date"],
                name="visit_open_assignee_idx",
                condition=Q(status=TaskStatus.PLANNED),
            ),
            models.Index(
                fields=["visited_at"], name="visit_done_idx", condition=Q(status=TaskStatus.DONE)
            ),
            models.Index(
                fields=["assignee", "visited_at"],
                name="visit_done_assignee_idx",
                condition=Q(status=TaskStatus.DONE),
            ),
            models.Index(fields=["customer", "-due_date"], name="visit_customer_idx"),
            # Foreign keys most rows leave empty: indexed only where set, so the generator's
            # millions of plan rows do not pay for four more index entries each (the first
            # run at a million installations took twice as long with them).
            *(
                models.Index(
                    fields=[name],
                    name=f"visit_{name}_idx",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in ("ticket", "parent", "follow_up_ticket", "visited_by")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "source", "due_date"],
                condition=Q(installation__isnull=False) & Q(parent__isnull=True),
                name="visit_plan_unique",
            ),
            models.UniqueConstraint(
                fields=["ticket", "source"],
                condition=Q(ticket__isnull=False) & Q(parent__isnull=True),
                name="visit_ticket_unique",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="visit_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="visit_status_valid"
            ),
            # A recorded visit has its outcome; an open one has none.
            models.CheckConstraint(
                condition=(Q(status=TaskStatus.DONE) & ~Q(outcome=""))
                | (~Q(status=TaskStatus.DONE) & Q(outcome="")),
                name="visit_outcome_iff_done",
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="visit_attempt_positive"),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def receipt_no(self) -> str:
        """回访单号: derived from the id, so millions of generated rows need no sequence."""
        return f"HF{self.pk:08d}" if self.pk else ""


class CorrectiveAction(models.Model):
    """CorrectiveAction — 纠正措施: what is done about a quality problem found on a visit (AS-4)."""

    visit = models.ForeignKey(
        VisitTask, verbose_name="回访任务", on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField("问题及纠正措施")
    department = models.ForeignKey(
        "org.Department",
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField("完成期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    result = models.TextField("整改结果", blank=True)
    created_by = models.ForeignKey(
        "org.Employee", verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "纠正措施"
        verbose_name_plural = "纠正措施"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="visit_action_status_valid"
            ),
            models.CheckConstraint(condition=~Q(description=""), name="visit_action_described"),
        ]

    def __str__(self) -> str:
        return f"纠正措施 #{self.pk}"


class CarePlan(models.Model):
    """CarePlan — 重点客户关怀计划 (CRM-2): one per key/major customer and year."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("客户等级", max_length=20)
    owner = models.ForeignKey(
        "org.Employee",
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField("关怀计划", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点客户关怀计划"
        verbose_name_plural = "重点客户关怀计划"
        ordering = ["-year", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="careplan_customer_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.customer_id}"


class CareTask(models.Model):
    """CareTask — 关怀任务: the December campaign for one customer (新年礼品, 次年需求, CRM-2)."""

    plan = models.OneToOneField(
        CarePlan, verbose_name="关怀计划", on_delete=models.PROTECT, related_name="campaign"
    )
    due_date = models.DateField("完成期限")
    gift = models.CharField("礼品", max_length=60)
    gift_sent_on = models.DateField("礼品寄送日期", null=True, blank=True)
    demand = models.TextField("次年需求计划", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CareStatus.choices, default=CareStatus.PLANNED
    )
    done_by = models.ForeignKey(
        "org.Employee",
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "新年关怀任务"
        verbose_name_plural = "新年关怀任务"
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CareStatus.values), name="caretask_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"关怀任务 #{self.pk}"
