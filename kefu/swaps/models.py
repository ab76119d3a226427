"""换班 models — ShiftSwap (换班申请, WFM-3).

A swap exchanges the two people's cells of the published roster on ``day`` (the applicant gives
their shift, the colleague gives what they had — usually a rest day). It must be paid back
(还班): either on ``payback_day`` in the same request (a second exchange, applied with the first),
or later by a payback request (``kind = payback``, ``payback_of`` the swap) before
``payback_due``. The codes both people had before the swap are kept, so the page shows what
changed and a final approval refuses a request whose roster has changed since.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from kefu.org.models import Employee, Team

from .choices import PaybackStatus, SwapKind, SwapStatus


class ShiftSwap(models.Model):
    """ShiftSwap — 换班申请 (WFM-3): agent asks, colleague agrees, the approval chain decides,
    the roster changes on final approval."""

    kind = models.CharField("类型", max_length=10, choices=SwapKind.choices, default=SwapKind.SWAP)
    applicant = models.ForeignKey(
        Employee, verbose_name="申请人", on_delete=models.PROTECT, related_name="swaps_applied"
    )
    colleague = models.ForeignKey(
        Employee, verbose_name="换班同事", on_delete=models.PROTECT, related_name="swaps_received"
    )
    team = models.ForeignKey(Team, verbose_name="班组", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("换班日期")
    applicant_code = models.CharField("申请人原班次", max_length=20)
    colleague_code = models.CharField("同事原班次", max_length=20)
    payback_day = models.DateField("还班日期", null=True, blank=True)
    payback_applicant_code = models.CharField("还班日申请人原班次", max_length=20, blank=True)
    payback_colleague_code = models.CharField("还班日同事原班次", max_length=20, blank=True)
    payback_due = models.DateField("还班期限", null=True, blank=True)
    payback_of = models.ForeignKey(
        "self",
        verbose_name="所还换班",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paybacks",
    )
    paid_back_on = models.DateField("还班日（已排入排班表）", null=True, blank=True)
    # 还班逾期提醒 sent (once) to both people and their team lead.
    overdue_notified_on = models.DateField("逾期提醒日", null=True, blank=True)
    reason = models.CharField("换班原因", max_length=300)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=SwapStatus.choices,
        default=SwapStatus.AWAITING_COLLEAGUE,
    )
    decline_reason = models.CharField("拒绝原因", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    colleague_decided_at = models.DateTimeField("同事确认时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "换班申请"
        verbose_name_plural = "换班申请"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["applicant", "day"]),
            models.Index(fields=["colleague", "day"]),
            models.Index(fields=["team", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(applicant=models.F("colleague")), name="swap_not_self"
            ),
            models.CheckConstraint(
                condition=Q(payback_day__isnull=True) | Q(payback_day__gt=models.F("day")),
                name="swap_payback_after_day",
            ),
        ]
        permissions = [("view_team_shiftswap", "查看班组换班")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.applicant_id}↔{self.colleague_id} {self.day}"

    @property
    def number(self) -> str:
        """换班单号 shown on pages: HB + six digits."""
        return f"HB{self.pk or 0:06d}"

    def payback_state(self, today: dt.date) -> str:
        """还班状态 of an approved swap on ``today``: "" when it does not apply."""
        from .rules import payback_status

        if self.kind != SwapKind.SWAP or self.status != SwapStatus.APPROVED:
            return ""
        return payback_status(self.paid_back_on, self.payback_due, today)

    def payback_state_label(self, today: dt.date) -> str:
        state = self.payback_state(today)
        return PaybackStatus(state).label if state else ""
