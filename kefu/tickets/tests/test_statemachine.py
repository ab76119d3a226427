"""Ticket lifecycle (TKT-3, TKT-6, TKT-7): the transition table, who may act, the guards.

The expected tables below are written out by hand from the regulations, not read from
``TRANSITIONS``: a change to the engine must be a change to this file too. Everything is pure,
no database.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.core.errors import DomainError
from kefu.tickets.choices import FaultReportField, Status
from kefu.tickets.statemachine import (
    TRANSITIONS,
    Action,
    ActionFacts,
    ClockEffect,
    TicketState,
    Who,
    apply,
    available_actions,
    capacities,
    new_ticket,
    state_problems,
)

S, A = Status, Action
OWNER, FIRST, PENDING, LEAD, VISITOR, STRANGER, TARGET = 10, 11, 20, 40, 50, 60, 30
FULL_REPORT = {item.value: f"{item.label}内容" for item in FaultReportField}

# --- the transition table, by hand --------------------------------------------------------
# (status, action) → status after. Every pair not listed is an illegal transition.
EXPECTED: dict[tuple[str, str], str] = {
    (S.NEW, A.ACCEPT): S.IN_PROGRESS,
    (S.NEW, A.REPLY): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.REPLY): S.IN_PROGRESS,
    (S.WAITING_CUSTOMER, A.REPLY): S.WAITING_CUSTOMER,
    (S.TRANSFERRED, A.REPLY): S.TRANSFERRED,
    (S.RESOLVED, A.REPLY): S.RESOLVED,
    (S.IN_PROGRESS, A.WAIT_CUSTOMER): S.WAITING_CUSTOMER,
    (S.WAITING_CUSTOMER, A.CUSTOMER_REPLIED): S.IN_PROGRESS,
    (S.NEW, A.TRANSFER): S.TRANSFERRED,
    (S.IN_PROGRESS, A.TRANSFER): S.TRANSFERRED,
    (S.TRANSFERRED, A.ACCEPT_TRANSFER): S.IN_PROGRESS,
    (S.TRANSFERRED, A.REJECT_TRANSFER): S.IN_PROGRESS,
    (S.NEW, A.REASSIGN): S.NEW,
    (S.IN_PROGRESS, A.REASSIGN): S.IN_PROGRESS,
    (S.WAITING_CUSTOMER, A.REASSIGN): S.WAITING_CUSTOMER,
    (S.TRANSFERRED, A.REASSIGN): S.IN_PROGRESS,
    (S.NEW, A.RESOLVE): S.RESOLVED,
    (S.IN_PROGRESS, A.RESOLVE): S.RESOLVED,
    (S.WAITING_CUSTOMER, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.CLOSE): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.IN_PROGRESS,
    (S.CLOSED, A.REOPEN): S.IN_PROGRESS,
    (S.RESOLVED, A.FOLLOW_UP): S.RESOLVED,
    (S.CLOSED, A.FOLLOW_UP): S.CLOSED,
    **{(s, A.FLAG_MAJOR_FAULT): s for s in S if s != S.CLOSED},
    **{(s, A.SUBMIT_FAULT_REPORT): s for s in S if s != S.CLOSED},
}

# action → the capacities that may take it (TKT-3: owner, first responsible, lead and above).
ALLOWED: dict[str, set[Who]] = {
    A.ACCEPT: {Who.OWNER, Who.CLAIMANT, Who.LEAD},
    A.REPLY: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.CLAIMANT, Who.LEAD},
    A.WAIT_CUSTOMER: {Who.OWNER, Who.LEAD},
    A.CUSTOMER_REPLIED: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD, Who.SYSTEM},
    A.TRANSFER: {Who.OWNER, Who.CLAIMANT, Who.LEAD},
    A.ACCEPT_TRANSFER: {Who.TRANSFER_TARGET},
    A.REJECT_TRANSFER: {Who.TRANSFER_TARGET, Who.LEAD},
    A.REASSIGN: {Who.LEAD},
    A.RESOLVE: {Who.OWNER, Who.CLAIMANT, Who.LEAD},
    A.CLOSE: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD},
    A.REOPEN: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD},
    A.FOLLOW_UP: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD, Who.RETURN_VISITOR},
    A.FLAG_MAJOR_FAULT: {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD},
    A.SUBMIT_FAULT_REPORT: {Who.OWNER, Who.LEAD},
}


def state_in(status: str, *, owner: int | None = OWNER, first: int | None = OWNER, **kw: Any):
    """A consistent ticket in ``status``: a transferred one waits on PENDING."""
    pending = PENDING if status == S.TRANSFERRED else None
    return TicketState(
        status=status,
        owner_id=owner,
        first_responsible_id=first,
        pending_owner_id=pending,
        responded=status != S.NEW,
        **kw,
    )


def facts(actor: int | None, *, roles: set[str] | None = None, **kw: Any) -> ActionFacts:
    """Facts that satisfy every action's inputs, for ``actor``."""
    values: dict[str, Any] = {
        "actor_id": actor,
        "actor_roles": frozenset(roles or ()),
        "target_id": TARGET,
        "reason": "不属于本人职责范围",
        "note": "已为客户办理退货",
        "satisfied": True,
        "fault_report": FULL_REPORT,
    }
    values.update(kw)
    return ActionFacts(**values)


def lead(actor: int = LEAD, **kw: Any) -> ActionFacts:
    return facts(actor, roles={"team_lead"}, oversees_ticket=True, **kw)


def base_for(status: str, action: str) -> TicketState:
    # The state guards of TKT-7 need the right flag to let the transition itself be judged.
    return state_in(status, major_fault=action == A.SUBMIT_FAULT_REPORT)


def omnipotent(action: str) -> ActionFacts:
    # Owner, first responsible and lead at once; the transfer target for 接收转交.
    actor = PENDING if action == A.ACCEPT_TRANSFER else OWNER
    return lead(actor, actor_speciality="return_visit")


# --- every status × every action ------------------------------------------------------------
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_every_status_and_action(status: Status, action: Action) -> None:
    state = base_for(status, action)
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(DomainError) as exc:
            apply(state, action, omnipotent(action))
        assert exc.value.code == "ticket_illegal_transition"
        assert exc.value.status == 409
        assert exc.value.message == f"{status.label}的工单不能{action.label}"
    else:
        transition = apply(state, action, omnipotent(action))
        assert transition.after.status == expected
        assert transition.before == state
        assert state_problems(transition.after) == []


def test_table_has_no_transition_the_test_does_not_know() -> None:
    engine = {(s, a) for a, rule in TRANSITIONS.items() for s in rule.moves}
    assert engine == set(EXPECTED)
    assert {a: set(rule.who) for a, rule in TRANSITIONS.items()} == ALLOWED
    assert all(rule.regulation for rule in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (S.CLOSED, A.TRANSFER, "已关闭的工单不能转交"),
        (S.NEW, A.CLOSE, "新建的工单不能结案"),
        (S.CLOSED, A.RESOLVE, "已关闭的工单不能解决"),
        (S.WAITING_CUSTOMER, A.TRANSFER, "待客户的工单不能转交"),
        (S.IN_PROGRESS, A.ACCEPT, "处理中的工单不能受理"),
    ],
)
def test_illegal_transition_names_status_and_action(status, action, message) -> None:
    with pytest.raises(DomainError) as exc:
        apply(base_for(status, action), action, omnipotent(action))
    assert exc.value.code == "ticket_illegal_transition"
    assert exc.value.message == message


def test_action_given_as_string_and_unknown_action() -> None:
    assert apply(state_in(S.NEW), "accept", facts(OWNER)).after.status == S.IN_PROGRESS
    with pytest.raises(ValueError):
        apply(state_in(S.NEW), "delete", facts(OWNER))


# --- who may act ----------------------------------------------------------------------------
def personas(status: str, action: str) -> list[tuple[Who | str, TicketState, ActionFacts]]:
    """One actor per capacity, holding that capacity alone, plus actors holding none."""
    flagged = action == A.SUBMIT_FAULT_REPORT
    owned = state_in(status, owner=OWNER, first=FIRST, major_fault=flagged)
    people: list[tuple[Who | str, TicketState, ActionFacts]] = [
        (Who.OWNER, owned, facts(OWNER, roles={"agent"})),
        (Who.FIRST_RESPONSIBLE, owned, facts(FIRST, roles={"agent"})),
        (Who.LEAD, owned, lead()),
        (
            Who.RETURN_VISITOR,
            owned,
            facts(VISITOR, roles={"agent"}, actor_speciality="return_visit"),
        ),
        (Who.SYSTEM, owned, facts(None)),
        ("stranger", owned, facts(STRANGER, roles={"agent"})),
        ("lead of another team", owned, facts(LEAD, roles={"team_lead"}, oversees_ticket=False)),
        (
            "行政人事部 (sees all, no ticket authority)",
            owned,
            facts(LEAD, roles={"hr"}, oversees_ticket=True),
        ),
    ]
    if status == S.TRANSFERRED:
        people.append((Who.TRANSFER_TARGET, owned, facts(PENDING, roles={"agent"})))
        by_department = dataclasses.replace(owned, pending_owner_id=None, pending_department_id=7)
        people.append(
            (Who.TRANSFER_TARGET, by_department, facts(21, roles={"agent"}, actor_department_id=7))
        )
        people.append(
            ("another department", by_department, facts(22, roles={"agent"}, actor_department_id=8))
        )
    if status == S.NEW:
        unassigned = state_in(S.NEW, owner=None, first=None, major_fault=flagged)
        people.append((Who.CLAIMANT, unassigned, facts(STRANGER, roles={"agent"})))
        people.append(("warehouse clerk", unassigned, facts(STRANGER, roles={"warehouse"})))
    return people


CASES = [
    (action, status, who, state, fx)
    for (status, action) in EXPECTED
    for who, state, fx in personas(status, action)
]


@pytest.mark.parametrize(
    ("action", "status", "who", "state", "fx"),
    CASES,
    ids=[f"{a.value}-{s}-{w}" for a, s, w, _, _ in CASES],
)
def test_who_may_take_each_action(action, status, who, state, fx) -> None:
    before = dataclasses.replace(state)
    if who in ALLOWED[action]:
        transition = apply(state, action, fx)
        assert transition.after.status == EXPECTED[(status, action)]
        assert action in available_actions(state, fx)
    else:
        with pytest.raises(DomainError) as exc:
            apply(state, action, fx)
        assert exc.value.code == "ticket_action_forbidden"
        assert exc.value.status == 403
        assert exc.value.message.startswith("只有") and action.label in exc.value.message
        assert action not in available_actions(state, fx)
    assert state == before  # nothing changed on a refusal (nor on success: states are values)


def test_capacities_are_combined() -> None:
    state = state_in(S.IN_PROGRESS, owner=OWNER, first=OWNER)
    assert capacities(state, lead(OWNER)) == {Who.OWNER, Who.FIRST_RESPONSIBLE, Who.LEAD}
    assert capacities(state, facts(None)) == {Who.SYSTEM}
    assert capacities(state, facts(STRANGER)) == set()


def test_forbidden_message_lists_who_may() -> None:
    with pytest.raises(DomainError) as exc:
        apply(state_in(S.RESOLVED), A.CLOSE, facts(STRANGER, roles={"agent"}))
    assert exc.value.message == "只有处理人、首问负责人、组长及以上管理人员可以结案"


# --- TKT-3 首问负责制 -------------------------------------------------------------------------
def test_receiver_is_first_responsible_and_owner() -> None:
    state = new_ticket(received_by=5)
    assert (state.status, state.owner_id, state.first_responsible_id) == (S.NEW, 5, 5)
    assert state.first_contact_eligible is True


@pytest.mark.parametrize("action", [A.ACCEPT, A.REPLY, A.RESOLVE, A.TRANSFER])
def test_whoever_takes_an_unassigned_ticket_becomes_first_responsible(action) -> None:
    state = new_ticket(received_by=None)
    transition = apply(state, action, facts(STRANGER, roles={"agent"}))
    assert transition.after.first_responsible_id == STRANGER
    assert transition.after.owner_id == STRANGER
    assert transition.changes()["first_responsible_id"] == (None, STRANGER)


def test_dispatching_an_unassigned_ticket_makes_the_assignee_first_responsible() -> None:
    transition = apply(new_ticket(None), A.REASSIGN, lead(reason=""))
    after = transition.after
    assert (after.status, after.owner_id, after.first_responsible_id) == (S.NEW, TARGET, TARGET)
    assert after.first_contact_eligible is True  # a dispatch is not a hand-over


def test_first_responsible_never_changes_through_transfer_and_reassign() -> None:
    state = apply(new_ticket(5), A.ACCEPT, facts(5)).after
    state = apply(state, A.TRANSFER, facts(5, target_id=6)).after
    assert (state.owner_id, state.pending_owner_id, state.first_responsible_id) == (5, 6, 5)
    state = apply(state, A.ACCEPT_TRANSFER, facts(6)).after
    assert (state.owner_id, state.pending_owner_id, state.first_responsible_id) == (6, None, 5)
    state = apply(state, A.REASSIGN, lead(target_id=7)).after
    assert (state.owner_id, state.first_responsible_id) == (7, 5)
    # The first responsible still follows up with the customer (TKT-6) and may close.
    state = apply(state, A.REPLY, facts(5)).after
    state = apply(state, A.RESOLVE, facts(7)).after
    assert apply(state, A.CLOSE, facts(5)).after.status == S.CLOSED


def test_transfer_keeps_the_owner_until_the_target_accepts() -> None:
    state = state_in(S.IN_PROGRESS)
    transferred = apply(state, A.TRANSFER, facts(OWNER, target_id=TARGET)).after
    assert transferred.owner_id == OWNER and transferred.pending_owner_id == TARGET
    rejected = apply(transferred, A.REJECT_TRANSFER, facts(TARGET, reason="应由售后组处理")).after
    assert (rejected.status, rejected.owner_id, rejected.pending_owner_id) == (
        S.IN_PROGRESS,
        OWNER,
        None,
    )


def test_transfer_to_a_department_is_accepted_by_one_of_its_members() -> None:
    state = state_in(S.IN_PROGRESS)
    transferred = apply(
        state, A.TRANSFER, facts(OWNER, target_id=None, target_department_id=3)
    ).after
    assert (transferred.pending_owner_id, transferred.pending_department_id) == (None, 3)
    with pytest.raises(DomainError) as exc:
        apply(transferred, A.ACCEPT_TRANSFER, facts(80, actor_department_id=4))
    assert exc.value.code == "ticket_action_forbidden"
    accepted = apply(transferred, A.ACCEPT_TRANSFER, facts(81, actor_department_id=3)).after
    assert (accepted.owner_id, accepted.pending_department_id) == (81, None)


@pytest.mark.parametrize("reason", ["", "   ", "好"])
def test_transfer_needs_a_reason(reason: str) -> None:
    with pytest.raises(DomainError) as exc:
        apply(state_in(S.IN_PROGRESS), A.TRANSFER, facts(OWNER, reason=reason))
    assert exc.value.code == "ticket_reason_required"
    assert exc.value.fields == {"reason": "请填写转交原因"}


@pytest.mark.parametrize(
    ("target_id", "department_id", "code"),
    [
        (None, None, "ticket_target_required"),
        (TARGET, 3, "ticket_target_required"),
        (OWNER, None, "ticket_transfer_to_owner"),
    ],
)
def test_transfer_needs_one_target_other_than_the_owner(target_id, department_id, code) -> None:
    with pytest.raises(DomainError) as exc:
        apply(
            state_in(S.IN_PROGRESS),
            A.TRANSFER,
            facts(OWNER, target_id=target_id, target_department_id=department_id),
        )
    assert exc.value.code == code
    assert "target" in exc.value.fields


def test_reassigning_an_owned_ticket_needs_a_reason_and_another_person() -> None:
    state = state_in(S.IN_PROGRESS)
    with pytest.raises(DomainError) as exc:
        apply(state, A.REASSIGN, lead(reason=""))
    assert exc.value.code == "ticket_reason_required"
    with pytest.raises(DomainError) as exc:
        apply(state, A.REASSIGN, lead(target_id=None))
    assert exc.value.code == "ticket_target_required"
    with pytest.raises(DomainError) as exc:
        apply(state, A.REASSIGN, lead(target_id=OWNER))
    assert exc.value.code == "ticket_transfer_to_owner"


def test_reassign_cancels_a_pending_transfer() -> None:
    after = apply(state_in(S.TRANSFERRED), A.REASSIGN, lead(target_id=TARGET)).after
    assert (after.status, after.owner_id, after.pending_owner_id) == (S.IN_PROGRESS, TARGET, None)


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        (A.RESOLVE, "note", "请填写处理结果"),
        (A.REOPEN, "reason", "请填写重新打开原因"),
        (A.REJECT_TRANSFER, "reason", "请填写退回转交原因"),
        (A.FLAG_MAJOR_FAULT, "note", "请填写故障的发生时间、地点、现象和处理预案"),
        (A.FOLLOW_UP, "note", "请填写回访情况"),
    ],
)
def test_actions_that_need_a_text(action, field, message) -> None:
    status = next(s for (s, a) in EXPECTED if a == action)
    actor = PENDING if action == A.REJECT_TRANSFER else OWNER
    with pytest.raises(DomainError) as exc:
        apply(state_in(status), action, facts(actor, **{field: " x "}))
    assert exc.value.fields == {field: message}


def test_follow_up_needs_the_customers_verdict() -> None:
    with pytest.raises(DomainError) as exc:
        apply(state_in(S.RESOLVED), A.FOLLOW_UP, facts(OWNER, satisfied=None))
    assert exc.value.code == "ticket_satisfaction_required"
    after = apply(state_in(S.RESOLVED), A.FOLLOW_UP, facts(OWNER, satisfied=False)).after
    assert after.followed_up is True
    # A reopened ticket needs a new 回访 after it is resolved again.
    assert apply(after, A.REOPEN, facts(OWNER)).after.followed_up is False


# --- 一次办结 ---------------------------------------------------------------------------------
def _close_out(state: TicketState, resolver: int) -> bool:
    state = apply(
        state, A.RESOLVE, facts(resolver, roles={"team_lead"}, oversees_ticket=True)
    ).after
    return apply(state, A.CLOSE, facts(state.owner_id)).first_contact_resolution


def test_first_contact_resolution() -> None:
    assert _close_out(new_ticket(5), resolver=5) is True
    waited = apply(apply(new_ticket(5), A.ACCEPT, facts(5)).after, A.WAIT_CUSTOMER, facts(5)).after
    waited = apply(waited, A.CUSTOMER_REPLIED, facts(None)).after
    assert _close_out(waited, resolver=5) is True  # waiting on the customer is not a hand-over


def test_first_contact_resolution_is_lost() -> None:
    transferred = apply(new_ticket(5), A.TRANSFER, facts(5, target_id=6)).after
    accepted = apply(transferred, A.ACCEPT_TRANSFER, facts(6)).after
    assert _close_out(accepted, resolver=6) is False
    assert _close_out(new_ticket(5), resolver=LEAD) is False  # a lead settled it, not the receiver
    reopened = apply(apply(new_ticket(5), A.RESOLVE, facts(5)).after, A.REOPEN, facts(5)).after
    assert _close_out(reopened, resolver=5) is False
    reassigned = apply(
        state_in(S.IN_PROGRESS, owner=5, first=5), A.REASSIGN, lead(target_id=6)
    ).after
    assert reassigned.first_contact_eligible is False


# --- TKT-7 重大故障 ---------------------------------------------------------------------------
def test_major_fault_cannot_close_without_its_report() -> None:
    state = state_in(S.IN_PROGRESS)
    flagged = apply(state, A.FLAG_MAJOR_FAULT, facts(OWNER, note="机房断电，全部终端离线"))
    assert flagged.notify_major_fault is True
    resolved = apply(flagged.after, A.RESOLVE, facts(OWNER)).after
    with pytest.raises(DomainError) as exc:
        apply(resolved, A.CLOSE, facts(OWNER))
    assert exc.value.code == "ticket_fault_report_required"
    assert exc.value.status == 409
    assert A.CLOSE not in available_actions(resolved, facts(OWNER))
    reported = apply(resolved, A.SUBMIT_FAULT_REPORT, facts(OWNER)).after
    assert reported.fault_report_complete is True
    assert A.CLOSE in available_actions(reported, facts(OWNER))
    assert apply(reported, A.CLOSE, facts(OWNER)).after.status == S.CLOSED


def test_incomplete_fault_report_names_each_missing_item() -> None:
    flagged = state_in(S.IN_PROGRESS, major_fault=True)
    report = dict(FULL_REPORT, cause="  ", corrective_actions="")
    del report["impact"]
    with pytest.raises(DomainError) as exc:
        apply(flagged, A.SUBMIT_FAULT_REPORT, facts(OWNER, fault_report=report))
    assert exc.value.code == "ticket_fault_report_incomplete"
    assert exc.value.fields == {
        "impact": "请填写造成的影响",
        "cause": "请填写原因分析",
        "corrective_actions": "请填写纠正预防措施",
    }
    assert "造成的影响、原因分析、纠正预防措施" in exc.value.message


def test_major_fault_flag_guards() -> None:
    flagged = state_in(S.IN_PROGRESS, major_fault=True)
    with pytest.raises(DomainError) as exc:
        apply(flagged, A.FLAG_MAJOR_FAULT, facts(OWNER))
    assert exc.value.code == "ticket_already_major_fault"
    with pytest.raises(DomainError) as exc:
        apply(state_in(S.IN_PROGRESS), A.SUBMIT_FAULT_REPORT, facts(OWNER))
    assert exc.value.code == "ticket_not_major_fault"
    assert A.SUBMIT_FAULT_REPORT not in available_actions(state_in(S.IN_PROGRESS), facts(OWNER))
    assert A.FLAG_MAJOR_FAULT not in available_actions(flagged, facts(OWNER))


def test_a_closed_ticket_cannot_be_flagged() -> None:
    with pytest.raises(DomainError) as exc:
        apply(state_in(S.CLOSED), A.FLAG_MAJOR_FAULT, facts(OWNER))
    assert exc.value.message == "已关闭的工单不能标记重大故障"


# --- what a transition reports ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "action", "actor", "clock"),
    [
        (S.IN_PROGRESS, A.WAIT_CUSTOMER, OWNER, ClockEffect.PAUSE),
        (S.WAITING_CUSTOMER, A.CUSTOMER_REPLIED, None, ClockEffect.RESUME),
        (S.IN_PROGRESS, A.RESOLVE, OWNER, ClockEffect.PAUSE),
        (S.WAITING_CUSTOMER, A.RESOLVE, OWNER, None),  # already stopped
        (S.RESOLVED, A.CLOSE, OWNER, None),
        (S.RESOLVED, A.REOPEN, OWNER, ClockEffect.RESUME),
        (S.CLOSED, A.REOPEN, OWNER, ClockEffect.RESUME),
        (S.IN_PROGRESS, A.TRANSFER, OWNER, None),  # the customer still waits on us
        (S.WAITING_CUSTOMER, A.REPLY, OWNER, None),
    ],
)
def test_clock_effects(status, action, actor, clock) -> None:
    assert apply(state_in(status), action, facts(actor)).clock == clock


def test_first_response_is_reported_once() -> None:
    state = new_ticket(5)
    first = apply(state, A.REPLY, facts(5))
    assert first.first_response is True
    assert apply(first.after, A.REPLY, facts(5)).first_response is False
    # Asking the customer for something, or settling it at once, is a response too.
    accepted = apply(state, A.ACCEPT, facts(5))
    assert accepted.first_response is False
    assert apply(accepted.after, A.WAIT_CUSTOMER, facts(5)).first_response is True
    assert apply(state, A.RESOLVE, facts(5)).first_response is True


def test_changes_and_audit_payload() -> None:
    transition = apply(state_in(S.IN_PROGRESS), A.TRANSFER, facts(OWNER, target_id=TARGET))
    assert transition.audit_action == "ticket.transfer"
    assert transition.changes() == {
        "status": (S.IN_PROGRESS, S.TRANSFERRED),
        "pending_owner_id": (None, TARGET),
        "first_contact_eligible": (True, False),
    }
    assert transition.audit_before() == {
        "status": "in_progress",
        "pending_owner_id": None,
        "first_contact_eligible": True,
    }
    assert transition.audit_after()["status"] == "transferred"
    assert transition.actor_id == OWNER


def test_state_problems_catch_broken_states() -> None:
    assert state_problems(new_ticket(None)) == []
    assert state_problems(TicketState(status=S.IN_PROGRESS)) == ["非新建工单必须有处理人"]
    assert "重大故障工单缺少故障分析报告却已结案" in state_problems(
        state_in(S.CLOSED, major_fault=True)
    )
    assert "已转交的工单须有且只有一个转交对象" in state_problems(
        dataclasses.replace(state_in(S.TRANSFERRED), pending_department_id=3)
    )


# --- properties -------------------------------------------------------------------------------
# Leads are over-represented: they are the ones who can 改派, the riskiest action for TKT-3.
ROLE_SETS = st.sampled_from(
    [
        frozenset(),
        frozenset({"agent"}),
        frozenset({"team_lead"}),
        frozenset({"team_lead"}),
        frozenset({"hr"}),
    ]
)
# Mostly acceptable texts, so sequences reach 已关闭 and 重新打开 often enough to matter.
TEXTS = st.sampled_from(["", " ", "好", "客户要求换货", "客户要求换货", "已电话回复客户"])


@st.composite
def random_facts(draw: Any, state: TicketState) -> ActionFacts:
    # Actors are drawn mostly from the people the ticket knows, so sequences get somewhere.
    known = [state.owner_id, state.first_responsible_id, state.pending_owner_id, 1, 2, 3]
    actor = draw(st.one_of(st.none(), st.sampled_from([x for x in known if x is not None] or [1])))
    report = draw(st.sampled_from([FULL_REPORT, {}, {"cause": "断电"}]))
    return ActionFacts(
        actor_id=actor,
        actor_roles=draw(ROLE_SETS),
        oversees_ticket=draw(st.sampled_from([True, True, False])),
        actor_department_id=draw(st.sampled_from([None, 1, 2])),
        actor_speciality=draw(st.sampled_from(["", "return_visit"])),
        target_id=draw(st.sampled_from([None, 1, 2, 3, 4])),
        target_department_id=draw(st.sampled_from([None, None, 1, 2])),
        reason=draw(TEXTS),
        note=draw(TEXTS),
        satisfied=draw(st.sampled_from([None, True, False])),
        fault_report=report,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), received_by=st.sampled_from([None, 1, 2]))
def test_random_sequences_stay_valid(data: Any, received_by: int | None) -> None:
    state = new_ticket(received_by)
    first_responsible = state.first_responsible_id
    first_responses = 0
    for _ in range(data.draw(st.integers(min_value=1, max_value=40))):
        fx = data.draw(random_facts(state))
        # Mostly an action this actor may take now (so long sequences happen), sometimes any.
        possible = available_actions(state, fx)
        if possible and data.draw(st.integers(0, 3)):
            action = data.draw(st.sampled_from(possible))
        else:
            action = data.draw(st.sampled_from(list(A)))
        try:
            transition = apply(state, action, fx)
        except DomainError as exc:
            assert exc.code.startswith("ticket_") or exc.code == "ticket_action_forbidden"
            continue
        after = transition.after
        assert state_problems(after) == [], (action, state, after)
        # TKT-3: the first responsible is set once and never changes.
        if first_responsible is not None:
            assert after.first_responsible_id == first_responsible
        first_responsible = after.first_responsible_id
        # A closed ticket leaves only through 重新打开 (回访 keeps it closed).
        if state.status == S.CLOSED:
            assert after.status == S.CLOSED or action == A.REOPEN
            if action != A.REOPEN:
                assert action == A.FOLLOW_UP
        # TKT-7: nothing closes a major fault without its report.
        if after.status == S.CLOSED and after.major_fault:
            assert after.fault_report_complete
        if transition.first_response:
            first_responses += 1
        assert after.responded == (first_responses == 1)
        state = after
    assert first_responses <= 1
