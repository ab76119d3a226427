"""Return-visit policy — 回访制度参数 (domain ``visits``): plan intervals, retries, scripts, CRM-2.

Registered by ``VisitsConfig.ready()``; the defaults are in ``policy_defaults.toml``.
Field descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "visits"
LABEL = "回访制度"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanRules(_Strict):
    """回访计划 (AS-4): intervals in months, the generation horizon, the after-close delay."""

    warranty_interval_months: int = Field(ge=1, le=12, description="保修期内回访间隔（月）")
    project_first_year_months: int = Field(ge=1, le=36, description="项目首年长度（月）")
    project_first_year_interval_months: int = Field(
        ge=1, le=12, description="项目首年回访间隔（月）"
    )
    project_later_interval_months: int = Field(ge=1, le=12, description="项目此后回访间隔（月）")
    project_years: int = Field(ge=1, le=30, description="项目回访年限（年）")
    horizon_months: int = Field(ge=1, le=36, description="计划生成范围（月）")
    after_close_days: int = Field(ge=0, le=60, description="工单结案后回访天数")
    grade_interval_months: dict[str, int] = Field(
        default_factory=dict, description="按客户等级的最长回访间隔（月）"
    )
    # A default keeps versions stored before this key existed valid.
    daily_run_time: str = Field(
        default="02:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="每日自动生成回访计划的时间（HH:MM，北京时间）",
    )

    def daily_run_at(self) -> dt.time:
        hour, minute = self.daily_run_time.split(":")
        return dt.time(int(hour), int(minute))

    @model_validator(mode="after")
    def _grades_positive(self) -> PlanRules:
        bad = [g for g, n in self.grade_interval_months.items() if not 1 <= n <= 12]
        if bad:
            raise ValueError(f"客户等级回访间隔须在1～12个月之间：{', '.join(bad)}")
        return self


class Retry(_Strict):
    """无人接听重拨: attempts in all and the spacing in days."""

    max_attempts: int = Field(ge=1, le=10, description="最多回访次数")
    spacing_days: int = Field(ge=0, le=30, description="重拨间隔（天）")


class Scripts(_Strict):
    """回访话术 per source."""

    warranty: str = Field(min_length=1, description="保修期回访话术")
    project: str = Field(min_length=1, description="工程项目回访话术")
    after_close: str = Field(min_length=1, description="工单结案回访话术")


class Campaign(_Strict):
    """十二月新年关怀 (CRM-2)."""

    month: int = Field(ge=1, le=12, description="关怀活动月份")
    gift: str = Field(min_length=1, max_length=60, description="礼品")
    grades: list[str] = Field(min_length=1, description="参加关怀的客户等级")


class VisitsPolicy(_Strict):
    """回访制度 (AS-4, CRM-2, CRM-4)."""

    target_rate_percent: int = Field(ge=1, le=100, description="保修期回访率目标（%）")
    plan: PlanRules
    retry: Retry
    scripts: Scripts
    campaign: Campaign

    def script_for(self, source: str) -> str:
        return getattr(self.scripts, source, "") or ""


def visits_policy(on: dt.date | None = None) -> VisitsPolicy:
    """The return-visit policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
