"""Returns and exchanges — 退换货 (AS-5..9): the case, its ledger, the transfer ledger.

Rows are written by ``services`` only; the stage rules are ``workflow``, the freight rules
``rules``. The constraints repeat what a single row can say of those rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    CaseType,
    ClaimStatus,
    ContactOutcome,
    LedgerKind,
    Payer,
    RefundMethod,
    Stage,
    TransferStatus,
)

ZERO = Decimal("0")
_USER = settings.AUTH_USER_MODEL


def _user_fk(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        _USER, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class ReturnDayCounter(models.Model):
    """Daily sequence of 退换货单号 (``TH20261122-0001``)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReturnCase(models.Model):
    """ReturnCase — 退换货单 (AS-5..9): one return, exchange, interception, or parcel problem.

    Holds the 售后服务卡 data (the customer's ID, contact, reason, wanted item), the freight terms
    decided at registration (``quality_fault`` → who pays, via ``rules.freight_terms``), the
    logistics of each leg, the warehouse inspection, the refund or reshipment, and a supervisor's
    approval when an exchange goes out before the return arrives.
    """

    number = models.CharField("退换货单号", max_length=20, unique=True)
    case_type = models.CharField("类型", max_length=20, choices=CaseType.choices)
    stage = models.CharField(
        "处理环节", max_length=20, choices=Stage.choices, default=Stage.REGISTERED
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="客户",
        on_delete=models.PROTECT,
        related_name="return_cases",
    )
    # 所属部门/班组 (ORG-5 data scope): the registering person's, so 主管 see their department's
    # cases, 组长 their team's; set by ``returncase_create``.
    department = models.ForeignKey(
        "org.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name="所属班组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_cases",
    )
    order_no = models.CharField("订单号", max_length=40, blank=True)
    reason = models.CharField("退换原因", max_length=30)
    reason_detail = models.TextField("原因说明", blank=True)
    quality_fault = models.BooleanField("质量问题", default=False)
    return_freight_payer = models.CharField(
        "退回运费承担", max_length=10, choices=Payer.choices, default=Payer.NONE
    )
    reship_freight_payer = models.CharField(
        "寄出运费承担", max_length=10, choices=Payer.choices, default=Payer.NONE
    )
    freight_refund_due = models.BooleanField("收货后返还运费", default=False)
    # 售后服务卡 ([004]): id, 联系方式, 退换原因, 要更换的商品信息.
    card_customer_ref = models.CharField("客户ID/订单", max_length=60, blank=True)
    card_contact = models.CharField("联系方式", max_length=60, blank=True)
    card_reason = models.CharField("退换原因（售后卡）", max_length=200, blank=True)
    card_wanted_item = models.CharField("要更换的商品", max_length=200, blank=True)
    # Logistics.
    original_tracking_no = models.CharField("原发货单号", max_length=40, blank=True)
    return_tracking_no = models.CharField("退回快递单号", max_length=40, blank=True)
    courier = models.CharField("快递公司", max_length=40, blank=True)
    missing_items = models.JSONField("缺少的商品", default=list, blank=True)
    claim_no = models.CharField("索赔单号", max_length=40, blank=True)
    claim_amount = models.DecimalField("索赔金额", max_digits=12, decimal_places=2, default=ZERO)
    claim_status = models.CharField(
        "索赔状态", max_length=10, choices=ClaimStatus.choices, blank=True, default=""
    )
    forward_tracking_no = models.CharField("转件单号", max_length=40, blank=True)
    forward_note = models.CharField("转件情况", max_length=200, blank=True)
    contact_outcome = models.CharField(
        "联系结果", max_length=10, choices=ContactOutcome.choices, blank=True
    )
    contact_note = models.CharField("联系记录", max_length=200, blank=True)
    # 退件单 (AS-6).
    slip_issued_at = models.DateTimeField("退件单出单时间", null=True, blank=True)
    parcel_back_at = models.DateTimeField("原包裹收到时间", null=True, blank=True)
    parcel_back_by = _user_fk("原包裹签收人（订单员）")
    # 仓库验收 (AS-5).
    received_on = models.DateField("收货日期", null=True, blank=True)
    received_by = _user_fk("收货人")
    condition = models.CharField("货品状况", max_length=200, blank=True)
    inspection_passed = models.BooleanField("验收结果", null=True, blank=True)
    inspected_by = _user_fk("验货人")
    inspected_at = models.DateTimeField("验收时间", null=True, blank=True)
    inspection_notes = models.TextField("验收备注", blank=True)
    # 退款 / 发出.
    refund_amount = models.DecimalField("退款金额", max_digits=12, decimal_places=2, default=ZERO)
    refund_method = models.CharField(
        "退款方式", max_length=20, choices=RefundMethod.choices, blank=True
    )
    refunded_at = models.DateTimeField("退款时间", null=True, blank=True)
    reship_tracking_no = models.CharField("发出快递单号", max_length=40, blank=True)
    reship_courier = models.CharField("发出快递公司", max_length=40, blank=True)
    reshipped_at = models.DateTimeField("发出时间", null=True, blank=True)
    reship_ready_at = models.DateTimeField("可发货时间", null=True, blank=True)
    arrived_on = models.DateField("送达日期", null=True, blank=True)
    # 发货时限 (AS-8) bookkeeping of the periodic scan (``services.clock``): the next instant the
    # 24/48 h clock reaches a step not yet notified (None when nothing can happen), and the steps
    # already notified ("late": past 24 h; "breach": past 48 h), so each is sent once.
    ship_check_at = models.DateTimeField("下次发货时限检查", null=True, blank=True)
    ship_notified = models.JSONField("已发送的发货时限通知", default=list, blank=True)
    # 主管批准先发货 ([004] 特殊情况需跟主管商量经过批准).
    early_reship_approved_by = _user_fk("批准先发货主管")
    early_reship_approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    early_reship_reason = models.TextField("批准理由", blank=True)
    cancel_reason = models.TextField("取消原因", blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_on = models.DateField("登记日期")
    created_by = _user_fk("登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    stage_changed_at = models.DateTimeField("环节变更时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "退换货单"
        verbose_name_plural = "退换货单"
        ordering = ["-id"]
        permissions = [
            ("inspect_returncase", "仓库验收退换货"),
            ("confirm_parcel_back", "签收原包裹（订单员）"),
            ("approve_early_reship", "批准退货未收到先发货"),
            ("export_returncase", "导出退换货单"),
        ]
        indexes = [
            models.Index(fields=["stage", "-id"], name="returncase_stage_idx"),
            models.Index(fields=["case_type", "-id"], name="returncase_type_idx"),
            models.Index(fields=["customer", "-id"], name="returncase_customer_idx"),
            models.Index(fields=["order_no"], name="returncase_order_idx"),
            models.Index(fields=["return_tracking_no"], name="returncase_rtrack_idx"),
            models.Index(fields=["reship_tracking_no"], name="returncase_strack_idx"),
            models.Index(fields=["created_on"], name="returncase_created_idx"),
            models.Index(fields=["department", "-id"], name="returncase_dept_idx"),
            models.Index(
                fields=["ship_check_at"],
                name="returncase_shipcheck_idx",
                condition=Q(ship_check_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(case_type__in=CaseType.values), name="returncase_type"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="returncase_stage"),
            models.CheckConstraint(condition=~Q(reason=""), name="returncase_reason"),
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="returncase_refund_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(claim_amount__gte=0), name="returncase_claim_nonneg"
            ),
            # A reshipped case has its new tracking number.
            models.CheckConstraint(
                condition=~Q(stage=Stage.RESHIPPED) | ~Q(reship_tracking_no=""),
                name="returncase_reshipped_tracked",
            ),
            # An approval always names its supervisor and reason.
            models.CheckConstraint(
                condition=Q(early_reship_approved_at__isnull=True)
                | (Q(early_reship_approved_by__isnull=False) & ~Q(early_reship_reason="")),
                name="returncase_approval_reasoned",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.INSPECTED_PASS, Stage.INSPECTED_FAIL])
                | Q(inspection_passed__isnull=False),
                name="returncase_inspected_result",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.REFUNDED, Stage.COMPLETED, Stage.CANCELLED)


class ReturnLedgerEntry(models.Model):
    """ReturnLedgerEntry — 差价与运费台账 (AS-9): one amount of money on a case."""

    case = models.ForeignKey(
        ReturnCase, verbose_name="退换货单", on_delete=models.CASCADE, related_name="ledger"
    )
    kind = models.CharField("项目", max_length=20, choices=LedgerKind.choices)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = _user_fk("登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "差价与运费台账"
        verbose_name_plural = "差价与运费台账"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LedgerKind.values), name="returnledger_kind"
            ),
            # Only a price difference may be negative (the company pays the difference back).
            models.CheckConstraint(
                condition=Q(kind=LedgerKind.PRICE_DIFFERENCE) | Q(amount__gte=0),
                name="returnledger_amount_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class TransferEntry(models.Model):
    """TransferEntry — 银行转账登记 (AS-8, [004] 银行转账明细表): a refund by bank transfer, tracked."""

    case = models.ForeignKey(
        ReturnCase, verbose_name="退换货单", on_delete=models.PROTECT, related_name="transfers"
    )
    payee = models.CharField("收款人", max_length=60)
    bank = models.CharField("开户行", max_length=60)
    account = models.CharField("账号", max_length=40)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    status = models.CharField(
        "状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    paid_on = models.DateField("转账日期", null=True, blank=True)
    reference = models.CharField("转账流水号", max_length=60, blank=True)
    paid_by = _user_fk("经办人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "转账登记"
        verbose_name_plural = "转账登记"
        ordering = ["status", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_pos"),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.PENDING) | Q(paid_on__isnull=False),
                name="transfer_paid_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"
