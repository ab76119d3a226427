"""Choices for shared mechanisms."""

from django.db import models


class CalendarDayKind(models.TextChoices):
    """节假日日历的日期类型."""

    WORKDAY = "workday", "工作日"
    HOLIDAY = "holiday", "法定节假日"
    ADJUSTED_WORKDAY = "adjusted_workday", "调休上班日"
