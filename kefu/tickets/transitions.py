"""Ticket lifecycle data — 工单状态机的数据: the actions, the capacities, the state snapshot, the
facts of one action, and the transition table (which status each action leaves from, where it
goes, who may take it and under which regulation).

Plain data only: the engine that reads the table (``capacities``, ``available_actions``,
``apply``, the state guards and the per-action effects) is ``statemachine``, which re-exports
every name here, so ``from kefu.tickets.statemachine import Action, TRANSITIONS`` keeps working.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models

from kefu.org.choices import Role

from .choices import Status

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
    "new_ticket",
]

# Reasons and notes are read by people (the timeline, 投诉统计, sanctions review): one character
# is never an explanation.
MIN_TEXT = 2


class Action(models.TextChoices):
    """工单操作: what a person (or the system) does to a ticket. Labels read "不能<label>"."""

    ACCEPT = "accept", "受理"
    REPLY = "reply", "回复"
    WAIT_CUSTOMER = "wait_customer", "转为待客户"
    CUSTOMER_REPLIED = "customer_replied", "登记客户回复"
    TRANSFER = "transfer", "转交"
    ACCEPT_TRANSFER = "accept_transfer", "接收转交"
    REJECT_TRANSFER = "reject_transfer", "退回转交"
    REASSIGN = "reassign", "改派"
    RESOLVE = "resolve", "解决"
    CLOSE = "close", "结案"
    REOPEN = "reopen", "重新打开"
    FOLLOW_UP = "follow_up", "回访"
    FLAG_MAJOR_FAULT = "flag_major_fault", "标记重大故障"
    SUBMIT_FAULT_REPORT = "submit_fault_report", "提交故障分析报告"


class Who(StrEnum):
    """The capacities in which an actor may act on a ticket (an actor can hold several)."""

    OWNER = "owner"  # 处理人: the person who holds the ticket now
    FIRST_RESPONSIBLE = "first_responsible"  # 首问负责人 (TKT-3): follows up until resolved
    LEAD = "lead"  # 组长及以上, and the ticket lies in the actor's data scope (ORG-5)
    TRANSFER_TARGET = "transfer_target"  # 转交对象: the person, or a member of the department
    CLAIMANT = "claimant"  # a 客服 taking an unassigned ticket (web form, e-mail queue)
    RETURN_VISITOR = "return_visitor"  # 回访员 (ORG-2 speciality)
    SYSTEM = "system"  # no person: an inbound message, a scheduled job

    @property
    def label(self) -> str:
        return WHO_LABELS[self]


WHO_LABELS: dict[Who, str] = {
    Who.OWNER: "处理人",
    Who.FIRST_RESPONSIBLE: "首问负责人",
    Who.LEAD: "组长及以上管理人员",
    Who.TRANSFER_TARGET: "转交对象",
    Who.CLAIMANT: "客服人员（认领未分派工单）",
    Who.RETURN_VISITOR: "回访员",
    Who.SYSTEM: "系统",
}

# Roles with authority over tickets of their scope: the reporting line of the 客服部 and the top
# management. Deliberately roles, not 职级: the head of 行政人事部 ranks as a department head and
# sees everything (Scope.ALL) but does not run service requests.
LEAD_ROLES: frozenset[str] = frozenset(
    {Role.TEAM_LEAD, Role.SUPERVISOR, Role.CS_MANAGER, Role.DEPUTY_GM, Role.GM}
)
# Roles that receive customers and so may claim an unassigned ticket (首问: whoever takes it).
FRONTLINE_ROLES: frozenset[str] = frozenset(
    {Role.AGENT, Role.TEAM_LEAD, Role.SUPERVISOR, Role.CS_MANAGER}
)


class ClockEffect(StrEnum):
    """What a transition does to the SLA clock (statuses in CLOCK_PAUSED_STATUSES stop it)."""

    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True)
class TicketState:
    """TicketState — 工单状态快照: everything the rules look at, nothing else.

    ``first_responsible_id`` is the 首问负责人 (TKT-3): set by the first person who takes the
    ticket, never changed afterwards. ``first_contact_eligible`` stays true while the ticket can
    still count as 一次办结 (no transfer, no hand-over, no reopen, resolved by the first
    responsible). ``major_fault``/``fault_report_complete`` carry TKT-7.
    """

    status: str = Status.NEW.value
    owner_id: int | None = None
    first_responsible_id: int | None = None
    pending_owner_id: int | None = None
    pending_department_id: int | None = None
    responded: bool = False
    followed_up: bool = False
    major_fault: bool = False
    fault_report_complete: bool = False
    first_contact_eligible: bool = True

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def new_ticket(received_by: int | None) -> TicketState:
    """The state of a ticket just recorded — 新建.

    ``received_by`` is the person who took the request (热线, 来访, a chat): the 首问负责人 and
    first owner. None for a request that arrived with nobody (网站表单, 邮件): the first person to
    take it (受理/回复/转交/解决 as a claimant, or 改派 by a lead) becomes both.
    """
    return TicketState(owner_id=received_by, first_responsible_id=received_by)


@dataclass(frozen=True)
class ActionFacts:
    """ActionFacts — 操作事实: who acts, in what capacity, and the action's inputs.

    The service fills it from the request and the database: ``actor_roles`` from the user's
    groups, ``oversees_ticket`` from the selector (the ticket lies in the actor's data scope,
    ORG-5), ``actor_department_id`` for transfers to a department. ``actor_id`` None is the
    system (an inbound customer message, a scheduled job).
    """

    actor_id: int | None
    actor_roles: frozenset[str] = frozenset()
    oversees_ticket: bool = False
    actor_department_id: int | None = None
    actor_speciality: str = ""
    target_id: int | None = None
    target_department_id: int | None = None
    reason: str = ""
    note: str = ""
    satisfied: bool | None = None
    fault_report: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """One row of the transition table: the statuses an action leaves from and where it goes."""

    moves: Mapping[str, str]
    who: frozenset[Who]
    regulation: str
    needs_reason: bool = False
    needs_note: bool = False
    responds: bool = (
        False  # the customer hears from us: the first one stops the first-response clock
    )
    breaks_first_contact: bool = False
    claims: bool = False  # on an unassigned ticket the actor becomes owner and 首问负责人 (TKT-3)

    def __post_init__(self) -> None:
        # Plain strings, so a state built from a database row compares and serialises alike.
        moves = {str(k): str(v) for k, v in self.moves.items()}
        object.__setattr__(self, "moves", moves)

    @property
    def who_label(self) -> str:
        order = list(Who)
        return "、".join(w.label for w in sorted(self.who, key=order.index))


_S = Status
_OPEN_NOT_CLOSED = (
    _S.NEW,
    _S.IN_PROGRESS,
    _S.WAITING_CUSTOMER,
    _S.TRANSFERRED,
    _S.RESOLVED,
)


def _same(*statuses: str) -> dict[str, str]:
    return {s: s for s in statuses}


TRANSITIONS: Mapping[str, Rule] = {
    # TKT-3/TKT-6 受理: the first person takes the request and starts handling it.
    Action.ACCEPT: Rule(
        moves={_S.NEW: _S.IN_PROGRESS},
        who=frozenset({Who.OWNER, Who.CLAIMANT, Who.LEAD}),
        regulation="TKT-3, TKT-6 受理",
        claims=True,
    ),
    # TKT-6 回复 / keep the customer told of progress; TKT-4's first response. A reply to a new
    # ticket is also its acceptance (an online greeting). After 解决, the result is replied.
    Action.REPLY: Rule(
        moves={
            _S.NEW: _S.IN_PROGRESS,
            **_same(_S.IN_PROGRESS, _S.WAITING_CUSTOMER, _S.TRANSFERRED, _S.RESOLVED),
        },
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.CLAIMANT, Who.LEAD}),
        regulation="TKT-4, TKT-6 回复",
        responds=True,
        claims=True,
    ),
    # Waiting on the customer (photos, tracking number, a decision): the SLA clock pauses. Asking
    # the customer is itself a response.
    Action.WAIT_CUSTOMER: Rule(
        moves={_S.IN_PROGRESS: _S.WAITING_CUSTOMER},
        who=frozenset({Who.OWNER, Who.LEAD}),
        regulation="TKT-4（待客户暂停计时）",
        responds=True,
    ),
    # The customer answered: the clock resumes. The system records it for inbound messages.
    Action.CUSTOMER_REPLIED: Rule(
        moves={_S.WAITING_CUSTOMER: _S.IN_PROGRESS},
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD, Who.SYSTEM}),
        regulation="TKT-6",
    ),
    # TKT-3: not in the first responsible's scope → record it and transfer it to the responsible
    # person or department, with a reason (推诿 is a recorded violation). The owner keeps the
    # ticket until the target accepts, so it is never nobody's.
    Action.TRANSFER: Rule(
        moves={_S.NEW: _S.TRANSFERRED, _S.IN_PROGRESS: _S.TRANSFERRED},
        who=frozenset({Who.OWNER, Who.CLAIMANT, Who.LEAD}),
        regulation="TKT-3 转交",
        needs_reason=True,
        breaks_first_contact=True,
        claims=True,
    ),
    Action.ACCEPT_TRANSFER: Rule(
        moves={_S.TRANSFERRED: _S.IN_PROGRESS},
        who=frozenset({Who.TRANSFER_TARGET}),
        regulation="TKT-3 转交",
    ),
    # The target declines (not its responsibility either), with a reason; back to the owner.
    Action.REJECT_TRANSFER: Rule(
        moves={_S.TRANSFERRED: _S.IN_PROGRESS},
        who=frozenset({Who.TRANSFER_TARGET, Who.LEAD}),
        regulation="TKT-3 转交",
        needs_reason=True,
    ),
    # A lead hands the ticket to someone (dispatching an unassigned one, or after an escalation).
    Action.REASSIGN: Rule(
        moves={
            **_same(_S.NEW, _S.IN_PROGRESS, _S.WAITING_CUSTOMER),
            _S.TRANSFERRED: _S.IN_PROGRESS,
        },
        who=frozenset({Who.LEAD}),
        regulation="TKT-3, ORG-5 改派",
        # A hand-over ends 一次办结; dispatching an unassigned ticket does not (see _reassign).
    ),
    # TKT-3 一次办结 / TKT-6 解决: with the result written down (TKT-5 handling notes).
    Action.RESOLVE: Rule(
        moves={
            _S.NEW: _S.RESOLVED,
            _S.IN_PROGRESS: _S.RESOLVED,
            _S.WAITING_CUSTOMER: _S.RESOLVED,
        },
        who=frozenset({Who.OWNER, Who.CLAIMANT, Who.LEAD}),
        regulation="TKT-3, TKT-6 解决",
        needs_note=True,
        responds=True,
        claims=True,
    ),
    # TKT-6 结案; TKT-7: a major fault closes only with its fault-analysis report.
    Action.CLOSE: Rule(
        moves={_S.RESOLVED: _S.CLOSED},
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD}),
        regulation="TKT-6 结案, TKT-7",
    ),
    # The customer was not helped after all: back to work, with a reason. Never 一次办结 again.
    Action.REOPEN: Rule(
        moves={_S.RESOLVED: _S.IN_PROGRESS, _S.CLOSED: _S.IN_PROGRESS},
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD}),
        regulation="TKT-3（不让客户打第二次电话）, TKT-6",
        needs_reason=True,
        breaks_first_contact=True,
    ),
    # TKT-6 反馈 / 回访: confirm satisfaction, before or after 结案.
    Action.FOLLOW_UP: Rule(
        moves=_same(_S.RESOLVED, _S.CLOSED),
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD, Who.RETURN_VISITOR}),
        regulation="TKT-6 回访, CRM-4",
        needs_note=True,
    ),
    # TKT-7: whoever first learns of a major fault flags it; notifications go out at once.
    Action.FLAG_MAJOR_FAULT: Rule(
        moves=_same(*_OPEN_NOT_CLOSED),
        who=frozenset({Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD}),
        regulation="TKT-7 重大故障",
        needs_note=True,
    ),
    # TKT-7: the fault-analysis report (time, place, symptoms, plan, impact, handling, cause,
    # corrective and preventive actions) — complete, or refused.
    Action.SUBMIT_FAULT_REPORT: Rule(
        moves=_same(*_OPEN_NOT_CLOSED),
        who=frozenset({Who.OWNER, Who.LEAD}),
        regulation="TKT-7 故障分析报告",
    ),
}


@dataclass(frozen=True)
class Transition:
    """Transition — 状态变更结果: the state before and after one action, and its side effects.

    ``clock`` says whether the SLA clock pauses or resumes at this moment (the service appends or
    closes a pause interval); ``first_response`` that this action is the first time the customer
    heard from us; ``notify_major_fault`` that TKT-7's notifications must go out now;
    ``first_contact_resolution`` that the ticket has just been closed as 一次办结.
    """

    action: Action
    actor_id: int | None
    before: TicketState
    after: TicketState
    clock: ClockEffect | None
    first_response: bool
    notify_major_fault: bool
    first_contact_resolution: bool

    @property
    def audit_action(self) -> str:
        """The audit event's action name, e.g. ``ticket.transfer``."""
        return f"ticket.{self.action.value}"

    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Field → (before, after) for every field this action changed."""
        before, after = self.before.as_dict(), self.after.as_dict()
        return {k: (before[k], after[k]) for k in before if before[k] != after[k]}

    def audit_before(self) -> dict[str, Any]:
        return {k: old for k, (old, _new) in self.changes().items()}

    def audit_after(self) -> dict[str, Any]:
        return {k: new for k, (_old, new) in self.changes().items()}
