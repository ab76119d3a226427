"""Attendance choices — 考勤: clock directions and sources, day statuses, correction states."""

from django.db import models


class Direction(models.TextChoices):
    """打卡类型: 上班 / 下班; an imported clock without a type is read by its position."""

    IN = "in", "上班"
    OUT = "out", "下班"
    UNKNOWN = "", "未标明"


class ClockSource(models.TextChoices):
    """打卡来源."""

    WEB = "web", "网页打卡"
    IMPORT = "import", "考勤机导入"
    CORRECTION = "correction", "补卡"


class DayStatus(models.TextChoices):
    """考勤结果 of one person-day (WFM-5). Ordered by severity in ``SEVERITY``."""

    NORMAL = "normal", "正常"
    LATE = "late", "迟到"
    EARLY = "early", "早退"
    LATE_EARLY = "late_early", "迟到早退"
    MISSED = "missed", "缺卡"
    ABSENT = "absent", "旷工"
    TRUANCY = "truancy", "旷班"
    LEAVE = "leave", "请假"
    REST = "rest", "休息"
    UNSCHEDULED = "unscheduled", "未排班"
    PENDING = "pending", "未打卡"


# Worst first: the day's status is the worst of what was found.
SEVERITY: tuple[str, ...] = (
    DayStatus.TRUANCY,
    DayStatus.ABSENT,
    DayStatus.MISSED,
    DayStatus.LATE_EARLY,
    DayStatus.LATE,
    DayStatus.EARLY,
    DayStatus.NORMAL,
)

STATUS_TAGS: dict[str, str] = {
    DayStatus.NORMAL: "tag-green",
    DayStatus.LATE: "tag-red",
    DayStatus.EARLY: "tag-red",
    DayStatus.LATE_EARLY: "tag-red",
    DayStatus.MISSED: "tag-blue",
    DayStatus.ABSENT: "tag-red",
    DayStatus.TRUANCY: "tag-red",
    DayStatus.LEAVE: "",
    DayStatus.REST: "",
    DayStatus.UNSCHEDULED: "",
    DayStatus.PENDING: "tag-blue",
}


class IncidentRule(models.TextChoices):
    """考勤事件 handed to the performance module (``kefu.workforce.incidents``)."""

    LATE = "late", "迟到"
    EARLY_LEAVE = "early_leave", "早退"
    ABSENCE = "absence", "旷工"
    TRUANCY = "truancy", "旷班"
    MISSED_CLOCK = "missed_clock", "缺卡未补（脱岗）"


class CorrectionStatus(models.TextChoices):
    """补卡申请状态."""

    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    CANCELLED = "cancelled", "已撤回"


CORRECTION_TAGS: dict[str, str] = {
    CorrectionStatus.PENDING: "tag-blue",
    CorrectionStatus.APPROVED: "tag-green",
    CorrectionStatus.REJECTED: "tag-red",
    CorrectionStatus.CANCELLED: "",
}
