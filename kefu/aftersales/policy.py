"""After-sales policy — 售后服务制度参数 (domain ``aftersales``): warranty, cards, repair clocks.

Registered by ``AftersalesConfig.ready()``; the defaults are in ``policy_defaults.toml``. Field
descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.org.choices import Role

DOMAIN = "aftersales"
LABEL = "售后服务"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numbering(_Strict):
    """维修单编号: ``WX20261122-0001`` — prefix, date, a daily sequence."""

    prefix: str = Field(min_length=1, max_length=6, pattern=r"^[A-Z]+$", description="编号前缀")
    digits: int = Field(ge=3, le=6, description="当日流水号位数")


class Clocks(_Strict):
    """维修时限 (AS-2): how the hours from the fault report are counted, and when to warn."""

    mode: Literal["wall", "business"] = Field(
        description="计时方式：wall 自然时间（7×24）/ business 工作时间（按节假日日历）"
    )
    warn_before_hours: float = Field(ge=0, le=72, description="到期前预警（小时）")


def repair_hours(on: dt.date | None = None) -> dict[str, float]:
    """AS-2's three deadlines in hours from the fault report, by the version in force on ``on``.

    They are the platform's service time limits (``sla.repair_onsite_hours``,
    ``repair_clear_hours``, ``repair_spare_hours``): every time limit of the regulations lives in
    one domain, so changing one never leaves a second copy behind. This domain says only how the
    hours are counted (``clocks.mode``) and when to warn.
    """
    from kefu.core.policy import sla_policy

    sla = sla_policy(on)
    return {
        "arrival": float(sla.repair_onsite_hours),
        "fixed": float(sla.repair_clear_hours),
        "spare": float(sla.repair_spare_hours),
    }


class Notify(_Strict):
    """预警与超时通知的接收角色."""

    warning_roles: list[str] = Field(description="预警通知角色（未派工时）")
    breach_roles: list[str] = Field(min_length=1, description="超时通知角色")

    @field_validator("warning_roles", "breach_roles")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in Role.values]
        if unknown:
            raise ValueError(f"未知的角色：{', '.join(unknown)}")
        return value


class Charges(_Strict):
    """保修期外收费."""

    default_labour_fee: Decimal = Field(
        ge=0, max_digits=10, decimal_places=2, description="每次上门默认工时费（元）"
    )


class AftersalesPolicy(_Strict):
    """售后服务 (AS-1..3): warranty, warranty cards, repair clocks, notification."""

    minimum_warranty_months: int = Field(ge=1, le=240, description="公司最低保修期（月）")
    card_deadline_months: int = Field(ge=0, le=24, description="保修卡发放期限（验收后月数）")
    card_due_soon_days: int = Field(ge=0, le=60, description="保修卡即将到期提醒（天）")
    warranty_principles: str = Field(
        min_length=1, max_length=4000, description="保修原则和目的（印在保修卡上）"
    )
    numbering: Numbering
    clocks: Clocks
    notify: Notify
    charges: Charges


def aftersales_policy(on: dt.date | None = None) -> AftersalesPolicy:
    """The after-sales policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
