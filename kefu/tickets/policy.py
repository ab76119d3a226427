"""Ticket policy — 工单制度参数 (domain ``tickets``): SLA targets, schedules, alerts, major faults.

Registered by ``TicketsConfig.ready()``; the defaults are in ``policy_defaults.toml``. Numbers the
core ``sla`` domain already holds (TKT-4 greeting/reception standards, CMP-6's 7 days, TKT-9's
unpaid-order hours, the service hours) are *not* repeated here: this domain says how they apply
to tickets, and sla.py reads them from the ``sla`` policy. Field descriptions are Chinese because
they are shown next to validation errors.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.core.calendar import WorkSchedule
from kefu.core.errors import DomainError
from kefu.org.choices import LEVEL_RANK, Level, Role

from .choices import SUBKINDS_BY_KIND, Channel, Kind, Priority, Subkind

DOMAIN = "tickets"
LABEL = "工单规则"
DEFAULTS_FILE = Path(__file__).with_name("policy_defaults.toml")

Clock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
# A year is far beyond any ticket target; the bound only stops a typo from hanging the clock.
_MAX_HOURS = 24 * 366
# The TKT-4 standards of the sla domain that can serve as a real-time channel's first response.
RealtimeStandard = Literal["first_greeting_seconds", "reception_minutes"]
OWNER = "owner"  # the escalation rung that notifies the ticket's 处理人 rather than a 职级


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_schedule(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # The calendar module is the one judge of a schedule (order, overlap, 24:00 only as an end).
    try:
        WorkSchedule.from_pairs(pairs)
    except DomainError as exc:
        raise ValueError(exc.message) from exc
    return pairs


class TargetRule(_Strict):
    """时限规则: one row of the targets table. Empty conditions match anything.

    For each target (首次响应, 解决), the first row whose conditions all hold *and* that sets
    the target decides it. The last row must be the catch-all and set both.
    """

    kind: str | None = Field(None, description="工单类型（空=任意）")
    subkind: str | None = Field(None, description="工单子类（空=任意）")
    priority: str | None = Field(None, description="优先级（空=任意）")
    customer_grade: str | None = Field(
        None, min_length=1, max_length=20, description="客户等级代码（空=任意，见客户档案制度）"
    )
    first_response_minutes: float | None = Field(
        None, gt=0, le=_MAX_HOURS * 60, description="首次响应时限（分钟，按渠道计时）"
    )
    resolution_hours: float | None = Field(
        None, gt=0, le=_MAX_HOURS, description="解决时限（小时，按渠道计时）"
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in Kind.values:
            raise ValueError(f"未知的工单类型：{value}")
        return value

    @field_validator("subkind")
    @classmethod
    def _known_subkind(cls, value: str | None) -> str | None:
        if value is not None and value not in Subkind.values:
            raise ValueError(f"未知的工单子类：{value}")
        return value

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, value: str | None) -> str | None:
        if value is not None and value not in Priority.values:
            raise ValueError(f"未知的优先级：{value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TargetRule:
        if self.subkind is not None:
            if self.kind is None:
                raise ValueError("指定子类时须同时指定工单类型")
            if self.subkind not in SUBKINDS_BY_KIND.get(self.kind, ()):
                raise ValueError(f"子类 {self.subkind} 不属于工单类型 {self.kind}")
        if self.kind == Kind.COMPLAINT and self.resolution_hours is not None:
            # CMP-6 sets the complaint limit (sla.complaint_close_days); a second number here
            # would silently disagree with it.
            raise ValueError("投诉的解决时限由投诉结案时限（服务时限制度）决定，不能在此设置")
        if self.first_response_minutes is None and self.resolution_hours is None:
            raise ValueError("每条规则至少设置首次响应时限或解决时限之一")
        return self

    @property
    def is_catch_all(self) -> bool:
        return (
            self.kind is None
            and self.subkind is None
            and self.priority is None
            and self.customer_grade is None
        )

    def matches(self, *, kind: str, subkind: str, priority: str, customer_grade: str) -> bool:
        """Do all of this row's conditions hold for a ticket with these attributes?"""
        return (
            (self.kind is None or self.kind == kind)
            and (self.subkind is None or self.subkind == subkind)
            and (self.priority is None or self.priority == priority)
            and (self.customer_grade is None or self.customer_grade == customer_grade)
        )


class ComplaintLimit(_Strict):
    """投诉结案时限的计法 (CMP-6). The number of days is ``sla.complaint_close_days``."""

    basis: Literal["calendar_days", "business_days"] = Field(
        description="计日方式：calendar_days 自然日（自受理起）/ business_days 工作日"
    )
    warn_days_before: list[float] = Field(description="到期前预警（天，从大到小）")
    pause_while_waiting: bool = Field(description="待客户期间是否暂停计时")

    @field_validator("warn_days_before")
    @classmethod
    def _descending(cls, value: list[float]) -> list[float]:
        return _strictly_descending_positive(value, "投诉预警天数")


class EscalationRung(_Strict):
    """升级梯级: whom to notify once the deadline is passed by ``after_hours``."""

    notify: str = Field(description="通知对象：owner（处理人）或职级")
    after_hours: float = Field(ge=0, le=_MAX_HOURS, description="超时多少小时后通知（按渠道计时）")

    @field_validator("notify")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value != OWNER and value not in Level.values:
            raise ValueError(f"通知对象只能是 owner 或职级（{'/'.join(Level.values)}）")
        return value


class MajorFault(_Strict):
    """重大故障 (TKT-7): who is told at once when a ticket is flagged."""

    notify_roles: list[str] = Field(min_length=1, description="立即通知的角色（含公司高层）")
    notify_responsible_department: bool = Field(description="通知相关部门（责任部门负责人）")
    notify_sales_signer: bool = Field(description="通知业务签单人员")

    @field_validator("notify_roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [role for role in value if role not in Role.values]
        if unknown:
            raise ValueError(f"未知的角色：{', '.join(unknown)}")
        if len(set(value)) != len(value):
            raise ValueError("通知角色不能重复")
        return value


class AttachmentRules(_Strict):
    """工单附件: how large one file may be and how many a ticket may hold (product defaults)."""

    max_megabytes: float = Field(10, gt=0, le=100, description="单个附件上限（MB）")
    max_per_ticket: int = Field(20, ge=1, le=200, description="每张工单附件数上限")


class TicketsPolicy(_Strict):
    """工单规则 (TKT-1..4, TKT-6, TKT-7, CMP-6): SLA targets, clocks, alerts and major faults."""

    online_hours: list[tuple[Clock, Clock]] = Field(
        min_length=1, description="线上渠道计时时段（00:00-24:00 即全天）"
    )
    online_ignores_holidays: bool = Field(description="线上渠道节假日照常计时")
    offline_hours: list[tuple[Clock, Clock]] | None = Field(
        None, description="线下渠道计时时段（空=沿用服务时限制度的客服工作时段）"
    )
    realtime_first_response: dict[str, RealtimeStandard] = Field(
        description="实时渠道的首次响应标准（取自服务时限制度）"
    )
    targets: list[TargetRule] = Field(min_length=1, description="时限规则表（按顺序匹配）")
    warn_before_hours: list[float] = Field(description="解决时限到期前预警（小时，从大到小）")
    complaint: ComplaintLimit
    escalation: list[EscalationRung] = Field(min_length=1, description="超时升级梯级")
    major_fault: MajorFault
    attachments: AttachmentRules = Field(
        default_factory=AttachmentRules, description="工单附件（类型限图片和 PDF）"
    )

    @field_validator("online_hours")
    @classmethod
    def _online_schedule(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return _check_schedule(value)

    @field_validator("offline_hours")
    @classmethod
    def _offline_schedule(cls, value: list[tuple[str, str]] | None) -> list[tuple[str, str]] | None:
        return None if value is None else _check_schedule(value)

    @field_validator("realtime_first_response")
    @classmethod
    def _known_channels(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [channel for channel in value if channel not in Channel.values]
        if unknown:
            raise ValueError(f"未知的渠道：{', '.join(unknown)}")
        return value

    @field_validator("warn_before_hours")
    @classmethod
    def _warnings_descending(cls, value: list[float]) -> list[float]:
        return _strictly_descending_positive(value, "预警小时数")

    # Field validators rather than one model validator, so each error is shown beside its table.
    @field_validator("targets")
    @classmethod
    def _catch_all_last(cls, targets: list[TargetRule]) -> list[TargetRule]:
        catch_alls = [i for i, rule in enumerate(targets) if rule.is_catch_all]
        if catch_alls != [len(targets) - 1]:
            # Rows after a catch-all could never match; without one some ticket has no target.
            raise ValueError("时限规则表须以一条不带条件的兜底规则结尾（且只能有一条）")
        last = targets[-1]
        if last.first_response_minutes is None or last.resolution_hours is None:
            raise ValueError("兜底规则须同时设置首次响应时限和解决时限")
        return targets

    @field_validator("escalation")
    @classmethod
    def _ladder_climbs(cls, ladder: list[EscalationRung]) -> list[EscalationRung]:
        for index, rung in enumerate(ladder):
            if rung.notify == OWNER and index > 0:
                raise ValueError("处理人（owner）只能是升级梯级的第一级")
            if index == 0:
                continue
            previous = ladder[index - 1]
            if rung.after_hours <= previous.after_hours:
                raise ValueError("升级梯级的超时小时数须逐级递增")
            # 不得越级 works both ways: the ladder never comes back down the reporting line.
            if previous.notify != OWNER and LEVEL_RANK[rung.notify] <= LEVEL_RANK[previous.notify]:
                raise ValueError("升级梯级须逐级向上（不得回到同级或下级）")
        return ladder


def _strictly_descending_positive(value: list[float], label: str) -> list[float]:
    if any(item <= 0 for item in value):
        raise ValueError(f"{label}须大于0")
    if any(later >= earlier for earlier, later in pairwise(value)):
        raise ValueError(f"{label}须从大到小排列且不重复")
    return value


def tickets_policy(on: dt.date | None = None) -> TicketsPolicy:
    """The ticket policy in force on ``on`` (today in Asia/Shanghai by default)."""
    from kefu.core.policy import policy_for

    return policy_for(DOMAIN, on)
