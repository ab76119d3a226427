"""What one generated repair order looks like — 维修单规模数据的分布 (used by ``seed_repairs``).

The PostgreSQL path computes the same distribution in SQL (``_repair_sql.py``); this module is
the portable path (SQLite, small counts) and the one place that turns an order's facts into its
stored clock fields, with the same pure functions the services use (``kefu.aftersales.clocks``).

Stage times are hours after the fault report, along one of three paths:

* on site, fixed (81 %): 派工 within ~6 h, 到场 within 24 h (5 % later), 修复 within ~20 h of
  arrival (6 % much later), 签收 within a day, 关闭 within three days;
* on site with a spare unit (12 %): 备用机 within ~30 h of arrival; half are repaired later;
* remote (7 %, TKT-8): 远程解决 within ~12 h, half of them assigned first; closed within two days.

A stage happens only if its time is not in the future, so old orders are closed and the last
days' orders are spread over every status. 0.6 % get stuck (never arrive / never closed).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from kefu.core.calendar import SHANGHAI

from ...clocks import CLOCK_KEYS, RepairFacts, events_due, next_check, readings

FAULTS = (
    "设备无法开机",
    "图像卡顿",
    "网络不通",
    "屏幕花屏",
    "噪音大",
    "无法录像",
    "门禁无法刷卡",
    "电源指示灯不亮",
    "遥控无反应",
    "系统频繁重启",
    "声音断续",
    "无法联网升级",
)
WORK_DONE = "更换主板，测试正常"
REMOTE_NOTE = "远程指导客户重启并恢复设置，故障排除"
# Shares of the three paths and of the late stages (see the module docstring).
REMOTE_SHARE, SPARE_SHARE = 0.07, 0.12
LATE_ARRIVAL, LATE_FIX = 0.05, 0.06
STUCK_BEFORE_ARRIVAL, STUCK_BEFORE_CLOSE = 0.002, 0.006
WITH_INSTALLATION = 0.85


@dataclass
class Plan:
    """Stage offsets in hours after the report (None: the stage is not on this order's path)."""

    assign: float | None
    arrive: float | None
    fix: float | None
    spare: float | None
    remote: float | None
    sign: float | None
    close: float | None


def plan_stages(r: list[float]) -> Plan:
    """The stage offsets from 10 uniform numbers (the SQL path uses the same formulas)."""
    r_path, r_late, r_a, r_b, r_c, r_d, r_e, r_spfix, r_stuck, r_rassign = r
    assign = 0.1 + r_a * r_a * 6
    if r_path < REMOTE_SHARE:
        remote = 0.2 + r_b * 12
        assigned = assign if r_rassign < 0.5 and assign < remote else None
        close = None if r_stuck < STUCK_BEFORE_CLOSE else remote + 0.5 + r_e * 48
        return Plan(assigned, None, None, None, remote, None, close)
    late_arrival = r_late < LATE_ARRIVAL
    arrive = 24.2 + r_b * 36 if late_arrival else assign + 0.3 + r_b * (23.2 - assign)
    fix = spare = None
    if r_path < REMOTE_SHARE + SPARE_SHARE:
        spare = arrive + 1 + r_c * 30
        fix = spare + 6 + r_spfix * 180 if r_spfix < 0.5 else None
        done = fix if fix is not None else spare
    else:
        late = LATE_ARRIVAL <= r_late < LATE_ARRIVAL + LATE_FIX
        fix = arrive + 0.5 + (30 + r_c * 60 if late else r_c * 20)
        done = fix
    sign = done + 0.2 + r_d * 24
    close = sign + 1 + r_e * 72
    if r_stuck < STUCK_BEFORE_ARRIVAL:
        arrive = fix = spare = sign = close = None
    elif r_stuck < STUCK_BEFORE_CLOSE:
        close = None
    return Plan(assign, arrive, fix, spare, None, sign, close)


def status_of(at: dict[str, dt.datetime | None]) -> str:
    """The status an order with these stage times is in (the last stage reached)."""
    for key, status in (
        ("closed_at", "closed"),
        ("signed_at", "signed_off"),
        ("remote_at", "remote"),
        ("fixed_at", "fixed"),
        ("spare_at", "spare"),
        ("arrived_at", "arrived"),
        ("assigned_at", "assigned"),
    ):
        if at.get(key) is not None:
            return status
    return "reported"


def clock_fields(
    facts: RepairFacts,
    dues: dict[str, dt.datetime],
    *,
    status: str,
    closed_at: dt.datetime | None,
    now: dt.datetime,
    warn: float,
) -> dict[str, Any]:
    """Breach flags, ``notified`` and ``next_check_at`` as ``services.clock.refresh_clock`` leaves
    them after every stage and every scan up to ``now``: a closed order was last checked when it
    was closed (nothing is checked after that), an open one now.
    """
    at = closed_at if status == "closed" and closed_at is not None else now
    flags = {r.key: r.breached for r in readings(facts, dues, now=at, warn_before_hours=warn)}
    sent = set(events_due(facts, dues, now=at, warn_before_hours=warn, sent=set()))
    out: dict[str, Any] = {f"{k}_breached": flags[k] for k in CLOCK_KEYS}
    out["breached"] = any(flags.values())
    out["notified"] = sorted(sent)
    out["next_check_at"] = (
        None if status == "closed" else next_check(facts, dues, warn_before_hours=warn, sent=sent)
    )
    return out


def reported_at(rng: random.Random, day: dt.date, latest: dt.datetime) -> dt.datetime:
    """A report time on ``day`` (Asia/Shanghai): 85 % in working hours 08:00–20:00."""
    if rng.random() < 0.85:
        seconds = 8 * 3600 + rng.random() * 12 * 3600
    else:
        seconds = rng.random() * 24 * 3600
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return min(start + dt.timedelta(seconds=seconds), latest)


def stage_times(
    plan: Plan, reported: dt.datetime, now: dt.datetime
) -> dict[str, dt.datetime | None]:
    """Absolute stage times; stages after ``now`` have not happened (None)."""

    def at(hours: float | None) -> dt.datetime | None:
        if hours is None:
            return None
        value = reported + dt.timedelta(hours=hours)
        return value if value <= now else None

    return {
        "assigned_at": at(plan.assign),
        "arrived_at": at(plan.arrive),
        "fixed_at": at(plan.fix),
        "spare_at": at(plan.spare),
        "remote_at": at(plan.remote),
        "signed_at": at(plan.sign),
        "closed_at": at(plan.close),
    }
