"""Choices of the returns app — 退换货: case types, stages, ledger kinds, transfer states.

The words are the regulations' ([004] 售后客服 / 打单人员): 退货, 换货, 快件退回单 (退件单),
原包裹已收到, 转件, 丢件索赔; AS-7's 破损/少件; AS-8's 缺货.
"""

from __future__ import annotations

from django.db import models


class CaseType(models.TextChoices):
    """退换货单类型 (AS-5..8): each type runs its own path through the stages (``workflow``)."""

    RETURN = "return", "退货"
    EXCHANGE = "exchange", "换货"
    INTERCEPT = "intercept", "拦截退回"
    DAMAGED = "damaged", "破损"
    MISSING = "missing", "少件"
    LOST = "lost", "丢件"
    FORWARD = "forward", "转件"
    OUT_OF_STOCK = "out_of_stock", "缺货"


class Stage(models.TextChoices):
    """处理环节 of a case; ``REFUNDED``, ``COMPLETED`` and ``CANCELLED`` are final."""

    REGISTERED = "registered", "已登记"
    AWAITING_RETURN = "awaiting_return", "待退回"
    FORWARDING = "forwarding", "转件中"
    CLAIMING = "claiming", "索赔中"
    RECEIVED = "received", "已收货"
    INSPECTED_PASS = "inspected_pass", "验收合格"
    INSPECTED_FAIL = "inspected_fail", "验收不合格"
    RESHIPPED = "reshipped", "已发出"
    REFUNDED = "refunded", "已退款"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


FINAL_STAGES = frozenset({Stage.REFUNDED.value, Stage.COMPLETED.value, Stage.CANCELLED.value})


class Payer(models.TextChoices):
    """运费承担方."""

    COMPANY = "company", "公司承担"
    CUSTOMER = "customer", "客户承担"
    NONE = "none", "无运费"


class ContactOutcome(models.TextChoices):
    """缺货联系结果 (AS-8): the customer chose an exchange or a refund."""

    EXCHANGE = "exchange", "换货"
    REFUND = "refund", "退款"


class RefundMethod(models.TextChoices):
    """退款方式; a bank transfer goes into the 转账登记 ledger (AS-8, [004] 银行转账明细表)."""

    ORIGINAL = "original", "原路退回"
    ALIPAY = "alipay", "支付宝"
    BANK_TRANSFER = "bank_transfer", "银行转账"


class LedgerKind(models.TextChoices):
    """差价与运费台账 entry kinds (AS-9). ``sign`` in ``rules.LEDGER_SIGNS``: + company pays out."""

    FREIGHT_CUSTOMER = "freight_customer", "客户垫付运费"
    FREIGHT_COMPANY = "freight_company", "公司支付运费"
    FREIGHT_REFUND = "freight_refund", "运费返还"
    PRICE_DIFFERENCE = "price_difference", "差价"
    REFUND = "refund", "退款"
    CLAIM = "claim", "快递赔付"


class TransferStatus(models.TextChoices):
    """转账登记 state: tracked until paid."""

    PENDING = "pending", "待转账"
    PAID = "paid", "已转账"


class ClaimStatus(models.TextChoices):
    """丢件索赔 state."""

    NONE = "", "—"
    FILED = "filed", "已提交索赔"
    SETTLED = "settled", "已赔付"
