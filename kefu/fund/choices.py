"""Choices of the department fund — 部门基金的枚举."""

from django.db import models


class FundEntryKind(models.TextChoices):
    """部门基金流水类型 (PERF-7)."""

    FINE = "fine", "罚款收入"
    FINE_REVERSAL = "fine_reversal", "罚款冲销"
    INCOME = "income", "其他收入"
    SPENDING = "spending", "活动支出"


class FundEntryStatus(models.TextChoices):
    """Fines are effective at once; a spending waits for its approval chain."""

    PENDING = "pending", "待审批"
    EFFECTIVE = "effective", "已入账"
    REJECTED = "rejected", "已驳回"
    CANCELLED = "cancelled", "已撤回"
