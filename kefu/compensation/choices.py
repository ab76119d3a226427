"""Choices of the compensation module — 投诉赔偿的枚举 (CMP-9)."""

from django.db import models


class Basis(models.TextChoices):
    """分摊依据: the finding named the person (its explicit share), or the unit's share by 基点数."""

    BASE_POINTS = "base_points", "按基点分摊"
    FINDING_SHARE = "finding_share", "认定比例"


class CompensationStatus(models.TextChoices):
    """赔偿状态: still being deducted month by month, or fully deducted."""

    OPEN = "open", "未扣完"
    PAID = "paid", "已扣完"
