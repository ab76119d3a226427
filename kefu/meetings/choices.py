"""Meetings choices — 例会与带教 kinds and states."""

from django.db import models


class MeetingKind(models.TextChoices):
    """例会类型 (WFM-9)."""

    WEEKLY = "weekly", "周例会"
    MORNING = "morning", "晨会"
    NOON_TRAINING = "noon_training", "午会培训"
    SHIFT = "shift", "班务会"
    ALL_HANDS = "all_hands", "全员大会"
    PRODUCT = "product", "新品培训会"
    OTHER = "other", "其他"


class Recurrence(models.TextChoices):
    """重复方式: weekly on a weekday, every workday (holiday calendar), monthly, once."""

    WEEKLY = "weekly", "每周"
    WORKDAYS = "workdays", "每个工作日"
    MONTHLY = "monthly", "每月"
    ONCE = "once", "单次"


WEEKDAYS = (
    (0, "星期一"),
    (1, "星期二"),
    (2, "星期三"),
    (3, "星期四"),
    (4, "星期五"),
    (5, "星期六"),
    (6, "星期日"),
)


class OccurrenceStatus(models.TextChoices):
    """会议场次状态."""

    PLANNED = "planned", "待召开"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class AttendanceStatus(models.TextChoices):
    """例会出勤 (WFM-9): 缺席 without leave asked in time is an incident."""

    PRESENT = "present", "出席"
    LATE = "late", "迟到"
    ABSENT = "absent", "缺席"
    LEAVE = "leave", "请假"
    EXCUSED = "excused", "免出席"


class AttendanceSource(models.TextChoices):
    """出勤记录来源."""

    HOST = "host", "主持人登记"
    SELF = "self", "本人请假"
    ROSTER = "roster", "排班请假/休息"


class MentorshipStatus(models.TextChoices):
    """带教状态 (WFM-10)."""

    ACTIVE = "active", "带教中"
    QUALIFIED = "qualified", "已出师"
    ENDED = "ended", "已终止"


class TrainingKind(models.TextChoices):
    """培训类型 (WFM-10)."""

    MENTORING = "mentoring", "带教培训"
    ONBOARDING = "onboarding", "岗前培训"
    PRODUCT = "product", "新品培训"
    OTHER = "other", "其他培训"
