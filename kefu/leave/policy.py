"""Leave and swap policy — 请假与换班制度参数 (domain ``leave``, WFM-3, WFM-4, WFM-5).

The numbers the platform's ``workforce`` domain does not hold: leave types (假别) and which of
them have a balance, the annual-leave entitlement by years of service, whether night-shift and
holiday staff may take leave, how many 调休 a leave may use, and the swap notice and payback
deadline (还班期限). The monthly swap cap, the consecutive-swap switch, the notice hours and the
monthly adjustable rest days stay in ``workforce`` (``kefu.core.policy.workforce_policy``).

Registered by ``LeaveConfig.ready()``; defaults in ``policy_defaults.toml``. Field descriptions
are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "leave"
LABEL = "请假与换班制度"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")

# How a leave type is limited: not at all, by the yearly annual-leave entitlement, by the
# month's adjustable rest days (调休), or per request (婚假 3 天 …).
BalanceKind = Literal["none", "annual", "monthly", "per_request"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeaveType(_Strict):
    """假别."""

    code: str = Field(min_length=1, max_length=20, description="假别代码")
    name: str = Field(min_length=1, max_length=20, description="假别名称")
    balance: BalanceKind = Field(description="额度类型")
    max_days: int | None = Field(default=None, ge=1, le=366, description="每次最多天数")

    @model_validator(mode="after")
    def _per_request_needs_days(self) -> LeaveType:
        if self.balance == "per_request" and self.max_days is None:
            raise ValueError(f"{self.name}按次计算额度，须填写每次最多天数")
        return self


class AnnualStep(_Strict):
    """年假: 工龄满 ``min_years`` 年，每年 ``days`` 天."""

    min_years: int = Field(ge=0, le=60, description="工龄（年）")
    days: int = Field(ge=0, le=60, description="年假天数")


class LeaveRules(_Strict):
    """请假规则 (WFM-3, WFM-4, WFM-5)."""

    night_shift_leave: bool = Field(description="夜班是否允许请假")
    holiday_leave: bool = Field(description="节假日当班是否允许请假")
    duty_rule_exempt_types: list[str] = Field(
        default_factory=list, description="不受夜班/节假日限制的假别"
    )
    rest_offsets_per_month: int = Field(ge=0, le=31, description="每月请假可充抵调休次数")
    half_day_hours: float = Field(gt=0, le=24, description="按小时请假：不超过此小时数按半天计")
    max_days_per_request: int = Field(ge=1, le=366, description="每次请假最多天数")


class SwapRules(_Strict):
    """换班规则 (WFM-3)."""

    notice_hours: float = Field(ge=0, le=24 * 31, description="换班提前报备时间（小时）")
    payback_within_days: int = Field(ge=1, le=92, description="还班期限（换班日后天数）")
    holiday_swap: bool = Field(description="节假日当班是否允许换班")


class LeavePolicy(_Strict):
    """请假与换班制度 (WFM-3, WFM-4, WFM-5)."""

    types: list[LeaveType] = Field(min_length=1, description="假别")
    annual_leave: list[AnnualStep] = Field(min_length=1, description="年假（按工龄）")
    rules: LeaveRules
    swap: SwapRules

    @model_validator(mode="after")
    def _consistent(self) -> LeavePolicy:
        codes = [t.code for t in self.types]
        if len(codes) != len(set(codes)):
            raise ValueError("假别代码不能重复")
        unknown = [c for c in self.rules.duty_rule_exempt_types if c not in codes]
        if unknown:
            raise ValueError(f"未知的假别：{'、'.join(unknown)}")
        years = [s.min_years for s in self.annual_leave]
        if years != sorted(set(years)):
            raise ValueError("年假工龄须从小到大且不重复")
        return self

    def type(self, code: str) -> LeaveType | None:
        return next((t for t in self.types if t.code == code), None)

    def type_names(self) -> dict[str, str]:
        return {t.code: t.name for t in self.types}

    def annual_days(self, years_of_service: int) -> int:
        """Annual-leave days for someone with this many full years of service."""
        days = 0
        for step in self.annual_leave:
            if years_of_service >= step.min_years:
                days = step.days
        return days


def leave_policy(on: dt.date | None = None) -> LeavePolicy:
    """The leave and swap policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
