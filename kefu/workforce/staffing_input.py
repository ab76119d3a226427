"""Staffing calculator input — 话务量测算参数 (WFM-1): what the page and the API hand to the Erlang C
functions of ``rostering.staffing``, parsed and checked with Chinese messages.

A forecast is a *typical day* of contacts per interval, given either

* by interval (``08:30 120`` per line, pasted from Excel as two columns, or an .xlsx with the
  columns 时段 and 咨询量), the same for every day; or
* as a daily volume per weekday (周一 … 周日, 节假日) spread over the day by an intraday profile
  (percent per interval; the built-in ``DEFAULT_PROFILE`` when none is given).

``month_forecast`` turns it into the ``IntervalForecast`` list of a month for ``staff_month``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kefu.core.errors import DomainError

from .rostering.staffing import IntervalForecast

MAX_CALLS = 1_000_000
HOLIDAY = 7
DAY_KEYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日", "节假日")
# 常规营业日时段分布 (08:30–24:00, half-hour intervals, percent of the day's contacts): a morning
# peak, an afternoon plateau and the e-commerce evening peak.
DEFAULT_PROFILE: tuple[tuple[str, float], ...] = (
    ("08:30", 1.5), ("09:00", 2.5), ("09:30", 3.5), ("10:00", 4.5), ("10:30", 5.0),
    ("11:00", 4.8), ("11:30", 4.0), ("12:00", 2.8), ("12:30", 2.5), ("13:00", 3.0),
    ("13:30", 3.6), ("14:00", 4.2), ("14:30", 4.4), ("15:00", 4.4), ("15:30", 4.2),
    ("16:00", 4.0), ("16:30", 3.6), ("17:00", 3.2), ("17:30", 2.6), ("18:00", 2.2),
    ("18:30", 2.4), ("19:00", 2.8), ("19:30", 3.2), ("20:00", 3.6), ("20:30", 3.6),
    ("21:00", 3.2), ("21:30", 2.6), ("22:00", 2.0), ("22:30", 1.5), ("23:00", 1.0),
    ("23:30", 0.6),
)  # fmt: skip
_LINE = re.compile(
    r"^\s*(?:(\d{1,2})[:：](\d{2})(?:\s*[-–~至]\s*\d{1,2}[:：]\d{2})?[\s,，\t]+)?([\d.,]+)\s*$"
)


def _error(field_name: str, message: str) -> DomainError:
    return DomainError("staffing_invalid", message, fields={field_name: message})


@dataclass(frozen=True)
class StaffingParams:
    """测算参数: interval length, AHT, service-level target, occupancy cap, shrinkage."""

    interval_minutes: int = 30
    aht_seconds: float = 180.0
    target_sl: float = 0.8
    target_seconds: float = 20.0
    max_occupancy: float | None = None
    shrinkage: float = 0.3

    def check(self) -> StaffingParams:
        if self.interval_minutes not in (15, 30, 60):
            raise _error("interval_minutes", "时段长度只能是15、30或60分钟")
        if not 1 <= self.aht_seconds <= 7200:
            raise _error("aht_seconds", "平均处理时长须在1到7200秒之间")
        if not 0.01 <= self.target_sl <= 0.99:
            raise _error("target_sl", "服务水平目标须在1%到99%之间")
        if not 1 <= self.target_seconds <= 600:
            raise _error("target_seconds", "目标应答时间须在1到600秒之间")
        if self.max_occupancy is not None and not 0.1 <= self.max_occupancy <= 1:
            raise _error("max_occupancy", "最高占用率须在10%到100%之间")
        if not 0 <= self.shrinkage <= 0.9:
            raise _error("shrinkage", "缺勤率须在0到90%之间")
        return self


@dataclass(frozen=True)
class Forecast:
    """A typical day — 典型日预测: contacts per interval start (minutes from midnight), and the
    daily volume per weekday (0 = Monday … 6 = Sunday, 7 = 节假日) when given that way."""

    calls: tuple[tuple[int, float], ...]
    daily: dict[int, float] = field(default_factory=dict)
    profile: tuple[tuple[int, float], ...] = ()

    def day_calls(self, key: int) -> list[tuple[int, float]]:
        """Contacts per interval on a weekday ``key`` (7 = holiday)."""
        if not self.daily:
            return list(self.calls)
        volume = self.daily.get(key, self.daily.get(0, 0.0))
        total = sum(p for _, p in self.profile) or 1.0
        return [(start, round(volume * p / total, 2)) for start, p in self.profile]


def _clock(hours: str, minutes: str, line_no: int, interval: int) -> int:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59 or m % interval:
        raise _error(
            "intervals", f"第{line_no}行：时段“{hours}:{minutes}”不是{interval}分钟时段的开始"
        )
    return h * 60 + m


def parse_intervals(
    text: str, interval_minutes: int, field_name: str = "intervals"
) -> list[tuple[int, float]]:
    """``08:30 120`` (or ``08:30-09:00<TAB>120``, or one number per line from 00:00) per line →
    (start minute, value). Blank lines are skipped; a header line without numbers too."""
    out: dict[int, float] = {}
    sequential = 0
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            if line_no == 1 and not re.search(r"\d", line):
                continue  # a pasted header row (时段 咨询量)
            raise DomainError(
                "staffing_invalid",
                f"第{line_no}行格式不正确，应为“08:30 120”",
                fields={field_name: f"第{line_no}行格式不正确"},
            )
        if match.group(1) is not None:
            start = _clock(match.group(1), match.group(2), line_no, interval_minutes)
        else:
            start = sequential
        try:
            value = float(match.group(3).replace(",", ""))
        except ValueError as exc:
            raise _error(field_name, f"第{line_no}行的数量不是数字") from exc
        if not 0 <= value <= MAX_CALLS:
            raise _error(field_name, f"第{line_no}行的数量须在0到{MAX_CALLS}之间")
        if start in out:
            raise _error(field_name, f"第{line_no}行：时段重复")
        if start + interval_minutes > 24 * 60:
            raise _error(field_name, f"第{line_no}行：时段超出当天")
        out[start] = value
        sequential = start + interval_minutes
    if not out:
        raise _error(field_name, "请填写各时段的咨询量")
    return sorted(out.items())


def intervals_from_xlsx(data: bytes, interval_minutes: int) -> list[tuple[int, float]]:
    """An uploaded .xlsx with 时段 and 咨询量 in its first two columns → intervals."""
    from kefu.core.xlsx import cell_text, open_workbook

    workbook, sheet = open_workbook(data, "话务量")
    lines = []
    try:
        for cells in sheet.iter_rows(values_only=True, max_col=2, max_row=200):
            texts = [cell_text(c) for c in cells]
            if isinstance(cells[0], dt.time):
                texts[0] = cells[0].strftime("%H:%M")
            lines.append(" ".join(t for t in texts if t))
    finally:
        workbook.close()
    return parse_intervals("\n".join(lines), interval_minutes, "file")


def default_profile() -> list[tuple[int, float]]:
    return [(int(t[:2]) * 60 + int(t[3:]), p) for t, p in DEFAULT_PROFILE]


def profile_text(profile: Sequence[tuple[int, float]]) -> str:
    return "\n".join(f"{s // 60:02d}:{s % 60:02d} {p:g}" for s, p in profile)


def month_forecast(
    forecast: Forecast,
    days: Sequence[dt.date],
    aht_seconds: float,
    holidays: frozenset[dt.date] = frozenset(),
) -> list[IntervalForecast]:
    """The typical day spread over ``days`` (weekday volumes; holidays use 节假日)."""
    out = []
    for day in days:
        key = HOLIDAY if day in holidays and HOLIDAY in forecast.daily else day.weekday()
        for start, calls in forecast.day_calls(key):
            out.append(IntervalForecast(day=day, start_min=start, calls=calls, aht_s=aht_seconds))
    return out
