"""Workforce choices — 排班 states and sources."""

from django.db import models


class RosterStatus(models.TextChoices):
    """排班表状态 (WFM-2): a draft is edited, published is frozen, a re-issue withdraws the old."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class EntrySource(models.TextChoices):
    """排班明细来源: who put this code in this cell."""

    SOLVER = "solver", "自动排班"
    MANUAL = "manual", "手工调整"
    IMPORT = "import", "Excel导入"
    LEAVE = "leave", "请假"
    SWAP = "swap", "换班"
    CARRY = "carry", "沿用上一版"


class CoverageSource(models.TextChoices):
    """人员配置需求来源."""

    MANUAL = "manual", "手工录入"
    STAFFING = "staffing", "话务量测算"
    TEMPLATE = "template", "按周模板"
