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


# A cell note starting with this marks a 休息 cell given back by 销假 (early return from leave)
# whose original shift is not known: the team lead is asked to fill it (the grid marks it).
TO_FILL_NOTE = "待排班"


class CoverageSource(models.TextChoices):
    """人员配置需求来源."""

    MANUAL = "manual", "手工录入"
    STAFFING = "staffing", "话务量测算"
    TEMPLATE = "template", "按周模板"
