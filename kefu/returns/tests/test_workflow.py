"""The case state machine, exhaustively and with random walks (pure)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.returns.choices import FINAL_STAGES, CaseType, ContactOutcome, Stage
from kefu.returns.workflow import (
    Action,
    Facts,
    TransitionError,
    available_actions,
    needs_early_approval,
    next_stage,
)

WORKER = {"can_work": True}
ALL = {"can_work": True, "can_inspect": True, "can_confirm_parcel": True, "can_approve": True}


def f(case_type: str, stage: str, **kw) -> Facts:
    return Facts(case_type=case_type, stage=stage, **kw)


@pytest.mark.parametrize("case_type", [CaseType.EXCHANGE, CaseType.DAMAGED])
@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.AWAITING_RETURN])
def test_reship_before_receipt_needs_approval(case_type: str, stage: str) -> None:
    with pytest.raises(TransitionError) as exc:
        next_stage(f(case_type, stage, **ALL), Action.RESHIP)
    assert exc.value.code == "return_not_received"
    assert Action.RESHIP not in available_actions(f(case_type, stage, **ALL))
    approved = f(case_type, stage, early_reship_approved=True, **WORKER)
    assert next_stage(approved, Action.RESHIP) == Stage.RESHIPPED


def test_reship_after_receipt_or_inspection_is_fine() -> None:
    for stage in (Stage.RECEIVED, Stage.INSPECTED_PASS):
        assert next_stage(f(CaseType.EXCHANGE, stage, **WORKER), Action.RESHIP) == Stage.RESHIPPED
    with pytest.raises(TransitionError):
        next_stage(f(CaseType.EXCHANGE, Stage.INSPECTED_FAIL, **ALL), Action.RESHIP)


def test_inspection_only_by_warehouse() -> None:
    with pytest.raises(TransitionError) as exc:
        next_stage(f(CaseType.RETURN, Stage.RECEIVED, **WORKER), Action.INSPECT, passed=True)
    assert exc.value.code == "forbidden"
    wh = f(CaseType.RETURN, Stage.RECEIVED, can_inspect=True)
    assert next_stage(wh, Action.INSPECT, passed=True) == Stage.INSPECTED_PASS
    assert next_stage(wh, Action.INSPECT, passed=False) == Stage.INSPECTED_FAIL
    assert available_actions(wh) == [Action.INSPECT]


def test_parcel_back_only_by_clerk() -> None:
    s = Stage.AWAITING_RETURN
    assert Action.PARCEL_BACK not in available_actions(f(CaseType.INTERCEPT, s, **WORKER))
    clerk = f(CaseType.INTERCEPT, s, can_confirm_parcel=True)
    assert available_actions(clerk) == [Action.PARCEL_BACK]
    assert next_stage(clerk, Action.PARCEL_BACK) == Stage.RECEIVED


def test_approval_only_by_approver_and_only_when_needed() -> None:
    assert Action.APPROVE_EARLY_RESHIP not in available_actions(
        f(CaseType.EXCHANGE, Stage.REGISTERED, **WORKER)
    )
    sup = f(CaseType.EXCHANGE, Stage.REGISTERED, can_approve=True)
    assert Action.APPROVE_EARLY_RESHIP in available_actions(sup)
    assert Action.APPROVE_EARLY_RESHIP not in available_actions(
        f(CaseType.EXCHANGE, Stage.INSPECTED_PASS, can_approve=True)
    )
    assert Action.APPROVE_EARLY_RESHIP not in available_actions(
        f(CaseType.RETURN, Stage.REGISTERED, can_approve=True)
    )


def test_out_of_stock_needs_contact_outcome() -> None:
    s = Stage.REGISTERED
    assert set(available_actions(f(CaseType.OUT_OF_STOCK, s, **WORKER))) == {
        Action.CONTACT,
        Action.CANCEL,
    }
    refund = f(CaseType.OUT_OF_STOCK, s, contact_outcome=ContactOutcome.REFUND, **WORKER)
    assert Action.REFUND in available_actions(refund)
    assert Action.RESHIP not in available_actions(refund)


@pytest.mark.parametrize("case_type", CaseType.values)
def test_final_stages_have_no_actions(case_type: str) -> None:
    for stage in FINAL_STAGES:
        assert available_actions(f(case_type, stage, **ALL)) == []


def test_exhaustive_table_targets_are_valid() -> None:
    flags = [
        dict(zip(ALL, combo, strict=True)) for combo in itertools.product([False, True], repeat=4)
    ]
    for case_type, stage, perms, approved, outcome in itertools.product(
        CaseType.values, Stage.values, flags, [False, True], ["", "refund", "exchange"]
    ):
        facts = f(
            case_type, stage, early_reship_approved=approved, contact_outcome=outcome, **perms
        )
        for action in available_actions(facts):
            target = next_stage(facts, action, passed=True)
            assert target in Stage.values
            if action == Action.RESHIP and needs_early_approval(case_type, stage):
                assert approved
            if action == Action.INSPECT:
                assert perms["can_inspect"]
            if action == Action.PARCEL_BACK:
                assert perms["can_confirm_parcel"]


@given(
    case_type=st.sampled_from(CaseType.values),
    steps=st.lists(st.tuples(st.sampled_from(list(Action)), st.booleans()), max_size=15),
)
def test_random_walk_never_reships_unreceived_without_approval(case_type, steps) -> None:
    stage = Stage.REGISTERED.value
    received = False
    for action, passed in steps:
        facts = f(
            case_type,
            stage,
            contact_outcome="exchange",
            **WORKER,
            can_inspect=True,
            can_confirm_parcel=True,
        )
        try:
            new = next_stage(facts, action, passed=passed)
        except TransitionError:
            continue
        if action == Action.RESHIP and case_type in (CaseType.EXCHANGE, CaseType.DAMAGED):
            assert received
        if new in (Stage.RECEIVED, Stage.INSPECTED_PASS):
            received = True
        stage = new
        if stage in FINAL_STAGES:
            assert available_actions(facts.__class__(case_type=case_type, stage=stage, **ALL)) == []
