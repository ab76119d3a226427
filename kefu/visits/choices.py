"""Choices of the return-visit domain — 回访 (AS-4, CRM-2, CRM-4)."""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    """回访来源: which rule asked for the visit."""

    WARRANTY = "warranty", "保修期回访"
    PROJECT = "project", "工程项目回访"
    AFTER_CLOSE = "after_close", "工单结案回访"


# Sources the plan generator owns: it may add and cancel their future planned tasks.
PLAN_SOURCES = (Source.WARRANTY.value, Source.PROJECT.value)


class TaskStatus(models.TextChoices):
    """回访任务状态."""

    PLANNED = "planned", "待回访"
    DONE = "done", "已回访"
    CANCELLED = "cancelled", "已取消"


class Outcome(models.TextChoices):
    """回访结果代码 (回访单)."""

    SATISFIED = "satisfied", "满意"
    DISSATISFIED = "dissatisfied", "不满意"
    PROBLEM = "problem", "发现问题"
    NO_ANSWER = "no_answer", "无人接听"
    WRONG_NUMBER = "wrong_number", "号码错误"
    REFUSED = "refused", "客户拒访"
    BUSY = "busy", "客户忙，约定再访"


# The customer was reached and gave an answer: these count as 已回访 for the rate (AS-4 100%).
REACHED = (Outcome.SATISFIED.value, Outcome.DISSATISFIED.value, Outcome.PROBLEM.value)
# These schedule another attempt per policy (no-answer retries).
RETRY = (Outcome.NO_ANSWER.value, Outcome.BUSY.value)


class FollowUp(models.TextChoices):
    """发现问题后的处理: a service request or a corrective action (AS-4 纠正措施)."""

    TICKET = "ticket", "转工单"
    CORRECTIVE = "corrective", "纠正措施"


class ActionStatus(models.TextChoices):
    """纠正措施状态."""

    OPEN = "open", "整改中"
    CLOSED = "closed", "已完成"


class CareStatus(models.TextChoices):
    """关怀任务状态 (CRM-2)."""

    PLANNED = "planned", "待执行"
    DONE = "done", "已完成"
