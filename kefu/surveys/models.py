"""Satisfaction surveys — 满意度调查 (CRM-3, RPT-4).

A 问卷 (Questionnaire) has numbered versions; only a draft version changes, a published one is
frozen, and every answer points at the version and question rows it answered, so editing a
questionnaire (which makes a new draft) never alters a past answer. An 调查邀请 (Invitation) asks one
customer to answer one version, by a one-time public link (only the token's hash is stored) or by
an agent on the phone. A 答卷 (SurveyResponse) carries the overall rating, the 满意 verdict and the
dimensions of the statistics (agent, department, product, channel, month) denormalised, so the
statistics never read answer rows. The statistics read the month summaries (满意度月汇总,
``SurveyMonthByAgent`` / ``SurveyMonthByProduct``), kept by the response service in the same
transaction as the answer, plus the answers of the partial months at the ends of a date range
(1M answers in well under 1 s).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    CampaignStatus,
    Channel,
    InvitationStatus,
    QuestionKind,
    Source,
    VersionStatus,
)


class Questionnaire(models.Model):
    """Questionnaire — 调查问卷: the lasting identity of a questionnaire across its versions."""

    name = models.CharField("问卷名称", max_length=100)
    description = models.TextField("说明", blank=True)
    # The questionnaire sent after a request closes and offered first for campaigns.
    is_default = models.BooleanField("默认问卷", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "调查问卷"
        verbose_name_plural = "调查问卷"
        ordering = ["-id"]
        permissions = [("view_statistics", "查看满意度统计")]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="survey_questionnaire_name"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="survey_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """QuestionnaireVersion — 问卷版本: the questions as they were; immutable once published."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="问卷", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField("问卷标题（客户看到）", max_length=100)
    intro = models.TextField("开场说明", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "问卷版本"
        verbose_name_plural = "问卷版本"
        ordering = ["questionnaire_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="survey_version_number_unique"
            ),
            # One draft at a time: "编辑" reuses it instead of forking drafts.
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=Q(status="draft"),
                name="survey_one_draft_per_questionnaire",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="survey_version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="survey_version_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Question(models.Model):
    """Question — 题目: one question of one version (rows of a published version never change)."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name="问卷版本",
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveIntegerField("序号")
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=200)
    required = models.BooleanField("必答", default=True)
    is_overall = models.BooleanField("总体满意度题", default=False)
    options = models.JSONField("选项", default=list, blank=True)

    class Meta:
        verbose_name = "题目"
        verbose_name_plural = "题目"
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(is_overall=True), name="survey_one_overall_question"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="survey_question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_overall=False) | Q(kind="rating", required=True),
                name="survey_overall_is_required_rating",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="survey_question_text"),
        ]

    def __str__(self) -> str:
        return self.text


class Campaign(models.Model):
    """Campaign — 集中调查: invitations sent to the customers of some grades/regions at once
    (CRM-3: the twice-yearly survey months), created by a background task."""

    name = models.CharField("调查名称", max_length=100)
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name="问卷版本", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("调查方式", max_length=10, choices=Channel.choices)
    grades = models.JSONField("客户等级", default=list, blank=True)
    regions = models.JSONField("地区", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.QUEUED
    )
    total = models.PositiveIntegerField("客户数", default=0)
    created_count = models.PositiveIntegerField("已生成邀请", default=0)
    message = models.CharField("结果说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The background job (后台任务) that creates the invitations: its page shows the progress.
    job = models.ForeignKey(
        "core.BackgroundJob",
        verbose_name="后台任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "集中调查"
        verbose_name_plural = "集中调查"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="survey_campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="survey_campaign_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """Invitation — 调查邀请: one customer asked to answer one questionnaire version.

    ``token_hash`` is the SHA-256 of the public link's token (the token itself is shown once, when
    the link is issued); it is cleared when the invitation is answered so the link dies with it.
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name="问卷版本", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("调查方式", max_length=10, choices=Channel.choices)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_invitation",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="集中调查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    agent = models.ForeignKey(
        "org.Employee",
        verbose_name="服务坐席",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "aftersales.Product",
        verbose_name="产品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token_hash = models.CharField("链接令牌摘要", max_length=64, null=True, blank=True, unique=True)
    sent_at = models.DateTimeField("链接发送时间", null=True, blank=True)
    expires_at = models.DateTimeField("链接有效期至", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "调查邀请"
        verbose_name_plural = "调查邀请"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="survey_inv_customer_idx"),
            models.Index(fields=["department", "-id"], name="survey_inv_dept_idx"),
            models.Index(fields=["agent", "-id"], name="survey_inv_agent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="survey_invitation_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="survey_invitation_source_valid"
            ),
            # An answered invitation has no live link.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(token_hash__isnull=True),
                name="survey_answered_has_no_token",
            ),
        ]

    def __str__(self) -> str:
        return f"调查邀请 #{self.pk}"

    def status_at(self, now: object) -> str:
        """待发送 / 已发送 / 已答复 / 已过期 at ``now``."""
        if self.answered_at is not None:
            return InvitationStatus.ANSWERED
        if self.token_hash is None:
            return InvitationStatus.PENDING
        if self.expires_at is not None and self.expires_at <= now:  # type: ignore[operator]
            return InvitationStatus.EXPIRED
        return InvitationStatus.SENT


class SurveyResponse(models.Model):
    """SurveyResponse — 答卷: one invitation's answers, with the statistics' dimensions copied in.

    ``satisfied`` is judged when submitted by the policy in force that day (ratings 4–5 of the
    overall question by default), so a later policy change does not rewrite history.
    """

    invitation = models.OneToOneField(
        Invitation, verbose_name="调查邀请", on_delete=models.PROTECT, related_name="response"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name="问卷版本", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="问卷", on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间")
    submitted_on = models.DateField("提交日期（北京时间）")
    month = models.DateField("统计月份（每月1日）")
    overall_rating = models.PositiveSmallIntegerField("总体满意度评分")
    satisfied = models.BooleanField("满意")
    channel = models.CharField("调查方式", max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(
        "org.Employee",
        verbose_name="服务坐席",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    product = models.ForeignKey(
        "aftersales.Product",
        verbose_name="产品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["submitted_on"], name="survey_resp_day_idx"),
            models.Index(fields=["department", "submitted_on"], name="survey_resp_dept_idx"),
            models.Index(fields=["agent", "submitted_on"], name="survey_resp_agent_idx"),
            models.Index(fields=["product"], name="survey_resp_product_idx"),
            models.Index(fields=["customer", "-submitted_at"], name="survey_resp_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_rating__gte=1, overall_rating__lte=5),
                name="survey_overall_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="survey_response_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"答卷 #{self.pk}"


class Answer(models.Model):
    """Answer — 答案: the answer to one question row (of the version the response answered)."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name="答卷", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name="题目", on_delete=models.PROTECT, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    choices = models.JSONField("所选项", default=list, blank=True)
    text = models.TextField("文字答复", blank=True)

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        ordering = ["response_id", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="survey_one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_answer_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"答案 #{self.pk}"


# --- month summaries (满意度月汇总) ----------------------------------------------------------------
# "None" is stored as 0 in the summaries' agent/department/product columns: the columns are part of
# the unique key an UPSERT conflicts on, and NULLs never conflict. They are plain numbers, not
# foreign keys, for the same reason; the statistics map 0 back to 未指定.
NONE_ID = 0


class SurveyMonthByAgent(models.Model):
    """SurveyMonthByAgent — 满意度月汇总（坐席）: answers per month × questionnaire × channel ×
    department × agent, with the 1–5 distribution of the overall rating and the 满意 count.

    Maintained by ``services.stats.stats_record`` in the transaction that stores the answer
    (UPSERT with increments), rebuilt from the answers by ``manage.py surveys_rebuild_stats``.
    Serves the totals, the distribution and the by-agent / by-department / by-month breakdowns.
    """

    month = models.DateField("统计月份（每月1日）")
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="问卷", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("调查方式", max_length=10, choices=Channel.choices)
    department_id = models.BigIntegerField("部门", default=NONE_ID)
    agent_id = models.BigIntegerField("服务坐席", default=NONE_ID)
    answers = models.PositiveIntegerField("答卷数", default=0)
    satisfied = models.PositiveIntegerField("满意数", default=0)
    r1 = models.PositiveIntegerField("1分", default=0)
    r2 = models.PositiveIntegerField("2分", default=0)
    r3 = models.PositiveIntegerField("3分", default=0)
    r4 = models.PositiveIntegerField("4分", default=0)
    r5 = models.PositiveIntegerField("5分", default=0)

    class Meta:
        verbose_name = "满意度月汇总（坐席）"
        verbose_name_plural = "满意度月汇总（坐席）"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "questionnaire", "channel", "department_id", "agent_id"],
                name="survey_month_agent_key",
            ),
            models.CheckConstraint(
                condition=Q(
                    answers=models.F("r1")
                    + models.F("r2")
                    + models.F("r3")
                    + models.F("r4")
                    + models.F("r5")
                )
                & Q(satisfied__lte=models.F("answers")),
                name="survey_month_agent_sums",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 坐席{self.agent_id}"


class SurveyMonthByProduct(models.Model):
    """SurveyMonthByProduct — 满意度月汇总（产品）: answers per month × questionnaire × channel ×
    department × product (the by-product breakdown; kept and rebuilt like SurveyMonthByAgent).

    It has no agent column on purpose: agent × product would make almost one row per answer.
    """

    month = models.DateField("统计月份（每月1日）")
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="问卷", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("调查方式", max_length=10, choices=Channel.choices)
    department_id = models.BigIntegerField("部门", default=NONE_ID)
    product_id = models.BigIntegerField("产品", default=NONE_ID)
    answers = models.PositiveIntegerField("答卷数", default=0)
    satisfied = models.PositiveIntegerField("满意数", default=0)

    class Meta:
        verbose_name = "满意度月汇总（产品）"
        verbose_name_plural = "满意度月汇总（产品）"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "questionnaire", "channel", "department_id", "product_id"],
                name="survey_month_product_key",
            ),
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("answers")), name="survey_month_product_sums"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 产品{self.product_id}"
