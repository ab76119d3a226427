"""Choices of the sales module — 销售与提成的枚举."""

from django.db import models


class LineSource(models.TextChoices):
    """销售明细来源: imported from the shop's order export, or entered by hand."""

    IMPORT = "import", "导入"
    MANUAL = "manual", "手工"


class InquirySource(models.TextChoices):
    """询单数来源 (PERF-2). ``import`` — the chat tool's count (imported, pushed through the API or
    entered by hand); ``tickets`` — the 咨询 service requests of the day, frozen by the month's
    close preparer. Per agent and day the chat tool's count wins when present."""

    IMPORT = "import", "聊天工具导入"
    TICKETS = "tickets", "工单统计"


class UnpaidStatus(models.TextChoices):
    """未付款订单的交易状态 (seed 000: 后台交易状态为“等待买家付款”的…需要及时催付)."""

    WAITING = "waiting", "等待买家付款"
    PAID = "paid", "已付款"
    CLOSED = "closed", "交易关闭"


class ChaseChannel(models.TextChoices):
    """催付方式. ``not_needed`` — the seed's first step: 首先检查买家是否有已付款订单; a buyer with
    another paid order needs no chasing, and recording that counts as handled in time."""

    WANGWANG = "wangwang", "旺旺"
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    OTHER = "other", "其他"
    NOT_NEEDED = "not_needed", "无需催付（买家已有已付款订单）"


class ChaseState(models.TextChoices):
    """What the 未付款订单 page shows and filters on (computed, not stored)."""

    PENDING = "pending", "待催付"
    CHASED = "chased", "已催付"
    PAID = "paid", "已付款"
    CLOSED = "closed", "交易关闭"
    LATE = "late", "超时未催付"
