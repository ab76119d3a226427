"""Duty writes — 交接班与在线服务: the only path that changes handovers, flags and presence."""

from .handover import handover_acknowledge, handover_create, handover_flag_waive, incoming_for
from .presence import presence_set, presence_violation_excuse
from .scan import ScanResult, duty_scan

__all__ = [
    "ScanResult",
    "duty_scan",
    "handover_acknowledge",
    "handover_create",
    "handover_flag_waive",
    "incoming_for",
    "presence_set",
    "presence_violation_excuse",
]
