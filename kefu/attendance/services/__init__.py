"""Attendance writes — 考勤服务: the only path that changes clocks, days, corrections, reports."""

from .classification import (
    ClassifyResult,
    attendance_classify_daily,
    attendance_recompute,
    classify_range,
)
from .clock import PunchResult, clock_punch
from .corrections import (
    correction_cancel,
    correction_create,
    correction_decide,
    correction_time,
    day_frame,
)
from .imports import ClockImportResult, clock_import, clock_import_submit
from .reports import report_submit

__all__ = [
    "ClassifyResult",
    "ClockImportResult",
    "PunchResult",
    "attendance_classify_daily",
    "attendance_recompute",
    "classify_range",
    "clock_import",
    "clock_import_submit",
    "clock_punch",
    "correction_cancel",
    "correction_create",
    "correction_decide",
    "correction_time",
    "day_frame",
    "report_submit",
]
