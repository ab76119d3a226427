"""Case workflow — 退换货处理环节: a pure state machine (no database).

``available_actions(facts)`` lists what an actor may do now; ``next_stage(facts, action, passed=)``
gives the stage after an action or raises ``TransitionError``. Each case type runs its own path:

* 退货: 已登记 → 待退回 → 已收货 → 验收合格/不合格 → 已退款
* 换货: 已登记 → 待退回 → 已收货 → 验收合格 → 已发出 → 已完成 (换货到达)
* 拦截退回 (AS-6): 已登记 → 待退回 (退件单) → 已收货 (订单员：原包裹已收到) → 已退款
* 破损: like 退货/换货 (退款 or 重发)
* 少件: 已登记 → 已发出 (补发) → 已完成, or 已退款
* 丢件: 已登记 → 索赔中 → 已发出 (重发) / 已退款
* 转件: 已登记 → 转件中 → 已完成 (送达), or → 待退回 (退回重发) → 已收货 → 已发出 → 已完成
* 缺货 (AS-8): 已登记 (联系客户：换货或退款) → 已发出 → 已完成, or 已退款

The guard of [004] "不准答应客户退货未收到就给客户先发货，特殊情况需跟主管商量经过批准": an
exchange (or a damaged item's replacement) is reshipped before the return is received only when
``early_reship_approved``. Warehouse steps (收货, 验收) need ``can_inspect``; 原包裹已收到 needs
``can_confirm_parcel``; everything else ``can_work``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .choices import FINAL_STAGES, CaseType, ContactOutcome, Stage

T = CaseType
S = Stage


class Action(StrEnum):
    AWAIT_RETURN = "await_return"  # 登记退回快递单号
    INTERCEPT = "intercept"  # 出退件单，通知快递撤回
    RECEIVE = "receive"  # 仓库收货
    PARCEL_BACK = "parcel_back"  # 原包裹已收到
    INSPECT = "inspect"  # 仓库验收
    CONTACT = "contact"  # 缺货联系客户
    CLAIM = "claim"  # 向快递索赔
    FORWARD = "forward"  # 登记转件
    FORWARD_FAILED = "forward_failed"  # 转件失败，快件退回
    REFUND = "refund"
    RESHIP = "reship"  # 换货发出 / 补发 / 重发
    CONFIRM_ARRIVAL = "confirm_arrival"  # 客户已收到
    CANCEL = "cancel"
    APPROVE_EARLY_RESHIP = "approve_early_reship"  # 主管批准先发货


ACTION_LABELS: dict[str, str] = {
    Action.AWAIT_RETURN: "登记退回单号",
    Action.INTERCEPT: "出退件单",
    Action.RECEIVE: "仓库收货",
    Action.PARCEL_BACK: "原包裹已收到",
    Action.INSPECT: "仓库验收",
    Action.CONTACT: "联系客户",
    Action.CLAIM: "快递索赔",
    Action.FORWARD: "登记转件",
    Action.FORWARD_FAILED: "转件失败",
    Action.REFUND: "退款",
    Action.RESHIP: "发出",
    Action.CONFIRM_ARRIVAL: "确认送达",
    Action.CANCEL: "取消",
    Action.APPROVE_EARLY_RESHIP: "批准先发货",
}

WAREHOUSE_ACTIONS = frozenset({Action.RECEIVE, Action.INSPECT})
CLERK_ACTIONS = frozenset({Action.PARCEL_BACK})
APPROVER_ACTIONS = frozenset({Action.APPROVE_EARLY_RESHIP})

# (action, from stage) → (types it applies to, target stage). INSPECT's target is decided by the
# result (pass/fail); CONTACT keeps the stage.
_RETURNING = frozenset({T.RETURN, T.EXCHANGE, T.DAMAGED})
_INSPECTED = frozenset({T.RETURN, T.EXCHANGE, T.DAMAGED})
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    (Action.AWAIT_RETURN, S.REGISTERED): (_RETURNING, S.AWAITING_RETURN),
    (Action.INTERCEPT, S.REGISTERED): (frozenset({T.INTERCEPT}), S.AWAITING_RETURN),
    (Action.FORWARD, S.REGISTERED): (frozenset({T.FORWARD}), S.FORWARDING),
    (Action.FORWARD_FAILED, S.FORWARDING): (frozenset({T.FORWARD}), S.AWAITING_RETURN),
    (Action.CLAIM, S.REGISTERED): (frozenset({T.LOST}), S.CLAIMING),
    (Action.CONTACT, S.REGISTERED): (frozenset({T.OUT_OF_STOCK}), S.REGISTERED),
    (Action.RECEIVE, S.AWAITING_RETURN): (_RETURNING | {T.FORWARD}, S.RECEIVED),
    (Action.PARCEL_BACK, S.AWAITING_RETURN): (frozenset({T.INTERCEPT}), S.RECEIVED),
    (Action.INSPECT, S.AWAITING_RETURN): (_INSPECTED, S.INSPECTED_PASS),
    (Action.INSPECT, S.RECEIVED): (_INSPECTED, S.INSPECTED_PASS),
    (Action.REFUND, S.INSPECTED_PASS): (frozenset({T.RETURN, T.DAMAGED}), S.REFUNDED),
    (Action.REFUND, S.RECEIVED): (frozenset({T.INTERCEPT}), S.REFUNDED),
    (Action.REFUND, S.REGISTERED): (frozenset({T.MISSING, T.LOST, T.OUT_OF_STOCK}), S.REFUNDED),
    (Action.REFUND, S.CLAIMING): (frozenset({T.LOST}), S.REFUNDED),
    (Action.RESHIP, S.INSPECTED_PASS): (frozenset({T.EXCHANGE, T.DAMAGED}), S.RESHIPPED),
    (Action.RESHIP, S.RECEIVED): (frozenset({T.EXCHANGE, T.DAMAGED, T.FORWARD}), S.RESHIPPED),
    # Before the return is received: only with a supervisor's approval (see ``_guard``).
    (Action.RESHIP, S.REGISTERED): (
        frozenset({T.EXCHANGE, T.DAMAGED, T.MISSING, T.LOST, T.OUT_OF_STOCK}),
        S.RESHIPPED,
    ),
    (Action.RESHIP, S.AWAITING_RETURN): (frozenset({T.EXCHANGE, T.DAMAGED}), S.RESHIPPED),
    (Action.RESHIP, S.CLAIMING): (frozenset({T.LOST}), S.RESHIPPED),
    (Action.CONFIRM_ARRIVAL, S.RESHIPPED): (frozenset(CaseType.values), S.COMPLETED),
    (Action.CONFIRM_ARRIVAL, S.FORWARDING): (frozenset({T.FORWARD}), S.COMPLETED),
}
# Types whose goods must come back before the replacement goes out ([004]).
RETURN_FIRST_TYPES = frozenset({T.EXCHANGE, T.DAMAGED})
PRE_RECEIPT_STAGES = frozenset({S.REGISTERED, S.AWAITING_RETURN})


class TransitionError(Exception):
    """The action is not possible now; ``code`` is stable, ``message`` Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Facts:
    """What the machine needs to know about a case and the actor."""

    case_type: str
    stage: str
    early_reship_approved: bool = False
    contact_outcome: str = ""
    can_work: bool = False
    can_inspect: bool = False
    can_confirm_parcel: bool = False
    can_approve: bool = False


def needs_early_approval(case_type: str, stage: str) -> bool:
    """Would a reship now go out before the return is received?"""
    return case_type in RETURN_FIRST_TYPES and stage in PRE_RECEIPT_STAGES


def _allowed_by_role(facts: Facts, action: str) -> bool:
    if action in WAREHOUSE_ACTIONS:
        return facts.can_inspect
    if action in CLERK_ACTIONS:
        return facts.can_confirm_parcel
    if action in APPROVER_ACTIONS:
        return facts.can_approve
    return facts.can_work


def _guard(facts: Facts, action: str) -> TransitionError | None:
    """Why a transition in the table is still refused (None when it is fine)."""
    if action == Action.RESHIP:
        if needs_early_approval(facts.case_type, facts.stage) and not facts.early_reship_approved:
            return TransitionError(
                "return_not_received",
                "退货未收到，不能先发货；特殊情况须经主管批准",
            )
        if facts.case_type == T.OUT_OF_STOCK and facts.contact_outcome != ContactOutcome.EXCHANGE:
            return TransitionError("contact_first", "请先联系客户并登记客户选择换货")
    if (
        action == Action.REFUND
        and facts.case_type == T.OUT_OF_STOCK
        and facts.contact_outcome != ContactOutcome.REFUND
    ):
        return TransitionError("contact_first", "请先联系客户并登记客户选择退款")
    if action == Action.APPROVE_EARLY_RESHIP:
        if not needs_early_approval(facts.case_type, facts.stage):
            return TransitionError("approval_not_needed", "当前环节无需批准先发货")
        if facts.early_reship_approved:
            return TransitionError("already_approved", "已批准先发货")
    return None


def _in_table(facts: Facts, action: str) -> bool:
    if action == Action.CANCEL:
        return facts.stage not in FINAL_STAGES
    if action == Action.APPROVE_EARLY_RESHIP:
        return needs_early_approval(facts.case_type, facts.stage)
    entry = TRANSITIONS.get((action, facts.stage))
    return entry is not None and facts.case_type in entry[0]


def check(facts: Facts, action: str) -> None:
    """Raise ``TransitionError`` when ``action`` is not possible for this actor now."""
    if action not in Action.__members__.values():
        raise TransitionError("unknown_action", "未知的操作")
    if facts.stage in FINAL_STAGES:
        raise TransitionError("case_closed", "退换货单已结束，不能再操作")
    if not _in_table(facts, action):
        stage = Stage(facts.stage).label if facts.stage in Stage.values else facts.stage
        raise TransitionError(
            "wrong_stage",
            f"{CaseType(facts.case_type).label}单在“{stage}”环节不能{ACTION_LABELS[action]}",
        )
    if not _allowed_by_role(facts, action):
        raise TransitionError("forbidden", "您没有执行此操作的权限")
    problem = _guard(facts, action)
    if problem is not None:
        raise problem


def available_actions(facts: Facts) -> list[str]:
    """Every action the actor may take now, in a stable order."""
    result = []
    for action in Action:
        try:
            check(facts, action)
        except TransitionError:
            continue
        result.append(action.value)
    return result


def next_stage(facts: Facts, action: str, *, passed: bool | None = None) -> str:
    """The stage after ``action``; ``passed`` is the inspection result (验收合格?)."""
    check(facts, action)
    if action == Action.CANCEL:
        return S.CANCELLED
    if action == Action.APPROVE_EARLY_RESHIP:
        return facts.stage
    if action == Action.INSPECT:
        if passed is None:
            raise TransitionError("inspection_result", "请填写验收结果")
        return S.INSPECTED_PASS if passed else S.INSPECTED_FAIL
    return TRANSITIONS[(action, facts.stage)][1]
