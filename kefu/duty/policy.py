"""Duty policy — 交接班与在线制度参数 (domain ``duty``): handover deadlines, presence grace (WFM-7,
WFM-8).

Registered by ``DutyConfig.ready()``; defaults in ``policy_defaults.toml``. The strike count and
the points of WFM-8 are the platform's ``workforce`` domain (``offline_strikes_per_month``,
``offline_points``); the missed-handover fine is ``fines.missed_handover``. Field descriptions are
Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DOMAIN = "duty"
LABEL = "交接班与在线"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HandoverPolicy(_Strict):
    """交接班 (WFM-7)."""

    missing_after_minutes: int = Field(
        ge=0, le=24 * 60, description="下班后多少分钟仍无交接班记录即标记未交班"
    )
    ack_within_minutes: int = Field(
        ge=0, le=24 * 60, description="接班人须在接班开始后多少分钟内确认"
    )
    overlap_minutes: int = Field(
        ge=0, le=12 * 60, description="下一班最早可在交班结束前多少分钟开始"
    )
    lookahead_days: int = Field(ge=1, le=7, description="向后查找下一班的天数")


class PresencePolicy(_Strict):
    """在线状态 (WFM-8)."""

    grace_minutes: int = Field(ge=0, le=240, description="当班离线/隐身连续超过此分钟数计一次")


class DutyPolicy(_Strict):
    """交接班与在线 (WFM-7, WFM-8)."""

    handover: HandoverPolicy
    presence: PresencePolicy


def duty_policy(on: dt.date | None = None) -> DutyPolicy:
    """The duty policy in force on ``on`` (today when None)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
