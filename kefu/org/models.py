"""Organisation — 组织架构 (ORG-1..3): departments, teams, positions and employees."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import ApprovalState, EmployeeStatus, Level, Speciality


class Department(models.Model):
    """Department — 部门 (ORG-1): a node of the company tree."""

    name = models.CharField("名称", max_length=60)
    code = models.CharField("编码", max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Employee",
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_sibling_name_uniq"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="department_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """Team — 班组 (ORG-1): a group inside a department, led by a 组长."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField("名称", max_length=60)
    leader = models.ForeignKey(
        "Employee",
        verbose_name="组长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "班组"
        verbose_name_plural = "班组"
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_department_name_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.department.name}/{self.name}"


class Position(models.Model):
    """Position — 职位 (ORG-2), with its rank on the reporting line."""

    name = models.CharField("名称", max_length=40, unique=True)
    level = models.CharField("职级", max_length=20, choices=Level.choices, default=Level.AGENT)

    class Meta:
        verbose_name = "职位"
        verbose_name_plural = "职位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """Employee — 员工 (ORG-3): one person, one personal login, one 工号."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        related_name="employee",
    )
    employee_no = models.CharField("工号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机号", max_length=20, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    hire_date = models.DateField("入职日期")
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="employees"
    )
    team = models.ForeignKey(
        Team,
        verbose_name="班组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    superior = models.ForeignKey(
        "self",
        verbose_name="直接上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )
    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.PROTECT, related_name="employees"
    )
    speciality = models.CharField(
        "专长", max_length=20, choices=Speciality.choices, blank=True, default=""
    )
    base_points = models.DecimalField("基点数", max_digits=8, decimal_places=2, default=1)
    monthly_bonus = models.DecimalField("月绩效奖金", max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        "状态", max_length=10, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE
    )
    left_on = models.DateField("离职日期", null=True, blank=True)

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        ordering = ["employee_no"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(base_points__gte=0), name="employee_points_nonneg"),
            models.CheckConstraint(condition=Q(monthly_bonus__gte=0), name="employee_bonus_nonneg"),
            models.CheckConstraint(
                condition=~Q(superior=F("id")), name="employee_not_own_superior"
            ),
            models.CheckConstraint(
                condition=Q(status=EmployeeStatus.ACTIVE, left_on__isnull=True)
                | Q(status=EmployeeStatus.LEFT, left_on__isnull=False),
                name="employee_left_has_date",
            ),
        ]
        permissions = [
            ("import_employee", "导入导出员工"),
            ("manage_roles", "分配角色"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_no} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == EmployeeStatus.ACTIVE


class ApprovalStep(models.Model):
    """ApprovalStep — 审批环节 (ORG-4): one approver's turn on a request (请假, 换班, 补卡, 奖罚 …).

    A request's steps are created together from ``approval_chain`` (the reporting line, never
    skipping a level); only the step at the front is 待审批. The title and link are stored so the
    approver's inbox (待我审批) needs nothing from the request's own module. Written only by
    ``kefu.org.approval_flow``.
    """

    kind = models.CharField("审批类型", max_length=30)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="申请类型", on_delete=models.CASCADE
    )
    subject_id = models.PositiveBigIntegerField("申请编号")
    position = models.PositiveSmallIntegerField("顺序")
    applicant = models.ForeignKey(
        Employee, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        Employee, verbose_name="审批人", on_delete=models.PROTECT, related_name="approval_steps"
    )
    state = models.CharField(
        "状态", max_length=10, choices=ApprovalState.choices, default=ApprovalState.WAITING
    )
    title = models.CharField("事项", max_length=200)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["subject_type_id", "subject_id", "position"]
        indexes = [
            models.Index(fields=["approver", "state"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "position"], name="approval_step_uniq"
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True)
                | Q(state__in=["approved", "rejected", "cancelled"]),
                name="approval_step_decided_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.approver_id} · {self.get_state_display()}"
