"""Meetings policy — 例会与带教制度参数 (domain ``meetings``): leave notice, absence deductions,
occurrence horizon, exams and mentor rewards (WFM-9, WFM-10, MTG-3).

Registered by ``MeetingsConfig.ready()``; defaults in ``policy_defaults.toml``. Field
descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DOMAIN = "meetings"
LABEL = "例会与带教"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")

Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttendancePolicy(_Strict):
    """例会考勤 (WFM-9, MTG-3)."""

    leave_notice_hours: float = Field(ge=0, le=72, description="例会请假须提前的小时数")
    absence_points: float = Field(ge=0, le=100, description="无故缺席扣分")
    absence_money: Money = Field(description="无故缺席罚款（元）")
    late_points: float = Field(ge=0, le=100, description="迟到扣分")
    horizon_days: int = Field(ge=1, le=92, description="提前生成会议场次的天数")


class MentoringPolicy(_Strict):
    """带教 (WFM-10)."""

    pass_score: float = Field(ge=0, le=100, description="考试合格分数")
    ranking_period: Literal["month", "quarter"] = Field(description="上手最快排名周期")
    rewards: list[Money] = Field(min_length=1, max_length=10, description="带教老师奖励（按名次）")


class MeetingsPolicy(_Strict):
    """例会与带教 (WFM-9, WFM-10)."""

    attendance: AttendancePolicy
    mentoring: MentoringPolicy


def meetings_policy(on: dt.date | None = None) -> MeetingsPolicy:
    """The meetings policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
