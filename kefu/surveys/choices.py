"""Survey choices — 满意度调查的选项: question kinds, version states, channels, invitation states."""

from __future__ import annotations

from django.db import models


class QuestionKind(models.TextChoices):
    """题型: a 1–5 rating, one choice, several choices, or free text."""

    RATING = "rating", "评分（1–5）"
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    TEXT = "text", "文字"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
RATING_MIN, RATING_MAX = 1, 5


class VersionStatus(models.TextChoices):
    """问卷版本状态: a draft may change; a published version never does (answers point at it)."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class Channel(models.TextChoices):
    """调查方式 (CRM-3): 电话、信函、现场、传真、e-mail, and the public web link."""

    PHONE = "phone", "电话"
    LETTER = "letter", "信函"
    ON_SITE = "on_site", "现场"
    FAX = "fax", "传真"
    EMAIL = "email", "电子邮件"
    WEB = "web", "网页"


class Source(models.TextChoices):
    """调查来源: after a closed request, a concentrated campaign, or entered by hand."""

    TICKET_CLOSED = "ticket_closed", "工单结案后"
    CAMPAIGN = "campaign", "集中调查"
    MANUAL = "manual", "手工发起"


class InvitationStatus(models.TextChoices):
    """邀请状态 as shown: no link yet, link sent, answered, link expired (computed for 已过期)."""

    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    ANSWERED = "answered", "已答复"
    EXPIRED = "expired", "已过期"


class CampaignStatus(models.TextChoices):
    """集中调查的执行状态 (background job)."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
