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
