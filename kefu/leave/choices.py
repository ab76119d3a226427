"""请假 choices — states of a leave request."""

from django.db import models


class LeaveStatus(models.TextChoices):
    """请假状态 (WFM-4): approved leave is reported back (销假) on return."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤销"
    RETURNED = "returned", "已销假"


# Requests that hold their days (no swap on them, balance reserved, fixed for the solver).
HOLDING_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED, LeaveStatus.RETURNED)
# Requests whose days are taken from a balance.
TAKEN_STATUSES = (LeaveStatus.APPROVED, LeaveStatus.RETURNED)


class LeavePart(models.TextChoices):
    """Which half of the shift a leave of half a day or less covers (按小时请假)."""

    START = "start", "上半班（晚到）"
    END = "end", "下半班（早走）"
