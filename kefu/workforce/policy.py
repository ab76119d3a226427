"""Roster policy — 排班制度参数 (domain ``roster``): skills, shift layouts, roster rules, solver
weights, publishing reminders (WFM-1, WFM-2).

Registered by ``WorkforceConfig.ready()``; defaults in ``policy_defaults.toml``. Shift times are
the platform's ``shifts`` domain (``kefu.core.policy.shift_policy``). Field descriptions are
Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "roster"
LABEL = "排班制度"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Skill(_Strict):
    code: str = Field(min_length=1, max_length=20, description="技能代码")
    name: str = Field(min_length=1, max_length=20, description="技能名称")


class Layout(_Strict):
    code: str = Field(min_length=1, max_length=20, description="班次组合代码")
    name: str = Field(min_length=1, max_length=40, description="班次组合名称")
    shifts: list[str] = Field(min_length=1, description="包含的班次代码")


class RosterRulesPolicy(_Strict):
    max_consecutive_work_days: int = Field(ge=1, le=13, description="最多连续上班天数")
    min_rest_days: int = Field(ge=0, le=31, description="每月最少休息天数")
    max_rest_days: int = Field(ge=0, le=31, description="每月最多休息天数")
    min_rest_hours_between_shifts: float = Field(ge=0, le=24, description="两班之间最少休息小时")
    max_team_rest_ratio: float = Field(gt=0, le=1, description="同日休息人数上限（占班组比例）")
    history_days: int = Field(ge=1, le=31, description="跨月计算连续上班的天数")

    @model_validator(mode="after")
    def _order(self) -> RosterRulesPolicy:
        if self.max_rest_days < self.min_rest_days:
            raise ValueError("每月最多休息天数不能小于最少休息天数")
        return self


class SolverPolicy(_Strict):
    time_limit_seconds: int = Field(ge=1, le=600, description="求解时限（秒）")
    weight_shortfall: int = Field(ge=1, description="缺口权重")
    weight_spread: int = Field(ge=0, description="夜班/周日/节假日均衡权重")
    weight_rest_request: int = Field(ge=0, description="休息申请权重")
    weight_team_rest: int = Field(ge=0, description="同日休息人数权重")
    weight_change: int = Field(ge=0, description="改动最少权重")


class PublishingPolicy(_Strict):
    reminder_days_before: int = Field(ge=0, le=28, description="发布提醒提前天数")


class RosterPolicy(_Strict):
    """排班制度 (WFM-1, WFM-2)."""

    skills: list[Skill] = Field(min_length=1, description="技能")
    layouts: list[Layout] = Field(min_length=1, description="班次组合")
    rules: RosterRulesPolicy
    solver: SolverPolicy
    publishing: PublishingPolicy

    @model_validator(mode="after")
    def _unique(self) -> RosterPolicy:
        for label, codes in (
            ("技能代码", [s.code for s in self.skills]),
            ("班次组合代码", [x.code for x in self.layouts]),
        ):
            if len(codes) != len(set(codes)):
                raise ValueError(f"{label}不能重复")
        return self

    def skill_names(self) -> dict[str, str]:
        return {s.code: s.name for s in self.skills}

    def layout(self, code: str) -> Layout | None:
        return next((x for x in self.layouts if x.code == code), None)


def roster_policy(on: dt.date | None = None) -> RosterPolicy:
    """The roster policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
