"""Payroll inputs — 工资核算输入的列与来源 (PERF-8, CMP-9, PERF-2..4).

The month close asks every registered *source* for its lines of a month and puts them into one
row per employee (PayrollLine). Each source owns some columns: the score card (score, band
deduction, bonuses, the supervisor's ±), the incident ledger (fines, rewards, sanctions), the
complaint compensation (this month's instalment and what is carried over), sales (commission).
Sources are plain functions registered from an app's ``ready()``, so the close needs no import of
the modules it adds up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PayrollColumn:
    """One column of the payroll-input sheet. ``in_net``: the amount adds into 合计."""

    key: str
    label: str
    in_net: bool = True
    money: bool = True


# The sheet's columns in order (工号/姓名/部门/班组 come first, 合计 last).
COLUMNS: tuple[PayrollColumn, ...] = (
    PayrollColumn("score", "考核分", in_net=False, money=False),
    PayrollColumn("band_deduction", "分段扣款"),
    PayrollColumn("full_attendance_bonus", "全勤奖"),
    PayrollColumn("performance_bonus", "工作表现奖"),
    PayrollColumn("high_score_bonus", "高分奖"),
    PayrollColumn("supervisor_adjust", "主管奖惩"),
    PayrollColumn("commission", "销售提成"),
    PayrollColumn("rewards", "奖励"),
    PayrollColumn("fines", "罚款"),
    PayrollColumn("sanction_deduction", "处分扣款"),
    PayrollColumn("compensation", "赔偿扣款（本月）"),
    PayrollColumn("carry_over", "赔偿结转下月", in_net=False),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


@dataclass(frozen=True)
class PayLine:
    """One figure of one employee for one column; signed (negative = deducted from pay)."""

    employee_id: int
    column: str
    amount: Decimal
    note: str = ""


@dataclass
class PayrollResult:
    """What the sources produced for one employee, before it is stored."""

    employee_id: int
    amounts: dict[str, Decimal] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        by_key = {c.key: c for c in COLUMNS}
        return sum(
            (v for k, v in self.amounts.items() if by_key[k].in_net),
            Decimal("0"),
        )


# source(month, employee_ids or None) → lines of that month. A source may also report flags
# (口头警告, 建议辞退 …) as lines of the pseudo-column "flag" with the flag text as ``note``.
PayrollSource = Callable[[dt.date, Sequence[int] | None], Iterable[PayLine]]
FLAG = "flag"

_SOURCES: dict[str, PayrollSource] = {}


def register_payroll_source(key: str, source: PayrollSource) -> None:
    """Called from an app's ``ready()``; one source per key (re-registering replaces it)."""
    _SOURCES[key] = source


def payroll_sources() -> dict[str, PayrollSource]:
    """The registered sources by key (for tests and the close)."""
    return dict(_SOURCES)


def collect_payroll(
    month: dt.date, employee_ids: Sequence[int] | None = None
) -> dict[int, PayrollResult]:
    """Every source's lines of ``month`` summed per employee and column (pure over the sources)."""
    results: dict[int, PayrollResult] = {}
    for key in sorted(_SOURCES):
        for line in _SOURCES[key](month, employee_ids):
            row = results.setdefault(line.employee_id, PayrollResult(line.employee_id))
            if line.column == FLAG:
                if line.note and line.note not in row.flags:
                    row.flags.append(line.note)
                continue
            if line.column not in COLUMN_KEYS:
                raise ValueError(f"unknown payroll column {line.column!r} from source {key!r}")
            row.amounts[line.column] = row.amounts.get(line.column, Decimal("0")) + line.amount
    return results


# --- before the close --------------------------------------------------------------------------
# preparer(month, actor) → a short Chinese summary ("导入考勤事件 12 条"). The manager's review of
# a month (and the close job, again, so nothing arriving in between is missed) first runs every
# preparer: the ledger reads the workforce incidents, compensation reads the complaint findings,
# sales books the month's rankings. Each must be idempotent.
ClosePreparer = Callable[[dt.date, object], str]

_PREPARERS: dict[str, ClosePreparer] = {}


def register_close_preparer(key: str, preparer: ClosePreparer) -> None:
    """Called from an app's ``ready()``; one preparer per key (re-registering replaces it)."""
    _PREPARERS[key] = preparer


def run_close_preparers(month: dt.date, actor: object) -> list[str]:
    """Run every preparer for ``month`` in key order; their summaries in that order."""
    return [_PREPARERS[key](month, actor) for key in sorted(_PREPARERS)]
