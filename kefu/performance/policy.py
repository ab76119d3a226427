"""Performance policy — 绩效奖惩制度参数 (domain ``performance``): the rule catalogue (PERF-5,
PERF-6 and the rules other modules report), the appeal window, the close deadline and the score
scheme per department (PERF-4).

Registered by ``PerformanceConfig.ready()``; defaults in ``policy_defaults.toml``. The numbers of
the score bands and bonuses stay in the platform's ``scorecard`` domain, the fines and escalation
in ``fines``, commission rates in ``commission``. Field descriptions are Chinese because they are
shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "performance"
LABEL = "绩效奖惩"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Points = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
# Seed 004 cancels 全勤奖 only for 缺卡未补、私自离岗、旷工: approved leave of every type keeps it
# (the leave domain's type codes). Default for versions stored before the field existed.
SEED_KEPT_LEAVE = ("personal", "sick", "annual", "adjust", "marriage", "bereavement", "maternity")
Category = Literal["deduction", "addition", "fine", "reward", "sanction"]
SchemeKey = Literal["points100", "points10"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogueRule(_Strict):
    """One rule of the catalogue — 奖惩条目. Amounts are magnitudes; the category gives the sign
    (扣分/罚款/处分 negative, 加分/奖励 positive). A range (``*_min``..``*_max``) lets the recorder
    choose within it ("视情况扣3∽5分"); ``per_unit`` multiplies by a quantity ("每30秒5元")."""

    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=120, description="条目名称（制度原文）")
    category: Category
    points: Points = Field(default=Decimal(0), description="分值（默认）")
    points_min: Points | None = Field(default=None, description="分值下限")
    points_max: Points | None = Field(default=None, description="分值上限")
    money: Money = Field(default=Decimal(0), description="金额（元，默认）")
    money_min: Money | None = Field(default=None, description="金额下限")
    money_max: Money | None = Field(default=None, description="金额上限")
    per_unit: str = Field(default="", max_length=20, description="计量单位（按数量累计时）")
    escalation: Literal["service_complaint", "missed_handover"] | None = Field(
        default=None, description="当月递增罚款（fines 中的条目）"
    )
    manual: bool = Field(default=True, description="可由组长/主管手工登记")
    sources: list[str] = Field(default_factory=list, description="自动产生此条目的模块")
    breaks_full_attendance: bool = Field(default=False, description="发生即失去全勤奖")
    to_fund: bool = Field(default=True, description="罚款计入部门基金")
    requirement: str = Field(default="", max_length=40, description="需求编号")

    @model_validator(mode="after")
    def _ranges(self) -> CatalogueRule:
        for low, default, high, label in (
            (self.points_min, self.points, self.points_max, "分值"),
            (self.money_min, self.money, self.money_max, "金额"),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(f"{self.code}：{label}下限不能大于上限")
            if (low is not None and default < low) or (high is not None and default > high):
                raise ValueError(f"{self.code}：默认{label}须在上下限之间")
        return self


class PerformancePolicy(_Strict):
    """绩效奖惩 (PERF-4..8, CMP-7)."""

    rules: list[CatalogueRule] = Field(min_length=1, description="奖惩条目")
    appeal_window_days: int = Field(ge=0, le=60, description="申诉期限（确认后，天）")
    close_by_day: int = Field(ge=1, le=28, description="次月几日前完成月结（CMP-7）")
    close_reminder_days: int = Field(default=3, ge=0, le=27, description="月结截止前几天开始提醒")
    auto_confirm_sources: list[str] = Field(
        default_factory=list, description="自动导入即确认的来源（其余待组长确认）"
    )
    default_scheme: SchemeKey = Field(description="默认考核方案")
    department_schemes: dict[str, SchemeKey] = Field(
        default_factory=dict, description="按部门编码指定考核方案"
    )
    ten_point_base: Points = Field(description="十分制月初分")
    full_attendance_kept_leave: list[str] = Field(
        default_factory=lambda: list(SEED_KEPT_LEAVE),
        description="不取消全勤奖的假别（已批准的请假，假别代码；未列出的假别取消全勤奖）",
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> PerformancePolicy:
        codes = [r.code for r in self.rules]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"条目代码重复：{', '.join(dupes)}")
        return self

    def rule(self, code: str) -> CatalogueRule | None:
        """The catalogue rule with ``code``, or None."""
        return next((r for r in self.rules if r.code == code), None)

    def scheme_for(self, department_code: str | None) -> str:
        """The score scheme of a department (PERF-4: chosen by policy per department)."""
        return self.department_schemes.get(department_code or "", self.default_scheme)


def performance_policy(on: dt.date | None = None) -> PerformancePolicy:
    """The performance policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
