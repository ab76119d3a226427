"""Policy schemas — 制度参数结构: one pydantic model per policy domain.

Every number the regulations set lives here as a field of a domain's policy, never as a constant
in code. The default values are in ``default_policy.toml``; an administrator creates new versions
in the admin. Field descriptions are Chinese because they are shown next to validation errors.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Hours = Annotated[float, Field(gt=0, le=24 * 366)]
Clock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
Level = Literal["agent", "team_lead", "supervisor", "department_head", "deputy_gm", "gm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- security -------------------------------------------------------------------------------
class SecurityPolicy(_Strict):
    """登录与会话 (SEC-1)."""

    login_max_failures: int = Field(ge=1, le=50, description="连续登录失败锁定次数")
    lockout_minutes: int = Field(ge=1, le=24 * 60, description="锁定时长（分钟）")
    idle_timeout_minutes: int = Field(ge=1, le=24 * 60, description="无操作自动退出（分钟）")
    job_stale_minutes: int = Field(
        default=180,
        ge=10,
        le=7 * 24 * 60,
        description="后台任务运行超过此时长仍未结束即视为中断，标记失败（分钟）",
    )


# --- org ------------------------------------------------------------------------------------
class ApprovalRule(_Strict):
    """One tier of an approval kind. The first rule whose conditions hold decides the chain."""

    applicant_min_level: Level | None = Field(None, description="申请人职级不低于此级时适用")
    max_days: float | None = Field(None, ge=0, description="天数不超过此值时适用")
    max_amount: Money | None = Field(None, description="金额不超过此值时适用")
    final_level: Level = Field(description="审批终点职级（逐级审批至此级）")


class OrgPolicy(_Strict):
    """组织与审批 (ORG-4, WFM-4): approvals follow the reporting line, never skipping a level."""

    approval: dict[str, list[ApprovalRule]] = Field(description="按申请类型的审批规则")

    @model_validator(mode="after")
    def _each_kind_has_a_catch_all(self) -> OrgPolicy:
        for kind, rules in self.approval.items():
            if not rules:
                raise ValueError(f"审批类型 {kind} 至少需要一条规则")
            last = rules[-1]
            if last.max_days is not None or last.max_amount is not None:
                raise ValueError(f"审批类型 {kind} 的最后一条规则不能带天数或金额条件（须兜底）")
        return self


# --- sla ------------------------------------------------------------------------------------
class SlaPolicy(_Strict):
    """服务时限 (TKT-4, TKT-9, CMP-6, CMP-7, AS-2, AS-3, AS-8)."""

    business_hours: list[tuple[Clock, Clock]] = Field(
        description="客服工作时段（用于工作时间计时）"
    )
    first_greeting_seconds: int = Field(ge=1, description="在线首次问候时限（秒）")
    reply_seconds: int = Field(ge=1, description="每条消息回复时限（秒）")
    reception_minutes: int = Field(ge=1, description="来电来访接待时限（分钟）")
    unpaid_order_chase_hours: Hours = Field(description="未付款订单催付时限（小时）")
    complaint_close_days: int = Field(ge=1, description="投诉结案时限（自受理起，天）")
    complaint_report_day_of_month: int = Field(ge=1, le=28, description="月度投诉统计上报日")
    repair_onsite_hours: Hours = Field(description="维修到场时限（小时）")
    repair_clear_hours: Hours = Field(description="故障排除时限（小时）")
    repair_spare_hours: Hours = Field(description="备机备件到位时限（小时）")
    ship_hours: Hours = Field(description="发货时限（小时）")
    ship_max_hours: Hours = Field(description="最迟发货时限（小时）")

    # Retired keys, still present in versions stored before their retirement: dropped on reading
    # so those versions stay valid (and a new version copied from one is stored without them).
    # ``warranty_card_days`` (AS-3) — the card deadline is ``aftersales.card_deadline_months``.
    RETIRED: ClassVar[tuple[str, ...]] = ("warranty_card_days",)

    @model_validator(mode="before")
    @classmethod
    def _drop_retired(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in cls.RETIRED):
            return {k: v for k, v in data.items() if k not in cls.RETIRED}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> SlaPolicy:
        for start, end in self.business_hours:
            if start >= end:
                raise ValueError(f"工作时段 {start}-{end} 的开始须早于结束")
        if not self.repair_onsite_hours <= self.repair_clear_hours <= self.repair_spare_hours:
            raise ValueError("维修时限须满足 到场 ≤ 排除 ≤ 备机")
        if self.ship_hours > self.ship_max_hours:
            raise ValueError("发货时限不能超过最迟发货时限")
        return self


# --- shifts ---------------------------------------------------------------------------------
class ShiftDefinition(_Strict):
    code: str = Field(min_length=1, max_length=20, description="班次代码")
    name: str = Field(min_length=1, max_length=20, description="班次名称")
    start: Clock
    end: Clock = Field(description="结束时间；早于开始表示次日")
    # WFM-1: the skills a person needs to be put on this shift at all (empty = anyone), and the
    # flags the roster solver uses. Defaults keep versions stored before these fields valid.
    skills: list[str] = Field(default_factory=list, description="所需技能")
    night: bool = Field(default=False, description="计为夜班（均衡分配）")
    sunday_only: bool = Field(default=False, description="仅周日使用")
    holiday_ok: bool = Field(default=True, description="节假日可排")


class ShiftPolicy(_Strict):
    """班次与排班 (WFM-1, WFM-2)."""

    shifts: list[ShiftDefinition] = Field(min_length=1, description="班次")
    work_days_per_rest_day: int = Field(ge=1, le=13, description="连续上班天数后休息一天")
    roster_publish_day: int = Field(ge=1, le=28, description="次月排班表发布日")
    holiday_roster_days_ahead: int = Field(ge=0, le=60, description="节假日排班提前天数")

    @model_validator(mode="after")
    def _unique_codes(self) -> ShiftPolicy:
        codes = [s.code for s in self.shifts]
        if len(codes) != len(set(codes)):
            raise ValueError("班次代码不能重复")
        return self


# --- workforce ------------------------------------------------------------------------------
class WorkforcePolicy(_Strict):
    """换班、请假、考勤、交接班 (WFM-3..8)."""

    swap_max_per_month: int = Field(ge=0, description="每人每月换班上限")
    swap_allow_consecutive: bool = Field(description="是否允许连续换班")
    leave_notice_hours: Hours = Field(description="普通请假提前时间（小时）")
    urgent_leave_notice_hours: Hours = Field(description="急事请假提前时间（小时）")
    adjustable_rest_days_per_month: int = Field(ge=0, le=31, description="每月可调休天数")
    clock_fix_within_days: int = Field(ge=0, description="补卡时限（天）")
    clock_fix_max_per_month: int = Field(ge=0, description="每月补卡次数上限")
    late_points: float = Field(ge=0, description="迟到扣分")
    late_as_absence_minutes: int = Field(ge=1, description="迟到超过此分钟数按旷工")
    absence_points: float = Field(ge=0, description="旷工扣分")
    truancy_points: float = Field(ge=0, description="擅自休息（旷班）扣分")
    absence_days_dismissal: int = Field(ge=1, description="旷工达此天数予以辞退")
    attendance_report_day: int = Field(ge=1, le=28, description="考勤报送日")
    offline_strikes_per_month: int = Field(ge=1, description="当班离线/隐身次数上限")
    offline_points: float = Field(ge=0, description="超过上限扣分")


# --- scorecard ------------------------------------------------------------------------------
class ScoreBand(_Strict):
    upper: float = Field(description="分段上限（含）")
    lower: float = Field(description="分段下限（不含）")
    money_per_point: Money = Field(description="每扣一分扣款（元）")


class ScorecardPolicy(_Strict):
    """绩效考核 (PERF-4): the 100-point scheme by default; the 10-point thresholds kept too."""

    scheme: Literal["points100", "points10"]
    base_points: float = Field(gt=0, description="月初基础分")
    bands: list[ScoreBand] = Field(min_length=1, description="扣分分段")
    dismissal_below: float = Field(description="低于此分辞退")
    full_attendance_bonus: Money
    performance_bonus: Money
    high_score_threshold: float
    high_score_bonus: Money
    supervisor_bonus: Money = Field(description="半数组员≥满分时主管奖励")
    supervisor_malus: Money = Field(description="组员低于辞退线时主管扣款")
    ten_point_warning_at_or_below: float = Field(description="十分制：口头警告线")
    ten_point_penalty_at_or_below: float = Field(description="十分制：处罚线")
    ten_point_low_months_for_severe: int = Field(ge=1, description="十分制：连续低分月数→严重处罚")

    @model_validator(mode="after")
    def _bands_contiguous(self) -> ScorecardPolicy:
        for above, below in zip(self.bands, self.bands[1:], strict=False):
            if above.lower != below.upper:
                raise ValueError("扣分分段必须首尾相接")
        for band in self.bands:
            if band.lower >= band.upper:
                raise ValueError("分段下限须小于上限")
        return self


# --- fines ----------------------------------------------------------------------------------
class EscalatingFine(_Strict):
    first: Money = Field(description="当月第一次（元）")
    multiplier: Decimal = Field(ge=1, description="再次发生的倍数")
    dismissal_on: int = Field(ge=2, description="当月第几次予以辞退")


class FinePolicy(_Strict):
    """罚款与处分 (CMP-9, CMP-11, PERF-6, WFM-7)."""

    service_complaint: EscalatingFine
    missed_handover: EscalatingFine
    unpaid_order_not_chased: Money
    unrelated_activity: Money
    cleaning_duty_skipped: Money
    contact_leaked: Money
    slow_greeting_per_30s: Money
    meeting_organiser_failure: Money
    meeting_disruption: Money
    unclear_swap: Money
    penalty_cap_ratio: Decimal = Field(ge=0, le=1, description="个人赔偿每月上限（占绩效奖金比例）")
    # 第二十四条 reads "警告一次,罚扣绩效奖金100%" — more than a minor demerit's 30 %, which looks
    # like a slip in the regulation; CMP-9 names no amount for a warning, so the default is 0 and
    # the company sets its own reading here.
    warning_ratio: Decimal = Field(default=Decimal(0), ge=0, le=1, description="警告扣绩效比例")
    minor_demerit_ratio: Decimal = Field(ge=0, le=1, description="小过扣绩效比例")
    major_demerit_ratio: Decimal = Field(ge=0, le=1, description="大过及以上扣绩效比例")


# --- commission -----------------------------------------------------------------------------
class CommissionPolicy(_Strict):
    """提成与销售奖励 (PERF-2, PERF-3)."""

    conversion_threshold: Decimal = Field(ge=0, le=1, description="询单转化率分界")
    rate_below: Decimal = Field(ge=0, le=1, description="转化率低于分界的提成比例")
    rate_at_or_above: Decimal = Field(ge=0, le=1, description="转化率达到分界的提成比例")
    top_seller_awards: list[Money] = Field(min_length=1, description="销售冠军：连续1/2/3+个月奖励")
    return_visit_monthly_champion: Money
    return_visit_weekly_champion: Money
    return_visit_third_place: Money


DOMAINS: dict[str, type[_Strict]] = {
    "security": SecurityPolicy,
    "org": OrgPolicy,
    "sla": SlaPolicy,
    "shifts": ShiftPolicy,
    "workforce": WorkforcePolicy,
    "scorecard": ScorecardPolicy,
    "fines": FinePolicy,
    "commission": CommissionPolicy,
}

DOMAIN_LABELS: dict[str, str] = {
    "security": "登录与会话",
    "org": "组织与审批",
    "sla": "服务时限",
    "shifts": "班次与排班",
    "workforce": "换班请假考勤",
    "scorecard": "绩效考核",
    "fines": "罚款与处分",
    "commission": "提成与奖励",
}
