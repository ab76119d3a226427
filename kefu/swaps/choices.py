"""换班 choices — states of a swap request and of its payback (还班)."""

from django.db import models


class SwapKind(models.TextChoices):
    """换班 or 还班: a payback arranged after the swap is a request of its own (same flow)."""

    SWAP = "swap", "换班"
    PAYBACK = "payback", "还班"


class SwapStatus(models.TextChoices):
    """换班申请状态 (WFM-3): the colleague agrees, then the approval chain decides."""

    AWAITING_COLLEAGUE = "colleague", "待同事确认"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DECLINED = "declined", "已拒绝"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤销"


# Requests that hold their days: they count towards the monthly cap and block leave and other
# swaps on the same or adjacent days.
ACTIVE_STATUSES = (SwapStatus.AWAITING_COLLEAGUE, SwapStatus.PENDING, SwapStatus.APPROVED)
OPEN_STATUSES = (SwapStatus.AWAITING_COLLEAGUE, SwapStatus.PENDING)


class PaybackStatus(models.TextChoices):
    """还班状态 of an approved swap (computed from the payback day and the deadline)."""

    DUE = "due", "待还班"
    DONE = "done", "已还班"
    OVERDUE = "overdue", "逾期"
