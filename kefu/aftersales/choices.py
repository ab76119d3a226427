"""Choices of the after-sales domain — 售后服务 (AS-1..4)."""

from __future__ import annotations

from django.db import models


class InstallationKind(models.TextChoices):
    """安装记录类型: a product sold (one serial number) or a delivered project (工程项目).

    AS-4 visits them differently: products in warranty every 2 months, projects monthly in their
    first year and quarterly after.
    """

    PRODUCT = "product", "产品"
    PROJECT = "project", "工程项目"


class PriceKind(models.TextChoices):
    """价目类别 (AS-1): a spare part (配件) or labour (工时), charged outside warranty."""

    PART = "part", "配件"
    LABOUR = "labour", "工时"


class RepairStatus(models.TextChoices):
    """维修单状态 (AS-2): 已报修 → 已派工 → 已到场 → 已修复 / 已装备用机 → 客户已签收 → 已关闭.

    远程解决 (TKT-8) is the branch where the fault is cleared without a visit.
    """

    REPORTED = "reported", "已报修"
    ASSIGNED = "assigned", "已派工"
    ARRIVED = "arrived", "已到场"
    FIXED = "fixed", "已修复"
    SPARE = "spare", "已装备用机"
    REMOTE = "remote", "远程解决"
    SIGNED_OFF = "signed_off", "客户已签收"
    CLOSED = "closed", "已关闭"


OPEN_REPAIR_STATUSES: tuple[str, ...] = tuple(
    s for s in RepairStatus.values if s != RepairStatus.CLOSED
)


class ClockKey(models.TextChoices):
    """维修时限 (AS-2): the three clocks started at the fault report."""

    ARRIVAL = "arrival", "到场时限"
    FIXED = "fixed", "修复时限"
    SPARE = "spare", "备品替代时限"
