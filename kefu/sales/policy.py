"""Sales policy — 销售提成补充参数 (domain ``sales``).

The rates, the conversion threshold and the award amounts of PERF-2/PERF-3 are the platform's
``commission`` domain (``kefu.core.policy.commission_policy``). This domain holds what the seeds
leave open:

* ``return_visit_runner_up`` — 回访部亚军奖金. Seed 002 line 51 names a 冠军、亚军、季军制度 but
  gives amounts only for 冠军 (500), 周冠军 (300) and 季军 (100); the 亚军 amount defaults to 0
  until the company sets one (a new policy version).
* ``no_inquiry_conversion`` — the conversion used for an agent with orders but no inquiry recorded
  in the month (default 1.00 = 100 %: every order counted as converted).
* ``unpaid_chase_minutes`` — 未付款订单催付时限: seed 000 "拍下后一小时内没催付的,抽查一次扣5元"
  (60 minutes; the ¥5 is the ledger rule ``unpaid_order_not_chased`` of the performance catalogue).
* ``lost_sale_reasons`` — 询单未成交原因 (RPT-6), the list agents choose from.

The two last fields have defaults equal to policy_defaults.toml so that versions stored before
they existed still load.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DOMAIN = "sales"
LABEL = "销售提成补充参数"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class LostReason(BaseModel):
    """One 未成交原因: a stable code and its Chinese name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=30, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=40)


DEFAULT_LOST_REASONS = (
    LostReason(code="price", name="价格或优惠未谈拢"),
    LostReason(code="color", name="担心色差"),
    LostReason(code="delivery", name="发货或到货时间不满足"),
    LostReason(code="express", name="快递或配送要求不满足"),
    LostReason(code="quality", name="对质量、材料或规格有疑虑"),
    LostReason(code="no_product", name="缺货或没有合适的商品"),
    LostReason(code="slow_reply", name="回复不及时"),
    LostReason(code="comparing", name="只是咨询或对比同行"),
    LostReason(code="other", name="其他"),
)


class SalesPolicy(BaseModel):
    """销售提成补充参数 (PERF-2, PERF-3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    return_visit_runner_up: Decimal = Field(ge=0, le=100000, description="回访部亚军奖金（元）")
    no_inquiry_conversion: Decimal = Field(
        ge=0, le=10, description="当月无询单记录时按此转化率计算提成"
    )
    unpaid_chase_minutes: int = Field(
        default=60, ge=1, le=24 * 60, description="未付款订单拍下后须在多少分钟内催付"
    )
    lost_sale_reasons: tuple[LostReason, ...] = Field(
        default=DEFAULT_LOST_REASONS, min_length=1, description="询单未成交原因"
    )

    def reason_name(self, code: str) -> str | None:
        """The name of 未成交原因 ``code``, None when the policy has no such reason."""
        return next((r.name for r in self.lost_sale_reasons if r.code == code), None)


def sales_policy(on: dt.date | None = None) -> SalesPolicy:
    """The sales policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
