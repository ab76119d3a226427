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
