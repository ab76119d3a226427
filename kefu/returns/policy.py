"""Returns policy — 退换货制度参数 (domain ``returns``): numbering, freight, ages, reasons.

Registered by ``ReturnsConfig.ready()``; defaults in ``policy_defaults.toml``. A case is judged by
the version in force on the day it was registered (``policy_for(DOMAIN, case.created_on)``).
Field descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .choices import CaseType, Stage

DOMAIN = "returns"
LABEL = "退换货"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numbering(_Strict):
    """退换货单号 ``TH20261122-0001``: prefix, day, a daily sequence."""

    prefix: str = Field(min_length=1, max_length=6, pattern=r"^[A-Z]+$", description="编号前缀")
    digits: int = Field(ge=3, le=6, description="每日流水号位数")


class Freight(_Strict):
    """运费规则 (AS-5): 质量问题公司承担来回运费（客户先垫付，收货后返还）; 非质量问题客户承担退回单程运费."""

    company_fault_types: list[str] = Field(description="视同公司责任（公司承担运费）的类型")
    non_quality_reship_payer: Literal["company", "customer"] = Field(
        description="非质量问题换货时，寄出新货的运费承担方"
    )
    intercept_return_payer: Literal["company", "customer"] = Field(
        description="发货后拦截退回的运费承担方"
    )
    freight_refund_cap: str = Field(description="单次运费返还上限（元，0 为不限）")

    @field_validator("company_fault_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in CaseType.values]
        if unknown:
            raise ValueError(f"未知的退换货类型：{', '.join(unknown)}")
        return value

    @field_validator("freight_refund_cap")
    @classmethod
    def _money(cls, value: str) -> str:
        from decimal import Decimal, InvalidOperation

        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError("必须是金额") from exc
        if amount < 0:
            raise ValueError("不能为负数")
        return value


class Ages(_Strict):
    """未结退换货单的账龄 (AS-9): days open before a case is shown amber / red."""

    warn_days: int = Field(ge=1, le=365, description="提醒天数")
    late_days: int = Field(ge=1, le=365, description="超期天数")
    by_stage: dict[str, int] = Field(default_factory=dict, description="按环节的超期天数")

    @field_validator("by_stage")
    @classmethod
    def _known_stages(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = [s for s in value if s not in Stage.values]
        if unknown:
            raise ValueError(f"未知的环节：{', '.join(unknown)}")
        if any(v < 1 for v in value.values()):
            raise ValueError("天数必须大于0")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Ages:
        if self.late_days < self.warn_days:
            raise ValueError("超期天数不能小于提醒天数")
        return self


class Reason(_Strict):
    code: str = Field(min_length=1, max_length=30, pattern=r"^[a-z_]+$")
    label: str = Field(min_length=1, max_length=30)
    quality_fault: bool = Field(description="默认视为质量问题")


class ReturnsPolicy(_Strict):
    """退换货 (AS-5..9)."""

    numbering: Numbering
    freight: Freight
    ages: Ages
    transfer_overdue_days: int = Field(ge=1, le=60, description="转账登记超过天数未转视为逾期")
    reasons: list[Reason] = Field(min_length=1, description="退换货原因")

    @field_validator("reasons")
    @classmethod
    def _unique(cls, value: list[Reason]) -> list[Reason]:
        codes = [r.code for r in value]
        if len(set(codes)) != len(codes):
            raise ValueError("原因代码不能重复")
        return value

    def reason_label(self, code: str) -> str:
        return next((r.label for r in self.reasons if r.code == code), code)

    def reason_choices(self) -> list[tuple[str, str]]:
        return [(r.code, r.label) for r in self.reasons]


def returns_policy(on: dt.date | None = None) -> ReturnsPolicy:
    """The returns policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
