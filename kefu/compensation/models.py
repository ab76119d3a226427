"""投诉赔偿与处分扣款 models — Compensation (赔偿) and CompensationInstalment (分期扣款) (CMP-9).

A closed complaint's responsibility finding with a loss becomes one Compensation per responsible
person: the finding's explicit share when it names a person (认定比例), else the unit's share split
by 基点数 (按基点分摊). Each month the close books at most the cap (50 % of 月绩效奖金, all of the
person's compensations together, oldest first) as instalments; the rest is carried over.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from .choices import Basis, CompensationStatus

ZERO = Decimal("0")


class Compensation(models.Model):
    """Compensation — 赔偿: what one person owes for one responsibility finding (CMP-9).

    ``month`` is the finding's closing month (the first month it may be deducted in). The
    allocation basis is kept as it was computed: the unit's name and total 基点数 and the
    person's 基点数 at import, so the figure can be explained later.
    """

    employee = models.ForeignKey(
        "org.Employee",
        verbose_name="责任人",
        on_delete=models.PROTECT,
        related_name="compensations",
    )
    finding = models.ForeignKey(
        "complaints.ResponsibilityFinding",
        verbose_name="责任认定",
        on_delete=models.PROTECT,
        related_name="compensations",
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name="投诉", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("认定月份")
    amount = models.DecimalField("赔偿金额", max_digits=12, decimal_places=2)
    basis = models.CharField("分摊依据", max_length=20, choices=Basis.choices)
    unit_name = models.CharField("责任单位", max_length=120, blank=True)
    unit_base_points = models.DecimalField(
        "责任单位总基点数", max_digits=10, decimal_places=2, default=ZERO
    )
    base_points = models.DecimalField("个人基点数", max_digits=8, decimal_places=2, default=ZERO)
    status = models.CharField(
        "状态", max_length=20, choices=CompensationStatus.choices, default=CompensationStatus.OPEN
    )
    created_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "赔偿"
        verbose_name_plural = "赔偿"
        ordering = ["-month", "employee_id", "id"]
        permissions = [
            ("view_team_compensation", "查看本范围赔偿"),
            ("import_compensation", "导入责任认定"),
        ]
        indexes = [
            models.Index(fields=["month", "status"], name="comp_month_status_idx"),
            models.Index(fields=["employee", "status"], name="comp_emp_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["finding", "employee"], name="comp_once_per_finding"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="comp_amount_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="comp_month_first_day"),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="comp_basis_valid"),
            models.CheckConstraint(
                condition=Q(status__in=CompensationStatus.values), name="comp_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit_base_points__gte=0) & Q(base_points__gte=0),
                name="comp_points_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m} ¥{self.amount}"


class CompensationInstalment(models.Model):
    """CompensationInstalment — 分期扣款: what a compensation takes from one month's pay."""

    compensation = models.ForeignKey(
        Compensation, verbose_name="赔偿", on_delete=models.CASCADE, related_name="instalments"
    )
    month = models.DateField("扣款月份")
    amount = models.DecimalField("扣款金额", max_digits=12, decimal_places=2)
    created_at = models.DateTimeField("入账时间")

    class Meta:
        verbose_name = "分期扣款"
        verbose_name_plural = "分期扣款"
        ordering = ["month", "compensation_id"]
        indexes = [models.Index(fields=["month"], name="comp_inst_month_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["compensation", "month"], name="comp_instalment_once_a_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="comp_instalment_positive"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="comp_instalment_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compensation_id} {self.month:%Y-%m} ¥{self.amount}"
