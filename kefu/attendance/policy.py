"""Attendance policy — 考勤制度参数 (domain ``attendance``): grace minutes, late bands, early leave,
money and pay days, how a no-show is read, the clock window, the daily run (WFM-5, WFM-6).

The core numbers (late 0.5 分, >30 分钟 = 旷工, 旷班 5 分, 补卡 2 天 / 3 次, 报送日 25 日) are the
platform's ``workforce`` domain; this domain holds what else the classifier needs. Registered by
``AttendanceConfig.ready()``; defaults in ``policy_defaults.toml``. Field descriptions are Chinese
because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DOMAIN = "attendance"
LABEL = "考勤制度"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")

Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Points = Annotated[float, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LateBand(_Strict):
    """迟到分段: lateness up to ``max_minutes`` (inclusive) costs ``points`` and ``money``."""

    max_minutes: int = Field(ge=1, le=24 * 60, description="迟到分钟数上限（含）")
    points: Points = Field(description="扣分")
    money: Money = Field(default=Decimal(0), description="罚款（元）")


class AttendancePolicy(_Strict):
    """考勤制度 (WFM-5, WFM-6)."""

    grace_minutes: int = Field(ge=0, le=60, description="迟到宽限（分钟）")
    early_leave_grace_minutes: int = Field(ge=0, le=60, description="早退宽限（分钟）")
    late_money: Money = Field(description="迟到罚款（元）")
    late_bands: list[LateBand] = Field(default_factory=list, description="迟到分段扣分")
    early_leave_points: Points = Field(description="早退扣分")
    early_leave_money: Money = Field(description="早退罚款（元）")
    early_leave_as_absence_minutes: int = Field(
        ge=0, le=24 * 60, description="早退超过此分钟数按旷工（0 = 不按旷工）"
    )
    absence_money: Money = Field(description="旷工罚款（元）")
    absence_pay_days: float = Field(ge=0, le=31, description="旷工扣工资天数")
    truancy_money: Money = Field(description="旷班罚款（元）")
    truancy_pay_days: float = Field(ge=0, le=31, description="旷班扣工资天数")
    no_show_as: Literal["truancy", "absence"] = Field(
        description="整天未打卡按旷班（truancy）或旷工（absence）处理"
    )
    swap_empty_shift_both: bool = Field(
        default=True,
        description="换班交代不清造成空班：交班人与接班人同按未到岗（旷班/旷工）处理",
    )
    missed_clock_points: Points = Field(description="缺卡未补扣分")
    missed_clock_money: Money = Field(description="缺卡未补罚款（元）")
    clock_in_open_minutes: int = Field(ge=0, le=12 * 60, description="上班前可打卡时间（分钟）")
    clock_out_close_minutes: int = Field(ge=0, le=12 * 60, description="下班后打卡有效时间（分钟）")
    repeat_clock_seconds: int = Field(ge=0, le=3600, description="重复打卡间隔（秒）")
    daily_run_time: str = Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="每日自动计算考勤的时间（HH:MM，北京时间）",
    )

    @model_validator(mode="after")
    def _bands_increase(self) -> AttendancePolicy:
        limits = [b.max_minutes for b in self.late_bands]
        if any(b <= a for a, b in itertools.pairwise(limits)):
            raise ValueError("迟到分段的分钟数上限必须逐段递增")
        return self

    def daily_run_at(self) -> dt.time:
        hour, minute = self.daily_run_time.split(":")
        return dt.time(int(hour), int(minute))


def attendance_policy(on: dt.date | None = None) -> AttendancePolicy:
    """The attendance policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
