"""Complaint procedure — 客户投诉处理流程 (CMP-3..5): pure data in, pure data out.

The flow of [000] 篇二 客户投诉处理办法 (第五至十六条)::

    待受理 ─受理─→ 待分派 ─分派(调查)─→ 调查中 ─提交调查报告─→ 待部门负责人审核 ─同意─→ 待行政人事部审核
      │                │                    ↑                    │退回                  │同意 / 退回→调查中
      │不受理          │分派(合同纠纷)      └────────────────────┘                      ↓
      │                ↓                                                           待总经理批阅
      │           待领导裁定 ─领导裁定─┐                                  同意 ↓ / 退回→调查中
      │                │分派(发货手续)  │                                    待形成处理意见 ←─退回─┐
      ↓                ↓                ↓                                    ─形成处理意见→ 待主管审核
    待答复客户 ←───────────────────────┴──────────────────────────────────────────────── 同意 ┘
      │答复客户（书面/电话）
      ↓
    已结案

* 受理 / 不受理 (CMP-3, 第五、七条): decided by the 客服部's 主管 or 经理; a refusal needs a reason,
  which is recorded and shown in the reply to the customer.
* 分派 (CMP-4, 第八、九条): 行政人事部 names the investigating department for quality/spec cases;
  a pure contract dispute goes to the leadership (总经理/副总经理) to decide; a shipping-procedure
  case is handled by the sales procedure and answered. The policy suggests a route from the
  grounds; choosing another one needs a written reason.
* 调查 and approvals (CMP-5, 第十至十四条): the investigating department writes the report; its head
  approves first, then 行政人事部, then the 总经理; the department forms the handling opinion; the
  客服主管 (or 客服部经理) reviews it; 客服 replies to the customer in writing or by phone.
* 退回 with a comment is possible at every approval step. It goes back to the step that wrote what
  is being approved: a report step returns to 调查中 (and the whole chain starts again, so every
  approval is of the final report), the supervisor's review returns to 待形成处理意见.

``apply(state, action, facts)`` decides whether ``facts``' actor may take ``action`` now and
returns a ``Transition``; services load the state, ``apply``, save ``transition.after``, write one
step row and one audit event. Broken rules raise ``DomainError``:

* ``complaint_illegal_transition`` (409) — the action does not exist at this step;
* ``complaint_action_forbidden`` (403) — the actor is not the one who acts at this step;
* ``complaint_reason_required``, ``complaint_text_required``, ``complaint_route_invalid``,
  ``complaint_department_required``, ``complaint_reply_via_invalid``,
  ``complaint_report_incomplete`` (422) — an input is missing or wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.org.choices import Role

from .choices import (
    FULL_CHAIN,
    REPORT_CHAIN,
    ApprovalStep,
    ProcedureStatus,
    ReplyVia,
    Route,
    StepDecision,
)
from .report import InvestigationData, report_problems

__all__ = [
    "APPROVAL_STEP_AT",
    "CS_LEAD_ROLES",
    "LEADERSHIP_ROLES",
    "MIN_TEXT",
    "REPLY_LEAD_ROLES",
    "ComplaintState",
    "ProcedureAction",
    "ProcedureFacts",
    "Transition",
    "Who",
    "apply",
    "available_actions",
    "capacities",
    "expected_approvals",
    "new_complaint",
    "state_problems",
    "waiting_for",
]

MIN_TEXT = 2
MAX_TEXT = 4000

S = ProcedureStatus


class ProcedureAction(models.TextChoices):
    """投诉处理操作. Labels read "不能<label>"."""

    ACCEPT = "accept", "受理"
    REJECT = "reject", "不受理"
    ROUTE = "route", "分派"
    SUBMIT_INVESTIGATION = "submit_investigation", "提交调查报告"
    APPROVE = "approve", "审核同意"
    RETURN = "return", "退回"
    LEADERSHIP_DECIDE = "leadership_decide", "领导裁定"
    RECORD_HANDLING_OPINION = "record_handling_opinion", "形成处理意见"
    REPLY = "reply", "答复客户"


class Who(StrEnum):
    """The capacities in which a person acts on a complaint (one can hold several)."""

    OWNER = "owner"  # 投诉处理人: the 客服 who holds the complaint's ticket
    CS_LEAD = "cs_lead"  # 客服主管 / 客服部经理, complaint in the actor's data scope
    REPLY_LEAD = "reply_lead"  # 组长, complaint in the actor's data scope
    HR = "hr"  # 行政人事部
    INVESTIGATOR = "investigator"  # a member of the investigating department
    DEPT_HEAD = "dept_head"  # the head of the investigating department
    GM = "gm"  # 总经理
    LEADERSHIP = "leadership"  # 公司领导: 总经理, 副总经理

    @property
    def label(self) -> str:
        return WHO_LABELS[self]


WHO_LABELS: dict[Who, str] = {
    Who.OWNER: "投诉处理人",
    Who.CS_LEAD: "客服主管或客服部经理",
    Who.REPLY_LEAD: "组长",
    Who.HR: "行政人事部",
    Who.INVESTIGATOR: "受理部门人员",
    Who.DEPT_HEAD: "受理部门负责人",
    Who.GM: "总经理",
    Who.LEADERSHIP: "公司领导（总经理、副总经理）",
}

# 第五条/第七条: the 客服部 decides acceptance, "呈报上级主管裁定"; 第十三条's review is the supervisor's.
CS_LEAD_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR, Role.CS_MANAGER})
REPLY_LEAD_ROLES: frozenset[str] = frozenset({Role.TEAM_LEAD})
LEADERSHIP_ROLES: frozenset[str] = frozenset({Role.GM, Role.DEPUTY_GM})

# The approval step taken at each reviewing status, and where 同意 goes.
APPROVAL_STEP_AT: Mapping[str, str] = {
    S.DEPT_HEAD_REVIEW: ApprovalStep.DEPT_HEAD,
    S.HR_REVIEW: ApprovalStep.HR,
    S.GM_REVIEW: ApprovalStep.GM,
    S.SUPERVISOR_REVIEW: ApprovalStep.SUPERVISOR,
}
_APPROVER: Mapping[str, Who] = {
    S.DEPT_HEAD_REVIEW: Who.DEPT_HEAD,
    S.HR_REVIEW: Who.HR,
    S.GM_REVIEW: Who.GM,
    S.SUPERVISOR_REVIEW: Who.CS_LEAD,
}
_AFTER_APPROVAL: Mapping[str, str] = {
    S.DEPT_HEAD_REVIEW: S.HR_REVIEW,
    S.HR_REVIEW: S.GM_REVIEW,
    S.GM_REVIEW: S.HANDLING_OPINION,
    S.SUPERVISOR_REVIEW: S.REPLY,
}
# 退回 goes to the step that wrote what is being approved.
_AFTER_RETURN: Mapping[str, str] = {
    S.DEPT_HEAD_REVIEW: S.INVESTIGATING,
    S.HR_REVIEW: S.INVESTIGATING,
    S.GM_REVIEW: S.INVESTIGATING,
    S.SUPERVISOR_REVIEW: S.HANDLING_OPINION,
}

# (action, status acted at) → who may act. Every pair not listed is an illegal transition.
PERMITTED: Mapping[tuple[str, str], frozenset[Who]] = {
    (ProcedureAction.ACCEPT, S.RECORDED): frozenset({Who.CS_LEAD}),
    (ProcedureAction.REJECT, S.RECORDED): frozenset({Who.CS_LEAD}),
    # Only 行政人事部 may send a case to investigation (checked in _route); the other routes may be
    # chosen by the 客服部's leads too (第八条: 各营运部门 … 送公司有关领导裁定).
    (ProcedureAction.ROUTE, S.ROUTING): frozenset({Who.HR, Who.CS_LEAD}),
    (ProcedureAction.SUBMIT_INVESTIGATION, S.INVESTIGATING): frozenset({Who.INVESTIGATOR}),
    **{(ProcedureAction.APPROVE, s): frozenset({who}) for s, who in _APPROVER.items()},
    **{(ProcedureAction.RETURN, s): frozenset({who}) for s, who in _APPROVER.items()},
    (ProcedureAction.LEADERSHIP_DECIDE, S.LEADERSHIP_DECISION): frozenset({Who.LEADERSHIP}),
    (ProcedureAction.RECORD_HANDLING_OPINION, S.HANDLING_OPINION): frozenset({Who.INVESTIGATOR}),
    (ProcedureAction.REPLY, S.REPLY): frozenset({Who.OWNER, Who.CS_LEAD, Who.REPLY_LEAD}),
}

# Plain moves; ROUTE, APPROVE and RETURN are computed.
_MOVES: Mapping[tuple[str, str], str] = {
    (ProcedureAction.ACCEPT, S.RECORDED): S.ROUTING,
    (ProcedureAction.REJECT, S.RECORDED): S.REPLY,
    (ProcedureAction.SUBMIT_INVESTIGATION, S.INVESTIGATING): S.DEPT_HEAD_REVIEW,
    (ProcedureAction.LEADERSHIP_DECIDE, S.LEADERSHIP_DECISION): S.REPLY,
    (ProcedureAction.RECORD_HANDLING_OPINION, S.HANDLING_OPINION): S.SUPERVISOR_REVIEW,
    (ProcedureAction.REPLY, S.REPLY): S.CLOSED,
}
_AFTER_ROUTE: Mapping[str, str] = {
    Route.INVESTIGATION: S.INVESTIGATING,
    Route.LEADERSHIP: S.LEADERSHIP_DECISION,
    Route.SALES_PROCEDURE: S.REPLY,
}


@dataclass(frozen=True)
class ComplaintState:
    """ComplaintState — 投诉处理状态快照: everything the rules look at, nothing else.

    ``accepted`` is None until the acceptance decision. ``approvals`` are the approval steps
    taken, in order, for the current report and handling opinion (a 退回 to 调查中 clears them).
    ``owner_id`` is the user who holds the complaint's ticket (the 客服 who answers the customer).
    """

    status: str = S.RECORDED.value
    accepted: bool | None = None
    route: str = ""
    investigating_department_id: int | None = None
    owner_id: int | None = None
    approvals: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["approvals"] = list(self.approvals)
        return data


def new_complaint(owner_id: int | None) -> ComplaintState:
    """The state of a complaint just recorded on its 客户投诉记录卡 — 待受理."""
    return ComplaintState(owner_id=owner_id)


def expected_approvals(status: str, route: str) -> tuple[str, ...]:
    """The approvals a complaint at ``status`` on ``route`` must have (none off investigation).

    In every valid state the approvals follow from the status; services rebuild a state from a
    stored row with this, and ``state_problems`` checks the engine never gets out of step.
    """
    if route != Route.INVESTIGATION:
        return ()
    return {
        S.INVESTIGATING: (),
        S.DEPT_HEAD_REVIEW: (),
        S.HR_REVIEW: REPORT_CHAIN[:1],
        S.GM_REVIEW: REPORT_CHAIN[:2],
        S.HANDLING_OPINION: REPORT_CHAIN,
        S.SUPERVISOR_REVIEW: REPORT_CHAIN,
        S.REPLY: FULL_CHAIN,
        S.CLOSED: FULL_CHAIN,
    }.get(status, ())


@dataclass(frozen=True)
class ProcedureFacts:
    """ProcedureFacts — 操作事实: who acts, in what position, and the action's inputs.

    The service fills it: ``actor_roles`` from the user's groups; ``oversees`` when the complaint
    lies in the actor's data scope (ORG-5); ``in_investigating_department`` when the actor works in
    the investigating department (or below it); ``heads_investigating_department`` when the actor
    is its head. ``suggested_route`` is the policy's route for the complaint's grounds.
    """

    actor_id: int | None
    actor_roles: frozenset[str] = frozenset()
    oversees: bool = False
    in_investigating_department: bool = False
    heads_investigating_department: bool = False
    reason: str = ""
    text: str = ""
    route: str = ""
    investigating_department_id: int | None = None
    suggested_route: str = ""
    reply_via: str = ""
    report: InvestigationData | None = None


@dataclass(frozen=True)
class Transition:
    """Transition — 流程变更结果: the state before and after one action.

    ``step`` is the status acted at (the 环节 of the step row), ``approval_step`` the approval
    step taken or returned at (empty for other actions), ``decision`` what the step row records.
    """

    action: ProcedureAction
    actor_id: int | None
    before: ComplaintState
    after: ComplaintState
    step: str
    approval_step: str
    decision: str

    @property
    def audit_action(self) -> str:
        """The audit event's action name, e.g. ``complaint.approve``."""
        return f"complaint.{self.action.value}"

    @property
    def closes(self) -> bool:
        return self.after.status == S.CLOSED and self.before.status != S.CLOSED

    def changes(self) -> dict[str, tuple[Any, Any]]:
        before, after = self.before.as_dict(), self.after.as_dict()
        return {k: (before[k], after[k]) for k in before if before[k] != after[k]}

    def audit_before(self) -> dict[str, Any]:
        return {k: old for k, (old, _new) in self.changes().items()}

    def audit_after(self) -> dict[str, Any]:
        return {k: new for k, (_old, new) in self.changes().items()}


def capacities(state: ComplaintState, facts: ProcedureFacts) -> frozenset[Who]:
    """In which capacities ``facts``' actor acts on a complaint in ``state`` (possibly none)."""
    if facts.actor_id is None:
        return frozenset()
    roles = frozenset(facts.actor_roles)
    held: set[Who] = set()
    if state.owner_id is not None and facts.actor_id == state.owner_id:
        held.add(Who.OWNER)
    if roles & CS_LEAD_ROLES and facts.oversees:
        held.add(Who.CS_LEAD)
    if roles & REPLY_LEAD_ROLES and facts.oversees:
        held.add(Who.REPLY_LEAD)
    if Role.HR in roles:
        held.add(Who.HR)
    if state.investigating_department_id is not None:
        if facts.in_investigating_department:
            held.add(Who.INVESTIGATOR)
        if facts.heads_investigating_department:
            held.add(Who.DEPT_HEAD)
    if Role.GM in roles:
        held.add(Who.GM)
    if roles & LEADERSHIP_ROLES:
        held.add(Who.LEADERSHIP)
    return frozenset(held)


def _who_label(who: frozenset[Who]) -> str:
    order = list(Who)
    return "、".join(w.label for w in sorted(who, key=order.index))


def _text(value: str) -> str:
    return (value or "").strip()


def _require_text(value: str, code: str, field_name: str, message: str) -> None:
    text = _text(value)
    if len(text) < MIN_TEXT:
        raise DomainError(code, message, fields={field_name: message})
    if len(text) > MAX_TEXT:
        too_long = f"最多{MAX_TEXT}个字"
        raise DomainError(code, too_long, fields={field_name: too_long})


def waiting_for(status: str) -> str:
    """Who acts next at ``status`` (e.g. "受理部门负责人"), for list columns and the 记录卡."""
    who: set[Who] = set()
    for (_action, at), allowed in PERMITTED.items():
        if at == status:
            who |= allowed
    return _who_label(frozenset(who)) if who else ""


def available_actions(state: ComplaintState, facts: ProcedureFacts) -> list[ProcedureAction]:
    """The actions ``facts``' actor may take now (the buttons a detail page shows).

    Inputs (a reason, a report…) are not judged here; the step and the actor's position are.
    ``ROUTE`` is offered to 客服部 leads too, for the routes other than investigation.
    """
    held = capacities(state, facts)
    return [
        action
        for action in ProcedureAction
        if held & PERMITTED.get((action, state.status), frozenset())
    ]


def apply(
    state: ComplaintState, action: ProcedureAction | str, facts: ProcedureFacts
) -> Transition:
    """Apply one action to a complaint — 投诉处理: the rules of CMP-3..5 in one place.

    Checks, in order: the action exists at this step (``complaint_illegal_transition``), the
    actor acts in a permitted capacity (``complaint_action_forbidden``), then the action's own
    inputs. Returns the ``Transition``; never mutates ``state``.
    """
    action = ProcedureAction(action)
    key = (action.value, state.status)
    who = PERMITTED.get(key)
    if who is None:
        raise DomainError(
            "complaint_illegal_transition",
            f"{ProcedureStatus(state.status).label}的投诉不能{action.label}",
            status=409,
        )
    held = capacities(state, facts)
    if not held & who:
        step = ProcedureStatus(state.status).label
        raise PermissionDeniedError(
            f"{step}环节只有{_who_label(who)}可以{action.label}",
            code="complaint_action_forbidden",
        )
    after, decision = _EFFECTS[action](state, facts, held)
    approval_step = APPROVAL_STEP_AT.get(state.status, "") if action in _APPROVALS else ""
    return Transition(
        action=action,
        actor_id=facts.actor_id,
        before=state,
        after=after,
        step=state.status,
        approval_step=approval_step,
        decision=decision,
    )


_APPROVALS = (ProcedureAction.APPROVE, ProcedureAction.RETURN)
_Effect = Any


def _accept(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    return dataclasses.replace(state, status=S.ROUTING, accepted=True), StepDecision.DONE


def _reject(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    # CMP-3: 如属客户原因 … 婉转讲明理由 — the reason is recorded and goes into the reply.
    _require_text(facts.reason, "complaint_reason_required", "reason", "请填写不受理的原因")
    return dataclasses.replace(state, status=S.REPLY, accepted=False), StepDecision.DONE


def _route(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    route = facts.route
    if route not in Route.values:
        message = "请选择处理途径"
        raise DomainError("complaint_route_invalid", message, fields={"route": message})
    department = facts.investigating_department_id
    if route == Route.INVESTIGATION:
        if Who.HR not in held:
            # 第九条: 行政人事部 names the investigating department.
            raise PermissionDeniedError(
                "只有行政人事部可以确定受理部门并送交调查", code="complaint_action_forbidden"
            )
        if department is None:
            message = "请选择负责调查的受理部门"
            raise DomainError(
                "complaint_department_required",
                message,
                fields={"investigating_department": message},
            )
    elif department is not None:
        message = "只有送交调查的投诉才指定受理部门"
        raise DomainError(
            "complaint_department_required", message, fields={"investigating_department": message}
        )
    if facts.suggested_route and route != facts.suggested_route:
        suggested = Route(facts.suggested_route).label
        _require_text(
            facts.reason,
            "complaint_reason_required",
            "reason",
            f"按投诉范围应为“{suggested}”，改用其他途径须填写原因",
        )
    after = dataclasses.replace(
        state,
        status=_AFTER_ROUTE[route],
        route=route,
        investigating_department_id=department,
    )
    return after, StepDecision.DONE


def _submit_investigation(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    if facts.report is None:
        message = "请填写投诉调查报告"
        raise DomainError("complaint_report_incomplete", message, fields={"report": message})
    problems = report_problems(facts.report)
    if problems:
        raise DomainError(
            "complaint_report_incomplete", "投诉调查报告不完整，请检查标红的项目", fields=problems
        )
    return dataclasses.replace(state, status=S.DEPT_HEAD_REVIEW, approvals=()), StepDecision.DONE


def _approve(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    step = APPROVAL_STEP_AT[state.status]
    if len(_text(facts.reason)) > MAX_TEXT:
        raise DomainError(
            "complaint_reason_required",
            f"最多{MAX_TEXT}个字",
            fields={"comment": f"最多{MAX_TEXT}个字"},
        )
    after = dataclasses.replace(
        state, status=_AFTER_APPROVAL[state.status], approvals=(*state.approvals, step)
    )
    return after, StepDecision.APPROVE


def _return(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    _require_text(facts.reason, "complaint_reason_required", "comment", "请填写退回意见")
    to_status = _AFTER_RETURN[state.status]
    # Back to 调查中: the report is rewritten and the whole chain approves it again.
    approvals = () if to_status == S.INVESTIGATING else state.approvals
    after = dataclasses.replace(state, status=to_status, approvals=approvals)
    return after, StepDecision.RETURN


def _leadership_decide(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    _require_text(facts.text, "complaint_text_required", "text", "请填写裁定意见")
    return dataclasses.replace(state, status=S.REPLY), StepDecision.DONE


def _record_handling_opinion(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    _require_text(facts.text, "complaint_text_required", "text", "请填写处理意见")
    return dataclasses.replace(state, status=S.SUPERVISOR_REVIEW), StepDecision.DONE


def _reply(
    state: ComplaintState, facts: ProcedureFacts, held: frozenset[Who]
) -> tuple[ComplaintState, str]:
    if facts.reply_via not in ReplyVia.values:
        message = "请选择答复方式（书面或电话）"
        raise DomainError("complaint_reply_via_invalid", message, fields={"via": message})
    _require_text(facts.text, "complaint_text_required", "text", "请填写答复客户的内容")
    return dataclasses.replace(state, status=S.CLOSED), StepDecision.DONE


_EFFECTS: Mapping[ProcedureAction, _Effect] = {
    ProcedureAction.ACCEPT: _accept,
    ProcedureAction.REJECT: _reject,
    ProcedureAction.ROUTE: _route,
    ProcedureAction.SUBMIT_INVESTIGATION: _submit_investigation,
    ProcedureAction.APPROVE: _approve,
    ProcedureAction.RETURN: _return,
    ProcedureAction.LEADERSHIP_DECIDE: _leadership_decide,
    ProcedureAction.RECORD_HANDLING_OPINION: _record_handling_opinion,
    ProcedureAction.REPLY: _reply,
}


# --- invariants -----------------------------------------------------------------------------
_ROUTE_STATUSES: Mapping[str, frozenset[str]] = {
    Route.INVESTIGATION: frozenset(
        {
            S.INVESTIGATING,
            S.DEPT_HEAD_REVIEW,
            S.HR_REVIEW,
            S.GM_REVIEW,
            S.HANDLING_OPINION,
            S.SUPERVISOR_REVIEW,
            S.REPLY,
            S.CLOSED,
        }
    ),
    Route.LEADERSHIP: frozenset({S.LEADERSHIP_DECISION, S.REPLY, S.CLOSED}),
    Route.SALES_PROCEDURE: frozenset({S.REPLY, S.CLOSED}),
}


def state_problems(state: ComplaintState) -> list[str]:
    """What is wrong with a state (empty when it is one ``apply`` can produce)."""
    problems: list[str] = []
    if state.status not in ProcedureStatus.values:
        return [f"未知环节 {state.status}"]
    if (state.accepted is None) != (state.status == S.RECORDED):
        problems.append("只有待受理的投诉没有受理决定")
    if state.accepted is False:
        if state.status not in (S.REPLY, S.CLOSED):
            problems.append("不受理的投诉只能待答复或已结案")
        if state.route or state.investigating_department_id is not None:
            problems.append("不受理的投诉没有处理途径")
    if state.accepted is True:
        if state.status == S.ROUTING and state.route:
            problems.append("待分派的投诉还没有处理途径")
        if state.status != S.ROUTING:
            if state.route not in Route.values:
                problems.append("已分派的投诉须有处理途径")
            elif state.status not in _ROUTE_STATUSES[state.route]:
                problems.append(f"{Route(state.route).label}的投诉不会处于此环节")
    if (state.route == Route.INVESTIGATION) != (state.investigating_department_id is not None):
        problems.append("只有送交调查的投诉有受理部门，且必须有")
    if state.approvals != expected_approvals(state.status, state.route):
        problems.append("审核记录与所处环节不符（审核不得越级或缺漏）")
    return problems
