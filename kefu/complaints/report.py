"""投诉调查报告 — the investigation report's content and its checks (CMP-5, CMP-8, CMP-10), pure.

[000] 第十条: the investigating department establishes whether the complaint's scope (quantity,
amount) is true, whether its reasons are sound, what the customer aims at, whether the demand is
legitimate; 第十七条: the report gives the cause, the course of events, the persons responsible,
the conclusion, countermeasures and prevention. Responsibility goes to the smallest unit that can
be named (CMP-8): each share names a department, optionally a team and a person; the shares of a
report add up to exactly 100 %.

``report_problems(data)`` returns ``{field: 中文 message}`` — empty when the report may be
submitted. Whether the named team and person belong to the named department needs the database
and is checked by the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .choices import Sanction, SanctionTrigger

MIN_TEXT = 2
MAX_TEXT = 4000
HUNDRED = Decimal("100")
# 损失金额 is stored with 12 digits, 2 after the point; a larger figure is a typo.
MAX_LOSS = Decimal("9999999999.99")

# Text items of the report, in the order of the printed form.
TEXT_ITEMS: Mapping[str, str] = {
    "aim": "投诉目的",
    "cause": "发生原因",
    "course": "具体经过",
    "conclusion": "结论",
    "countermeasures": "对策",
    "prevention": "防范措施",
}
YES_NO_ITEMS: Mapping[str, str] = {
    "scope_true": "投诉范围（数量、金额等）是否属实",
    "reasons_sound": "投诉理由是否合理",
    "demand_legitimate": "客户要求是否正当",
}


@dataclass(frozen=True)
class ShareData:
    """ShareData — 责任划分: one responsible unit and its share of the responsibility in %."""

    department_id: int | None
    percent: Any
    team_id: int | None = None
    employee_id: int | None = None
    sanction_trigger: str = ""
    sanction: str = ""


@dataclass(frozen=True)
class InvestigationData:
    """InvestigationData — 投诉调查报告的内容, as submitted."""

    scope_true: bool | None = None
    reasons_sound: bool | None = None
    demand_legitimate: bool | None = None
    aim: str = ""
    cause: str = ""
    course: str = ""
    conclusion: str = ""
    countermeasures: str = ""
    prevention: str = ""
    loss_amount: Any = Decimal("0")
    shares: tuple[ShareData, ...] = field(default_factory=tuple)

    @property
    def company_at_fault(self) -> bool:
        """Does the report find the complaint founded (scope true and reasons sound)?"""
        return bool(self.scope_true) and bool(self.reasons_sound)


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from user input, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _two_places(number: Decimal) -> bool:
    return number == number.quantize(Decimal("0.01"))


def _share_problems(index: int, share: ShareData) -> dict[str, str]:
    key = f"shares.{index}"
    problems: dict[str, str] = {}
    if share.department_id is None:
        problems[f"{key}.department"] = "请选择责任部门"
    percent = as_decimal(share.percent)
    if percent is None:
        problems[f"{key}.percent"] = "责任比例须是数字"
    elif percent <= 0 or percent > HUNDRED:
        problems[f"{key}.percent"] = "责任比例须大于0且不超过100"
    elif not _two_places(percent):
        problems[f"{key}.percent"] = "责任比例最多两位小数"
    if share.sanction_trigger and share.sanction_trigger not in SanctionTrigger.values:
        problems[f"{key}.sanction_trigger"] = "处分判定项目不在可选范围内"
    if share.sanction and (
        share.sanction not in Sanction.values or share.sanction == Sanction.FINE
    ):
        # 罚款 is CMP-11's outcome, computed when the complaint is closed; it is not proposed.
        problems[f"{key}.sanction"] = "处分建议不在可选范围内"
    return problems


def report_problems(data: InvestigationData) -> dict[str, str]:
    """What is missing or wrong in a report (empty when it may be submitted)."""
    problems: dict[str, str] = {}
    for name, label in YES_NO_ITEMS.items():
        if getattr(data, name) is None:
            problems[name] = f"请选择{label}"
    for name, label in TEXT_ITEMS.items():
        text = (getattr(data, name) or "").strip()
        if len(text) < MIN_TEXT:
            problems[name] = f"请填写{label}"
        elif len(text) > MAX_TEXT:
            problems[name] = f"{label}最多{MAX_TEXT}个字"
    loss = as_decimal(data.loss_amount)
    if loss is None:
        problems["loss_amount"] = "损失金额须是数字"
    elif loss < 0 or loss > MAX_LOSS:
        problems["loss_amount"] = "损失金额须在0到9999999999.99之间"
    elif not _two_places(loss):
        problems["loss_amount"] = "损失金额最多两位小数"

    shares = tuple(data.shares)
    if not shares:
        # An unfounded complaint (scope untrue or reasons unsound) has nobody to blame; a founded
        # one always names the responsible unit (CMP-8).
        if data.scope_true is not False and data.reasons_sound is not False:
            problems["shares"] = "请划分责任（责任部门、班组或个人及比例）"
        return problems
    seen: set[tuple[int | None, int | None, int | None]] = set()
    total = Decimal("0")
    numeric = True
    for index, share in enumerate(shares):
        problems.update(_share_problems(index, share))
        unit = (share.department_id, share.team_id, share.employee_id)
        if unit in seen:
            problems[f"shares.{index}.department"] = "同一责任单位只能列一次"
        seen.add(unit)
        percent = as_decimal(share.percent)
        if percent is None:
            numeric = False
        else:
            total += percent
    if numeric and total != HUNDRED and "shares" not in problems:
        problems["shares"] = f"责任比例合计须为100%，现为{total.normalize():f}%"
    return problems
