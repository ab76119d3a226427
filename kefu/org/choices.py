"""Choices for the organisation — 组织架构."""

from django.db import models


class Level(models.TextChoices):
    """职级: rank along the reporting line, used by approval chains (ORG-4)."""

    AGENT = "agent", "员工"
    TEAM_LEAD = "team_lead", "组长"
    SUPERVISOR = "supervisor", "主管"
    DEPARTMENT_HEAD = "department_head", "部门经理"
    DEPUTY_GM = "deputy_gm", "副总经理"
    GM = "gm", "总经理"


LEVEL_RANK: dict[str, int] = {level.value: rank for rank, level in enumerate(Level)}


class Speciality(models.TextChoices):
    """客服代表专长 (ORG-2)."""

    NONE = "", "无"
    PRESALES = "presales", "售前"
    AFTERSALES = "aftersales", "售后"
    ORDER_ENTRY = "order_entry", "订单受理/打单"
    COMPLAINTS = "complaints", "投诉受理"
    RETURN_VISIT = "return_visit", "回访员"


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    LEFT = "left", "离职"


class Role(models.TextChoices):
    """系统角色: each is a Django group with its permissions and a data scope (ORG-5)."""

    AGENT = "agent", "客服代表"
    TEAM_LEAD = "team_lead", "组长"
    SUPERVISOR = "supervisor", "客服主管"
    CS_MANAGER = "cs_manager", "客服部经理"
    HR = "hr", "行政人事部"
    DEPUTY_GM = "deputy_gm", "副总经理"
    GM = "gm", "总经理"
    WAREHOUSE = "warehouse", "仓库管理员"
    AFTER_SALES = "after_sales", "售后专员"
    RETURN_VISITOR = "return_visitor", "回访员"
    ORDER_CLERK = "order_clerk", "订单员"
    SYSADMIN = "sysadmin", "系统管理员"


class Scope(models.IntegerChoices):
    """数据范围, ordered from narrow to wide so the widest of a user's roles wins."""

    OWN = 1, "本人"
    TEAM = 2, "本班组"
    DEPARTMENT = 3, "本部门"
    ALL = 4, "全部"


class ApprovalState(models.TextChoices):
    """审批环节状态 (ORG-4): steps wait their turn; exactly one is pending while in progress."""

    WAITING = "waiting", "待上一级"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已驳回"
    CANCELLED = "cancelled", "已撤销"
