"""Duty choices — 交接班与在线 states."""

from django.db import models


class HandoverStatus(models.TextChoices):
    """交接班记录状态 (WFM-7): waits for the incoming agents' 接班确认."""

    PENDING = "pending", "待接班"
    ACKNOWLEDGED = "acknowledged", "已接班"


class FlagKind(models.TextChoices):
    """交接班异常 (WFM-7): each one is an incident for the person unless waived."""

    MISSING = "missing", "未交班"
    UNACKNOWLEDGED = "unacknowledged", "超时未接班"


class PresenceStatus(models.TextChoices):
    """在线状态 (WFM-8): 离开 on breaks; 离线 and 隐身 during duty are violations."""

    ONLINE = "online", "在线"
    AWAY = "away", "离开"
    HIDDEN = "hidden", "隐身"
    OFFLINE = "offline", "离线"


# Statuses that count as "not reachable" during a rostered shift (WFM-8 离线或隐身).
UNREACHABLE = frozenset({PresenceStatus.OFFLINE.value, PresenceStatus.HIDDEN.value})
# What a person may pick in the top-bar widget; 隐身 is reported by the chat tool's API.
WIDGET_STATUSES = (PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.OFFLINE)


class PresenceSource(models.TextChoices):
    """状态来源: the page, the chat tool's API, or set by a supervisor's integration."""

    WEB = "web", "网页"
    API = "api", "聊天工具接口"
    SUPERVISOR = "supervisor", "主管设置"


class ViolationStatus(models.TextChoices):
    """当班离线记录: counted unless a lead accepts the reason (WFM-8 "无特别原因")."""

    COUNTED = "counted", "计次"
    EXCUSED = "excused", "已说明原因"
