"""Survey policy — 满意度调查制度参数 (domain ``surveys``, CRM-3, RPT-4).

Registered by ``SurveysConfig.ready()``; defaults in ``policy_defaults.toml``. A response is judged
满意 by the version in force on the day it was submitted; a link's validity is that of the day it
was issued. Field descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.tickets.choices import Kind

from .choices import Channel

DOMAIN = "surveys"
LABEL = "满意度调查"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AfterClose(_Strict):
    """工单结案后发送满意度调查."""

    enabled: bool = Field(description="工单结案后是否自动生成调查邀请")
    kinds: list[str] = Field(description="哪些工单类型结案后发送（空 = 全部）")
    channel: str = Field(description="结案后调查的默认方式")

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in Kind.values]
        if unknown:
            raise ValueError(f"未知的工单类型：{', '.join(unknown)}")
        return value

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str) -> str:
        if value not in Channel.values:
            raise ValueError(f"未知的调查方式：{value}")
        return value


class SurveysPolicy(_Strict):
    """满意度调查 (CRM-3): what counts as 满意, the target, links, the campaign months, channels."""

    satisfied_min_rating: int = Field(ge=1, le=5, description="总体满意度评分不低于此值即为满意")
    target_rate_percent: float = Field(gt=0, le=100, description="服务满意率目标（%）")
    token_valid_days: int = Field(ge=1, le=365, description="调查链接有效天数")
    campaign_months: list[int] = Field(description="集中调查月份（每年两次）")
    channels: list[str] = Field(min_length=1, description="启用的调查方式")
    after_close: AfterClose

    @field_validator("campaign_months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= m <= 12 for m in value):
            raise ValueError("月份必须在1到12之间")
        if len(set(value)) != len(value):
            raise ValueError("月份不能重复")
        return sorted(value)

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in Channel.values]
        if unknown:
            raise ValueError(f"未知的调查方式：{', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _after_close_channel_enabled(self) -> SurveysPolicy:
        if self.after_close.channel not in self.channels:
            raise ValueError("结案后调查的方式必须是已启用的调查方式")
        return self

    def is_satisfied(self, overall_rating: int) -> bool:
        """满意: the overall rating is at least ``satisfied_min_rating`` (4 → ratings 4 and 5)."""
        return overall_rating >= self.satisfied_min_rating

    def sends_after_close(self, ticket_kind: str) -> bool:
        return self.after_close.enabled and (
            not self.after_close.kinds or ticket_kind in self.after_close.kinds
        )


def surveys_policy(on: dt.date | None = None) -> SurveysPolicy:
    """The survey policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)  # type: ignore[return-value]
