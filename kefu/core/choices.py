"""Choices for shared mechanisms."""

from django.db import models


class CalendarDayKind(models.TextChoices):
    """节假日日历的日期类型."""

    WORKDAY = "workday", "工作日"
    HOLIDAY = "holiday", "法定节假日"
    ADJUSTED_WORKDAY = "adjusted_workday", "调休上班日"


class JobStatus(models.TextChoices):
    """后台任务的状态."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class JobKind(models.TextChoices):
    """后台任务的类型: "<app>.<name>"; the job page shows the result with "<app>/_job_<name>.html".

    Each module adds its long jobs here (roster solving, month close, reports…), as it adds its
    pages to the menu.
    """

    EMPLOYEE_IMPORT = "org.employee_import", "导入员工档案"
    CUSTOMER_IMPORT = "customers.customer_import", "导入客户档案"
    VISIT_PLANS = "visits.plan_generate", "生成回访计划"
    SURVEY_CAMPAIGN = "surveys.campaign", "满意度集中调查"
    ROSTER_SOLVE = "workforce.roster_solve", "自动排班"
    ATTENDANCE_IMPORT = "attendance.clock_import", "导入打卡记录"
    INCIDENT_IMPORT = "performance.incident_import", "汇总各模块奖惩事件"
    MONTH_CLOSE = "performance.month_close", "绩效月结"
    SALES_IMPORT = "sales.order_import", "导入销售订单"
