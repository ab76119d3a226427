"""Complaint policy — 客户投诉处理制度参数 (domain ``complaints``): numbering, routing, CMP-11 scope.

Registered by ``ComplaintsConfig.ready()``; the defaults are in ``policy_defaults.toml``. Numbers
other domains already hold are *not* repeated here, so two settings can never disagree:

* CMP-6's 7 days: ``sla.complaint_close_days``, applied to the complaint's ticket by the
  ``tickets`` policy (``[complaint]``: calendar or business days, warnings);
* CMP-7's report day (the 10th): ``sla.complaint_report_day_of_month``;
* CMP-9's sanction conversion and 50 % cap, CMP-11's fine (50 yuan, doubled, dismissal on the
  3rd): ``fines.penalty_cap_ratio`` / ``minor_demerit_ratio`` / ``major_demerit_ratio`` and
  ``fines.service_complaint``.

Field descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.org.choices import Role

from .choices import Ground, Route, Sanction

DOMAIN = "complaints"
LABEL = "客户投诉处理"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numbering(_Strict):
    """受理编号 (CMP-4 受理时间和编号): ``TS2026-0001`` — prefix, year, a yearly sequence."""

    prefix: str = Field(
        min_length=1, max_length=8, pattern=r"^[A-Z]+$", description="编号前缀（大写字母）"
    )
    digits: int = Field(ge=3, le=8, description="年度流水号位数")


class Routing(_Strict):
    """处理途径 (CMP-4, 第八条): where a complaint on each ground goes by default."""

    by_ground: dict[str, str] = Field(description="各投诉范围的默认处理途径")

    @field_validator("by_ground")
    @classmethod
    def _every_ground(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [g for g in value if g not in Ground.values]
        if unknown:
            raise ValueError(f"未知的投诉范围：{', '.join(unknown)}")
        missing = [Ground(g).label for g in Ground.values if g not in value]
        if missing:
            # A ground without a route would leave its complaints with no suggestion at all.
            raise ValueError(f"以下投诉范围没有处理途径：{'、'.join(missing)}")
        bad = sorted({r for r in value.values() if r not in Route.values})
        if bad:
            raise ValueError(f"未知的处理途径：{', '.join(bad)}")
        return value

    def route_for(self, ground: str) -> str:
        """The default route of a complaint on ``ground`` ("" for an unknown ground)."""
        return self.by_ground.get(ground, "")


class ServiceComplaint(_Strict):
    """客服服务投诉 (CMP-11): who counts as a 客服, and which month an occurrence belongs to.

    The fine itself (first time, multiplier, dismissal) is ``fines.service_complaint``.
    """

    roles: list[str] = Field(min_length=1, description="按客服计罚的角色")
    month_basis: Literal["received", "closed"] = Field(
        description="计次月份：received 按收到投诉的月份 / closed 按结案月份"
    )

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in Role.values]
        if unknown:
            raise ValueError(f"未知的角色：{', '.join(unknown)}")
        return value


class ComplaintsPolicy(_Strict):
    """客户投诉处理 (CMP-1..11): numbering, routing, the default sanction, CMP-11's scope."""

    numbering: Numbering
    routing: Routing
    default_sanction: str = Field(description="调查报告未写明处分时的默认建议")
    service_complaint: ServiceComplaint

    @field_validator("default_sanction")
    @classmethod
    def _known_sanction(cls, value: str) -> str:
        if value not in Sanction.values or value in (Sanction.FINE, Sanction.DISMISSAL):
            # 罚款 and 开除 are CMP-11's outcomes for service complaints, never a blanket default.
            raise ValueError("默认处分只能是不予处分、通报批评、警告、小过或大过")
        return value


def complaints_policy(on: dt.date | None = None) -> ComplaintsPolicy:
    """The complaint policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
