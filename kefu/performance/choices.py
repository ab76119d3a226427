"""Choices of the performance ledger — 绩效奖惩的枚举."""

from django.db import models


class IncidentStatus(models.TextChoices):
    """奖惩事件状态. Only *counted* entries (confirmed, appealed, revoked + their reversal) move a
    score card or the money; a proposed one waits for a team lead or supervisor to confirm it."""

    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    APPEALED = "appealed", "申诉中"
    REVOKED = "revoked", "已撤销"


# Statuses whose points and money count. A revoked original stays counted: its reversal entry
# (status confirmed, ``reverses`` set) cancels it, so a closed month is never edited.
COUNTED_STATUSES = (IncidentStatus.CONFIRMED, IncidentStatus.APPEALED, IncidentStatus.REVOKED)


class IncidentCategory(models.TextChoices):
    """Kind of a catalogue rule / ledger line (PERF-5, PERF-6, PERF-10)."""

    DEDUCTION = "deduction", "扣分"
    ADDITION = "addition", "加分"
    FINE = "fine", "罚款"
    REWARD = "reward", "奖励"
    SANCTION = "sanction", "处分"
    REVERSAL = "reversal", "冲销"


class IncidentSource(models.TextChoices):
    """Where a ledger line came from: recorded by hand or read from another module."""

    MANUAL = "manual", "手工登记"
    ATTENDANCE = "attendance", "考勤"
    HANDOVER = "handover", "交接班"
    PRESENCE = "presence", "在线状态"
    MEETINGS = "meetings", "例会"
    MENTORING = "mentoring", "带教"
    COMPLAINT = "complaint", "投诉责任认定"
    SALES = "sales", "销售排名"
    RETURN_VISIT = "return_visit", "回访排名"
    CORRECTION = "correction", "更正"


class AppealStatus(models.TextChoices):
    """申诉状态 — the manager decides (维持 / 撤销 / 更正)."""

    PENDING = "pending", "待处理"
    UPHELD = "upheld", "维持原判"
    REVOKED = "revoked", "撤销"
    CORRECTED = "corrected", "更正"


class MonthCloseStatus(models.TextChoices):
    """月结状态 (CMP-7, PERF-8): open → 经理已审核 (submitted to the GM) → closing (job) → 已结账."""

    OPEN = "open", "未结账"
    REVIEWED = "reviewed", "经理已审核"
    CLOSING = "closing", "结账中"
    CLOSED = "closed", "已结账"


class Scheme(models.TextChoices):
    """考核方案 (PERF-4): the 100-point scale or the 10-point scale, chosen per department."""

    POINTS100 = "points100", "百分制"
    POINTS10 = "points10", "十分制"
