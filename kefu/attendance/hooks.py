"""Hooks of the attendance module — 考勤扩展点.

The roster says only that a day is ``leave`` (请假); the 考勤月报 lists leave days by type (事假,
病假, 年假 …). The leave module registers a source from its ``AppConfig.ready()``:

    from kefu.attendance.hooks import register_leave_type_source
    register_leave_type_source("leave", fn)  # fn(employee_ids, start, end) → {(emp, day): "事假"}

Without a source the report shows the total only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

LeaveTypeSource = Callable[[Sequence[int], dt.date, dt.date], Mapping[tuple[int, dt.date], str]]

_SOURCES: dict[str, LeaveTypeSource] = {}


def register_leave_type_source(key: str, source: LeaveTypeSource) -> None:
    """One source per key; registering again replaces it."""
    _SOURCES[key] = source


def leave_types(
    employee_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee, day) → the Chinese name of the leave type, from every registered source."""
    found: dict[tuple[int, dt.date], str] = {}
    if not employee_ids:
        return found
    for key in sorted(_SOURCES):
        found.update(_SOURCES[key](employee_ids, start, end))
    return found


# --- part-day leave ------------------------------------------------------------------------------
# Approved leave of half a day or less keeps the shift in the roster; the classifier excuses the
# half it covers. The leave module registers a source:
#     register_part_leave_source("leave", fn)  # fn(ids, start, end) → {(emp, day): "start"|"end"}
PartLeaveSource = Callable[[Sequence[int], dt.date, dt.date], Mapping[tuple[int, dt.date], str]]

_PART_SOURCES: dict[str, PartLeaveSource] = {}


def register_part_leave_source(key: str, source: PartLeaveSource) -> None:
    """One source per key; registering again replaces it."""
    _PART_SOURCES[key] = source


def part_leave(
    employee_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(employee, day) → ``"start"`` (上半班) or ``"end"`` (下半班) of approved half-day leave."""
    found: dict[tuple[int, dt.date], str] = {}
    if not employee_ids:
        return found
    for key in sorted(_PART_SOURCES):
        found.update(_PART_SOURCES[key](employee_ids, start, end))
    return found


# --- shifts handed over by a swap ----------------------------------------------------------------
# WFM-3 "交代不清造成误班、空班的按旷工处理": when the person who took a shift over by an approved
# swap does not come, the one who handed it over is judged with them. The swap module registers:
#     register_handed_shift_source("swaps", fn)  # fn(ids, start, end) → [HandedShift, ...]
@dataclass(frozen=True)
class HandedShift:
    """A rostered shift one person handed to another by an approved swap — 换班交出的班次."""

    day: dt.date
    holder_id: int  # works it after the swap (接班人)
    giver_id: int  # had it before the swap (交班人)
    code: str  # the roster code handed over
    reference: str  # the swap's number, shown in the incident text (HB000123)


HandedShiftSource = Callable[[Sequence[int], dt.date, dt.date], Iterable[HandedShift]]

_HANDED_SOURCES: dict[str, HandedShiftSource] = {}


def register_handed_shift_source(key: str, source: HandedShiftSource) -> None:
    """One source per key; registering again replaces it."""
    _HANDED_SOURCES[key] = source


def handed_shifts(employee_ids: Sequence[int], start: dt.date, end: dt.date) -> list[HandedShift]:
    """Shifts handed over on ``start``..``end`` in which one of ``employee_ids`` is either party."""
    found: list[HandedShift] = []
    if not employee_ids:
        return found
    for key in sorted(_HANDED_SOURCES):
        found.extend(_HANDED_SOURCES[key](employee_ids, start, end))
    return found
