"""Ticket lifecycle — 工单状态机 (TKT-3, TKT-6, TKT-7): pure data in, pure data out.

The main path is TKT-6's 受理 → 解决 → 回复 → 反馈:

    新建 → 处理中 (受理, or the first 回复) → 已解决 (解决) → 已关闭 (结案)

with the side roads 处理中 ⇄ 待客户 (转为待客户 / 登记客户回复; the SLA clock pauses), 新建/处理中 →
已转交 → 处理中 (转交, then 接收转交 or 退回转交; TKT-3), 改派 by a lead, 重新打开 from 已解决 or
已关闭, 回访 after 解决, and the TKT-7 actions 标记重大故障 / 提交故障分析报告.
docs/tickets-rules.md has the full diagram and the action table.

``apply(state, action, facts)`` decides whether ``facts.actor`` may take ``action`` on a ticket in
``state`` and returns a ``Transition``: the state after, what changed, whether the SLA clock
pauses or resumes, whether this was the first response, whether the 重大故障 notifications must
go out. Services stay thin: load the state, ``apply``, save ``transition.after``, record one
audit event with ``transition.audit_before()``/``audit_after()``.

A broken rule raises ``DomainError`` with a stable code:

* ``ticket_illegal_transition`` — the action does not exist in this status ("已关闭的工单不能转交");
* ``ticket_action_forbidden`` (403) — the actor is not one of those who may take it;
* ``ticket_reason_required``, ``ticket_note_required``, ``ticket_target_required``,
  ``ticket_transfer_to_owner``, ``ticket_satisfaction_required`` — a fact is missing or wrong;
* ``ticket_fault_report_required``, ``ticket_already_major_fault``, ``ticket_not_major_fault``,
  ``ticket_fault_report_incomplete`` — the TKT-7 guards.

The data — actions, capacities, ``TicketState``, ``ActionFacts``, the ``TRANSITIONS`` table and
``Transition`` — is ``transitions``; this module is the engine that reads it, and re-exports the
data's names for callers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.org.choices import Speciality

from .choices import CLOCK_PAUSED_STATUSES, FaultReportField, Status
from .transitions import (
    FRONTLINE_ROLES,
    LEAD_ROLES,
    MIN_TEXT,
    TRANSITIONS,
    WHO_LABELS,
    Action,
    ActionFacts,
    ClockEffect,
    Rule,
    TicketState,
    Transition,
    Who,
    new_ticket,
)

__all__ = [
    "FRONTLINE_ROLES",
    "LEAD_ROLES",
    "MIN_TEXT",
    "TRANSITIONS",
    "WHO_LABELS",
    "Action",
    "ActionFacts",
    "ClockEffect",
    "Rule",
    "TicketState",
    "Transition",
    "Who",
    "apply",
    "available_actions",
    "capacities",
    "new_ticket",
    "state_problems",
]


# --- the engine -----------------------------------------------------------------------------
def capacities(state: TicketState, facts: ActionFacts) -> frozenset[Who]:
    """In which capacities ``facts`` acts on a ticket in ``state`` (possibly none)."""
    if facts.actor_id is None:
        return frozenset({Who.SYSTEM})
    actor = facts.actor_id
    roles = frozenset(facts.actor_roles)
    held: set[Who] = set()
    if state.owner_id is not None and actor == state.owner_id:
        held.add(Who.OWNER)
    if state.first_responsible_id is not None and actor == state.first_responsible_id:
        held.add(Who.FIRST_RESPONSIBLE)
    if roles & LEAD_ROLES and facts.oversees_ticket:
        held.add(Who.LEAD)
    if state.status == Status.TRANSFERRED and (
        (state.pending_owner_id is not None and actor == state.pending_owner_id)
        or (
            state.pending_department_id is not None
            and facts.actor_department_id == state.pending_department_id
        )
    ):
        held.add(Who.TRANSFER_TARGET)
    if state.owner_id is None and roles & FRONTLINE_ROLES:
        held.add(Who.CLAIMANT)
    if facts.actor_speciality == Speciality.RETURN_VISIT:
        held.add(Who.RETURN_VISITOR)
    return frozenset(held)


def _illegal(state: TicketState, action: Action) -> DomainError:
    return DomainError(
        "ticket_illegal_transition",
        f"{Status(state.status).label}的工单不能{action.label}",
        status=409,
    )


def _state_guard(state: TicketState, action: Action) -> DomainError | None:
    """Refusals that depend on the state alone (so the page can hide the button too)."""
    if action == Action.CLOSE and state.major_fault and not state.fault_report_complete:
        return DomainError(
            "ticket_fault_report_required",
            "重大故障工单须先提交完整的故障分析报告，才能结案",
            status=409,
        )
    if action == Action.FLAG_MAJOR_FAULT and state.major_fault:
        return DomainError("ticket_already_major_fault", "该工单已标记为重大故障", status=409)
    if action == Action.SUBMIT_FAULT_REPORT and not state.major_fault:
        return DomainError(
            "ticket_not_major_fault",
            "该工单未标记为重大故障，无需提交故障分析报告",
            status=409,
        )
    return None


def _text(value: str) -> str:
    return (value or "").strip()


def _require_text(value: str, code: str, field_name: str, message: str) -> None:
    if len(_text(value)) < MIN_TEXT:
        raise DomainError(code, message, fields={field_name: message})


def _missing_fault_report_items(report: Mapping[str, str]) -> dict[str, str]:
    return {
        item.value: f"请填写{item.label}"
        for item in FaultReportField
        if len(_text(str(report.get(item.value) or ""))) == 0
    }


def available_actions(state: TicketState, facts: ActionFacts) -> list[Action]:
    """The actions ``facts``' actor may take now (the buttons a detail page shows).

    Facts an action needs as input (a reason, a target…) are not judged here; everything that
    depends on the ticket and the actor is.
    """
    held = capacities(state, facts)
    return [
        action
        for action in Action
        if state.status in TRANSITIONS[action].moves
        and held & TRANSITIONS[action].who
        and _state_guard(state, action) is None
    ]


def apply(state: TicketState, action: Action | str, facts: ActionFacts) -> Transition:
    """Apply one action to a ticket — 工单操作: the rules of TKT-3/4/6/7 in one place.

    Checks, in order: the action exists in this status (``ticket_illegal_transition``), the actor
    holds one of the capacities the action needs (``ticket_action_forbidden``), the state guards
    (TKT-7), then the action's own facts. Returns the resulting ``Transition``; never mutates.
    """
    action = Action(action)
    rule = TRANSITIONS[action]
    to_status = rule.moves.get(state.status)
    if to_status is None:
        raise _illegal(state, action)
    held = capacities(state, facts)
    if not held & rule.who:
        raise PermissionDeniedError(
            f"只有{rule.who_label}可以{action.label}", code="ticket_action_forbidden"
        )
    guard = _state_guard(state, action)
    if guard is not None:
        raise guard
    if rule.needs_reason:
        _require_text(facts.reason, "ticket_reason_required", "reason", f"请填写{action.label}原因")
    if rule.needs_note:
        _require_text(facts.note, "ticket_note_required", "note", _NOTE_MESSAGES[action])

    after = dataclasses.replace(state, status=to_status)
    if rule.claims:
        after = _claim(after, state, facts, held)
    after = _EFFECTS.get(action, _no_effect)(state, after, facts)
    if rule.responds:
        after = dataclasses.replace(after, responded=True)
    if rule.breaks_first_contact:
        after = dataclasses.replace(after, first_contact_eligible=False)

    was_paused = state.status in CLOCK_PAUSED_STATUSES
    now_paused = after.status in CLOCK_PAUSED_STATUSES
    clock = None
    if now_paused and not was_paused:
        clock = ClockEffect.PAUSE
    elif was_paused and not now_paused:
        clock = ClockEffect.RESUME
    return Transition(
        action=action,
        actor_id=facts.actor_id,
        before=state,
        after=after,
        clock=clock,
        first_response=rule.responds and not state.responded,
        notify_major_fault=action == Action.FLAG_MAJOR_FAULT,
        first_contact_resolution=(action == Action.CLOSE and after.first_contact_eligible),
    )


_NOTE_MESSAGES: dict[str, str] = {
    Action.RESOLVE: "请填写处理结果",
    Action.FOLLOW_UP: "请填写回访情况",
    Action.FLAG_MAJOR_FAULT: "请填写故障的发生时间、地点、现象和处理预案",
}


def _claim(
    after: TicketState, before: TicketState, facts: ActionFacts, held: frozenset[Who]
) -> TicketState:
    # TKT-3: an unassigned ticket belongs to whoever takes it, and that person is its 首问负责人.
    # (改派 does not claim: the lead hands the ticket out and the assignee becomes both.)
    if before.owner_id is not None or facts.actor_id is None:
        return after
    if not held & {Who.CLAIMANT, Who.LEAD}:
        return after
    return dataclasses.replace(
        after,
        owner_id=facts.actor_id,
        first_responsible_id=before.first_responsible_id or facts.actor_id,
    )


def _no_effect(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    return after


def _transfer(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    person, department = facts.target_id, facts.target_department_id
    if (person is None) == (department is None):
        message = "请选择转交对象（一个人或一个部门）"
        raise DomainError("ticket_target_required", message, fields={"target": message})
    if person is not None and person == after.owner_id:
        message = "不能转交给当前处理人"
        raise DomainError("ticket_transfer_to_owner", message, fields={"target": message})
    return dataclasses.replace(after, pending_owner_id=person, pending_department_id=department)


def _accept_transfer(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    return dataclasses.replace(
        after, owner_id=facts.actor_id, pending_owner_id=None, pending_department_id=None
    )


def _reject_transfer(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    return dataclasses.replace(after, pending_owner_id=None, pending_department_id=None)


def _reassign(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    person = facts.target_id
    if person is None:
        message = "请选择改派给谁"
        raise DomainError("ticket_target_required", message, fields={"target": message})
    if person == before.owner_id:
        message = "不能改派给当前处理人"
        raise DomainError("ticket_transfer_to_owner", message, fields={"target": message})
    if before.owner_id is not None:
        # Taking a ticket away from its holder is a hand-over and needs a reason (TKT-3);
        # dispatching an unassigned one does not.
        _require_text(facts.reason, "ticket_reason_required", "reason", "请填写改派原因")
    eligible = after.first_contact_eligible if before.owner_id is None else False
    return dataclasses.replace(
        after,
        owner_id=person,
        first_responsible_id=before.first_responsible_id or person,
        pending_owner_id=None,
        pending_department_id=None,
        first_contact_eligible=eligible,
    )


def _resolve(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    # 一次办结 means the first responsible settled it; a lead resolving it on their behalf does not.
    if facts.actor_id != after.first_responsible_id:
        return dataclasses.replace(after, first_contact_eligible=False)
    return after


def _reopen(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    return dataclasses.replace(after, followed_up=False)


def _follow_up(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    if facts.satisfied is None:
        message = "请选择客户是否满意"
        raise DomainError("ticket_satisfaction_required", message, fields={"satisfied": message})
    return dataclasses.replace(after, followed_up=True)


def _flag_major_fault(before: TicketState, after: TicketState, facts: ActionFacts) -> TicketState:
    return dataclasses.replace(after, major_fault=True, fault_report_complete=False)


def _submit_fault_report(
    before: TicketState, after: TicketState, facts: ActionFacts
) -> TicketState:
    missing = _missing_fault_report_items(facts.fault_report)
    if missing:
        names = "、".join(FaultReportField(k).label for k in missing)
        raise DomainError(
            "ticket_fault_report_incomplete", f"故障分析报告不完整，缺少：{names}", fields=missing
        )
    return dataclasses.replace(after, fault_report_complete=True)


_EFFECTS = {
    Action.TRANSFER: _transfer,
    Action.ACCEPT_TRANSFER: _accept_transfer,
    Action.REJECT_TRANSFER: _reject_transfer,
    Action.REASSIGN: _reassign,
    Action.RESOLVE: _resolve,
    Action.REOPEN: _reopen,
    Action.FOLLOW_UP: _follow_up,
    Action.FLAG_MAJOR_FAULT: _flag_major_fault,
    Action.SUBMIT_FAULT_REPORT: _submit_fault_report,
}


# --- invariants -----------------------------------------------------------------------------
def state_problems(state: TicketState) -> list[str]:
    """What is wrong with a state (empty when it is one ``apply`` can produce).

    Used by the property tests, and by services as a sanity check on a state loaded from rows.
    """
    problems = []
    if state.status not in Status.values:
        problems.append(f"未知状态 {state.status}")
    if state.status != Status.NEW and state.owner_id is None:
        problems.append("非新建工单必须有处理人")
    if state.owner_id is not None and state.first_responsible_id is None:
        problems.append("有处理人的工单必须有首问负责人")
    pending = (state.pending_owner_id is not None) + (state.pending_department_id is not None)
    if state.status == Status.TRANSFERRED and pending != 1:
        problems.append("已转交的工单须有且只有一个转交对象")
    if state.status != Status.TRANSFERRED and pending:
        problems.append("只有已转交的工单有转交对象")
    if state.pending_owner_id is not None and state.pending_owner_id == state.owner_id:
        problems.append("转交对象不能是当前处理人")
    if state.fault_report_complete and not state.major_fault:
        problems.append("未标记重大故障却有故障分析报告")
    if state.status == Status.CLOSED and state.major_fault and not state.fault_report_complete:
        problems.append("重大故障工单缺少故障分析报告却已结案")
    if state.status in (Status.RESOLVED, Status.CLOSED) and not state.responded:
        problems.append("已解决的工单必须已回复客户")
    if state.followed_up and state.status not in (Status.RESOLVED, Status.CLOSED):
        problems.append("未解决的工单不能有回访")
    return problems
