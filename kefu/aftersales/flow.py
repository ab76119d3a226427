"""Repair-order stages — 维修单流程 (AS-2, TKT-8): a pure state machine, no database.

    已报修 ──派工──▶ 已派工 ──到场──▶ 已到场 ──修复──▶ 已修复 ─────┐
      │               │                  └──装备用机──▶ 已装备用机 ─┼─签收─▶ 客户已签收 ─关闭─▶ 已关闭
      └──远程解决─────┴──────────────────────────▶ 远程解决 ─────────────────────关闭──┘

* 改派 (assign again) is allowed while 已派工: the technician can change before arriving.
* After a spare unit is in place the original may still be repaired (已装备用机 → 已修复).
* 远程解决 (TKT-8) closes without a visit or a signature; it is possible only before arrival.
"""

from __future__ import annotations

from enum import StrEnum

from .choices import RepairStatus as S


class RepairAction(StrEnum):
    ASSIGN = "assign"
    ARRIVE = "arrive"
    FIX = "fix"
    SPARE = "spare"
    REMOTE = "remote"
    SIGN_OFF = "sign_off"
    CLOSE = "close"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[RepairAction, str] = {
    RepairAction.ASSIGN: "派工",
    RepairAction.ARRIVE: "登记到场",
    RepairAction.FIX: "登记修复",
    RepairAction.SPARE: "登记备用机/备件",
    RepairAction.REMOTE: "远程解决",
    RepairAction.SIGN_OFF: "客户签收",
    RepairAction.CLOSE: "关闭维修单",
}

TRANSITIONS: dict[tuple[str, RepairAction], str] = {
    (S.REPORTED, RepairAction.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, RepairAction.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, RepairAction.ARRIVE): S.ARRIVED,
    (S.ARRIVED, RepairAction.FIX): S.FIXED,
    (S.ARRIVED, RepairAction.SPARE): S.SPARE,
    (S.SPARE, RepairAction.FIX): S.FIXED,
    (S.REPORTED, RepairAction.REMOTE): S.REMOTE,
    (S.ASSIGNED, RepairAction.REMOTE): S.REMOTE,
    (S.FIXED, RepairAction.SIGN_OFF): S.SIGNED_OFF,
    (S.SPARE, RepairAction.SIGN_OFF): S.SIGNED_OFF,
    (S.SIGNED_OFF, RepairAction.CLOSE): S.CLOSED,
    (S.REMOTE, RepairAction.CLOSE): S.CLOSED,
}

# The on-site record (work done, parts, photos) is kept from arrival until the order is closed.
ONSITE_STATUSES: frozenset[str] = frozenset({S.ARRIVED, S.FIXED, S.SPARE, S.SIGNED_OFF})
# The report time may be corrected (entered late) until someone has arrived.
REPORT_EDITABLE_STATUSES: frozenset[str] = frozenset({S.REPORTED, S.ASSIGNED, S.REMOTE})


class TransitionError(ValueError):
    """The action is not possible in this status."""


def allowed_actions(status: str) -> list[RepairAction]:
    """Actions possible from ``status``, in flow order."""
    return [a for a in RepairAction if (status, a) in TRANSITIONS]


def next_status(status: str, action: RepairAction | str) -> str:
    """The status after ``action``; TransitionError when it is not allowed now."""
    try:
        key = (status, RepairAction(action))
    except ValueError as exc:
        raise TransitionError(f"未知的操作：{action}") from exc
    if key not in TRANSITIONS:
        label = S(status).label if status in S.values else status
        raise TransitionError(f"维修单{label}，不能{RepairAction(action).label}")
    return TRANSITIONS[key]


def is_terminal(status: str) -> bool:
    return not allowed_actions(status)
