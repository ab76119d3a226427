"""Score-card rules — 考核计分卡的计分规则 (PERF-4), pure functions over plain data.

A month's card starts from the scheme's base (百分制 ``scorecard.base_points``, 十分制
``performance.ten_point_base``) and adds the points of every *counted* ledger line booked in the
month (reversal lines included, so a revoked line cancels out). The rules that turn a score into
money and flags:

百分制 (PERF-4 b, seed 004 ⑤–⑦):
- 分段扣款: each point lost below the base costs the rate of the band it falls in
  (100–90: 10 元/分, 90–80: 20, 80–70: 30, 70–60: 40 — ``scorecard.bands``); a fraction of a
  point costs the same fraction (85.5 → 10×10 + 4.5×20 = 190 元). Below the lowest band nothing
  more is deducted (every band is used up) and the card proposes 建议辞退 (``dismissal_below``).
- 全勤奖 (``full_attendance_bonus``) unless a live line of a rule marked
  ``breaks_full_attendance`` (迟到、早退、旷工、旷班、缺卡未补) is counted in the month, or approved
  leave of a type missing from ``performance.full_attendance_kept_leave`` (full_attendance.py).
  By default every leave type keeps it: the seed cancels 全勤奖 only for 缺卡/私自离岗/旷工, and
  WFM-5 charges leave against 调休, which the attendance module turns into an absence line when
  over the quota.
- 工作表现奖 (``performance_bonus``) every month; ≥ ``high_score_threshold`` → 高分奖.
- 客服主管: +``supervisor_bonus`` when at least half of the department's scored people reach the
  base (满分或满分以上), −``supervisor_malus`` when anyone is below ``dismissal_below``; both can
  apply in one month.

十分制 (PERF-4 a, seed 000 §2.3): ≤ ``ten_point_warning_at_or_below`` → 口头警告,
≤ ``ten_point_penalty_at_or_below`` → 处罚 (the stronger flag replaces the warning), and
``ten_point_low_months_for_severe`` months running at or below the penalty line → 严重处罚.
No band money, no bonuses.

Cards reset monthly: nothing carries over except the 十分制 low-month streak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")

POINTS100 = "points100"
POINTS10 = "points10"

# Flags — the wording of the regulations (shown on cards and in the payroll input's 提示).
FLAG_WARNING = "口头警告"
FLAG_PENALTY = "处罚"
FLAG_SEVERE = "严重处罚"
FLAG_DISMISSAL = "建议辞退"
FLAGS = (FLAG_WARNING, FLAG_PENALTY, FLAG_SEVERE, FLAG_DISMISSAL)


def dec(value: Any) -> Decimal:
    """A Decimal from a policy number (floats through their text, so 0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def money(value: Decimal) -> Decimal:
    """Rounded to the fen (分), half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Band:
    """扣分分段: points between ``lower`` (exclusive) and ``upper`` cost ``rate`` 元 each."""

    upper: Decimal
    lower: Decimal
    rate: Decimal


@dataclass(frozen=True)
class CardRules:
    """The numbers of one scheme for one month (policy versions in force on the month's last day)."""

    scheme: str
    base: Decimal
    bands: tuple[Band, ...] = ()
    dismissal_below: Decimal = ZERO
    full_attendance_bonus: Decimal = ZERO
    performance_bonus: Decimal = ZERO
    high_score_threshold: Decimal | None = None
    high_score_bonus: Decimal = ZERO
    supervisor_bonus: Decimal = ZERO
    supervisor_malus: Decimal = ZERO
    warning_at_or_below: Decimal | None = None
    penalty_at_or_below: Decimal | None = None
    low_months_for_severe: int = 0


def rules_from_policy(scheme: str, scorecard: Any, ten_point_base: Any) -> CardRules:
    """CardRules of ``scheme`` from the ``scorecard`` policy and ``performance.ten_point_base``."""
    if scheme == POINTS10:
        return CardRules(
            scheme=POINTS10,
            base=dec(ten_point_base),
            warning_at_or_below=dec(scorecard.ten_point_warning_at_or_below),
            penalty_at_or_below=dec(scorecard.ten_point_penalty_at_or_below),
            low_months_for_severe=int(scorecard.ten_point_low_months_for_severe),
        )
    return CardRules(
        scheme=POINTS100,
        base=dec(scorecard.base_points),
        bands=tuple(
            Band(dec(b.upper), dec(b.lower), dec(b.money_per_point)) for b in scorecard.bands
        ),
        dismissal_below=dec(scorecard.dismissal_below),
        full_attendance_bonus=dec(scorecard.full_attendance_bonus),
        performance_bonus=dec(scorecard.performance_bonus),
        high_score_threshold=dec(scorecard.high_score_threshold),
        high_score_bonus=dec(scorecard.high_score_bonus),
        supervisor_bonus=dec(scorecard.supervisor_bonus),
        supervisor_malus=dec(scorecard.supervisor_malus),
    )


@dataclass(frozen=True)
class BandLine:
    """One band's share of the deduction: points lost inside it and what they cost (元, ≥ 0)."""

    band: Band
    points: Decimal
    amount: Decimal


def band_lines(score: Decimal, bands: Iterable[Band]) -> list[BandLine]:
    """分段扣款 per band for ``score`` (only the bands it reaches into)."""
    lines = []
    for band in bands:
        if score >= band.upper:
            continue
        lost = band.upper - max(score, band.lower)
        if lost > 0:
            lines.append(BandLine(band, lost, money(lost * band.rate)))
    return lines


def band_deduction(score: Decimal, bands: Iterable[Band]) -> Decimal:
    """分段扣款 in 元 (a magnitude, ≥ 0) for ``score``."""
    return sum((line.amount for line in band_lines(score, bands)), ZERO)


@dataclass(frozen=True)
class SupervisorAdjust:
    """客服主管奖惩 from the department's scored people (PERF-4 b ⑦)."""

    scored: int = 0
    at_or_above_base: int = 0
    below_dismissal: int = 0
    bonus: Decimal = ZERO
    malus: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.bonus - self.malus


def supervisor_adjust(scores: Sequence[Decimal], rules: CardRules) -> SupervisorAdjust:
    """+bonus when at least half of ``scores`` reach the base, −malus when any is below the
    dismissal line. Only the 百分制 has it; no scored people → nothing."""
    if rules.scheme != POINTS100 or not scores:
        return SupervisorAdjust(scored=len(scores))
    full = sum(1 for s in scores if s >= rules.base)
    low = sum(1 for s in scores if s < rules.dismissal_below)
    return SupervisorAdjust(
        scored=len(scores),
        at_or_above_base=full,
        below_dismissal=low,
        bonus=rules.supervisor_bonus if 2 * full >= len(scores) else ZERO,
        malus=rules.supervisor_malus if low else ZERO,
    )


def is_low_month(score: Decimal, rules: CardRules) -> bool:
    """十分制: at or below the penalty line (counts towards 严重处罚)."""
    return rules.penalty_at_or_below is not None and score <= rules.penalty_at_or_below


def low_streak(low_months: Sequence[bool]) -> int:
    """How many months running, ending with the last of ``low_months`` (oldest first), were low."""
    n = 0
    for low in reversed(low_months):
        if not low:
            break
        n += 1
    return n


@dataclass(frozen=True)
class ScoreCard:
    """考核计分卡 of one person for one month. Money is signed (negative = 扣款)."""

    scheme: str
    base: Decimal
    points: Decimal
    score: Decimal
    band_deduction: Decimal = ZERO
    full_attendance_bonus: Decimal = ZERO
    performance_bonus: Decimal = ZERO
    high_score_bonus: Decimal = ZERO
    supervisor_adjust: Decimal = ZERO
    flags: tuple[str, ...] = ()
    lost_full_attendance: bool = False
    streak: int = 0
    bands: tuple[BandLine, ...] = field(default=(), compare=False)

    @property
    def total(self) -> Decimal:
        """合计 of the card's money (分段扣款 + 奖金 + 主管奖惩)."""
        return (
            self.band_deduction
            + self.full_attendance_bonus
            + self.performance_bonus
            + self.high_score_bonus
            + self.supervisor_adjust
        )

    def amounts(self) -> dict[str, Decimal]:
        """The payroll columns of the card (``kefu.performance.payroll.COLUMNS`` keys)."""
        return {
            "score": self.score,
            "band_deduction": self.band_deduction,
            "full_attendance_bonus": self.full_attendance_bonus,
            "performance_bonus": self.performance_bonus,
            "high_score_bonus": self.high_score_bonus,
            "supervisor_adjust": self.supervisor_adjust,
        }


def score_card(
    rules: CardRules,
    *,
    points: Decimal,
    breaks_full_attendance: bool = False,
    low_months_before: Sequence[bool] = (),
    supervisor: SupervisorAdjust | None = None,
) -> ScoreCard:
    """The card for ``points`` (the month's counted points, signed) under ``rules``.

    ``low_months_before``: for the 十分制, whether each preceding month (oldest first) was at or
    below the penalty line. ``supervisor``: the ± of a 客服主管 (None for everyone else).
    """
    score = rules.base + points
    if rules.scheme == POINTS10:
        flags: list[str] = []
        streak = low_streak([*low_months_before, is_low_month(score, rules)])
        if rules.penalty_at_or_below is not None and score <= rules.penalty_at_or_below:
            flags.append(FLAG_PENALTY)
        elif rules.warning_at_or_below is not None and score <= rules.warning_at_or_below:
            flags.append(FLAG_WARNING)
        if rules.low_months_for_severe and streak >= rules.low_months_for_severe:
            flags.append(FLAG_SEVERE)
        return ScoreCard(
            scheme=POINTS10,
            base=rules.base,
            points=points,
            score=score,
            flags=tuple(flags),
            streak=streak,
        )
    lines = tuple(band_lines(score, rules.bands))
    high = rules.high_score_threshold is not None and score >= rules.high_score_threshold
    return ScoreCard(
        scheme=POINTS100,
        base=rules.base,
        points=points,
        score=score,
        band_deduction=-sum((line.amount for line in lines), ZERO),
        full_attendance_bonus=ZERO if breaks_full_attendance else rules.full_attendance_bonus,
        performance_bonus=rules.performance_bonus,
        high_score_bonus=rules.high_score_bonus if high else ZERO,
        supervisor_adjust=supervisor.amount if supervisor is not None else ZERO,
        flags=(FLAG_DISMISSAL,) if score < rules.dismissal_below else (),
        lost_full_attendance=breaks_full_attendance,
        bands=lines,
    )


def frozen_card(
    rules: CardRules,
    *,
    score: Decimal,
    amounts: dict[str, Any],
    flags: Iterable[str],
) -> ScoreCard:
    """A closed month's card rebuilt from its PayrollLine snapshot (never recomputed money)."""

    def amount(key: str) -> Decimal:
        return dec(amounts.get(key, "0"))

    lines = tuple(band_lines(score, rules.bands)) if rules.scheme == POINTS100 else ()
    return ScoreCard(
        scheme=rules.scheme,
        base=rules.base,
        points=score - rules.base,
        score=score,
        band_deduction=amount("band_deduction"),
        full_attendance_bonus=amount("full_attendance_bonus"),
        performance_bonus=amount("performance_bonus"),
        high_score_bonus=amount("high_score_bonus"),
        supervisor_adjust=amount("supervisor_adjust"),
        flags=tuple(f for f in flags if f in FLAGS),
        lost_full_attendance=rules.scheme == POINTS100
        and amount("full_attendance_bonus") == 0
        and rules.full_attendance_bonus > 0,
        bands=lines,
    )
