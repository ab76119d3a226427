"""Approval chains — 审批流程 (ORG-4): climb the reporting line one level at a time, never skipping.

``resolve_chain`` and ``pick_rule`` are pure, so every branch is checked without a database, with
hypothesis for the "prefix of the reporting line, nobody skipped" properties. ``approval_chain``
is then checked against make_org() and the default org policy, including a future policy version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError
from kefu.core.policy import default_bodies, policy_version_create
from kefu.core.policy.schemas import ApprovalRule
from kefu.org.approval import ChainLink, approval_chain, pick_rule, resolve_chain, superiors_of
from kefu.org.choices import LEVEL_RANK, Level

LEVELS = [level.value for level in Level]


def link(pk: int, level: str) -> ChainLink:
    return ChainLink(employee_id=pk, level=level)


# A reporting line agent → 组长 → 主管 → 部门经理 → 副总 → 总经理, ids 2..6.
LINE = [
    link(2, Level.TEAM_LEAD),
    link(3, Level.SUPERVISOR),
    link(4, Level.DEPARTMENT_HEAD),
    link(5, Level.DEPUTY_GM),
    link(6, Level.GM),
]

LEAVE_RULES = [
    ApprovalRule(applicant_min_level="department_head", final_level="gm"),
    ApprovalRule(max_days=1, final_level="department_head"),
    ApprovalRule(final_level="deputy_gm"),
]


def ids(chain: list[Any]) -> list[int]:
    return [getattr(x, "employee_id", None) or x.pk for x in chain]


# --- pick_rule -------------------------------------------------------------------------------
class TestPickRule:
    def test_first_matching_rule_wins_even_when_a_later_one_also_matches(self) -> None:
        rules = [
            ApprovalRule(max_days=3, final_level="supervisor"),
            ApprovalRule(max_days=5, final_level="gm"),
            ApprovalRule(final_level="deputy_gm"),
        ]
        assert pick_rule(rules, "agent", {"days": 2}) is rules[0]
        assert pick_rule(rules, "agent", {"days": 4}) is rules[1]
        assert pick_rule(rules, "agent", {"days": 6}) is rules[2]

    @pytest.mark.parametrize(
        ("level", "expected"),
        [
            ("agent", 1),
            ("team_lead", 1),
            ("supervisor", 1),
            ("department_head", 0),
            ("deputy_gm", 0),
            ("gm", 0),
        ],
    )
    def test_applicant_min_level_applies_from_that_level_up(
        self, level: str, expected: int
    ) -> None:
        assert pick_rule(LEAVE_RULES, level, {"days": 1}) is LEAVE_RULES[expected]

    def test_min_level_rule_needs_no_days(self) -> None:
        # 部门经理 asks without saying how many days: the first rule decides, days are never read.
        assert pick_rule(LEAVE_RULES, "department_head", {}) is LEAVE_RULES[0]

    @pytest.mark.parametrize(
        ("days", "expected"),
        [(0.5, 1), (1, 1), ("1", 1), (Decimal("1.0"), 1), (1.5, 2), (2, 2), (30, 2)],
    )
    def test_max_days_is_inclusive(self, days: Any, expected: int) -> None:
        assert pick_rule(LEAVE_RULES, "agent", {"days": days}) is LEAVE_RULES[expected]

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [(0, 0), ("500", 0), (Decimal("500.00"), 0), (Decimal("500.01"), 1), (10_000, 1)],
    )
    def test_max_amount_is_inclusive(self, amount: Any, expected: int) -> None:
        rules = [
            ApprovalRule(max_amount=Decimal("500"), final_level="department_head"),
            ApprovalRule(final_level="gm"),
        ]
        assert pick_rule(rules, "agent", {"amount": amount}) is rules[expected]

    @pytest.mark.parametrize(("field", "label"), [("days", "天数"), ("amount", "金额")])
    def test_missing_fact_names_the_field(self, field: str, label: str) -> None:
        rules = [
            ApprovalRule(max_days=1, max_amount=Decimal("100"), final_level="team_lead"),
            ApprovalRule(final_level="gm"),
        ]
        facts = {"days": 1, "amount": 1}
        facts.pop(field)
        with pytest.raises(DomainError) as exc:
            pick_rule(rules, "agent", facts)
        assert exc.value.code == "approval_fact_missing"
        assert exc.value.status == 422
        assert set(exc.value.fields) == {field}
        assert label in exc.value.message

    def test_fact_given_as_none_counts_as_missing(self) -> None:
        with pytest.raises(DomainError) as exc:
            pick_rule(LEAVE_RULES, "agent", {"days": None})
        assert exc.value.code == "approval_fact_missing"
        assert exc.value.fields == {"days": "请填写天数"}

    def test_zero_days_is_a_fact_not_a_missing_one(self) -> None:
        assert pick_rule(LEAVE_RULES, "agent", {"days": 0}) is LEAVE_RULES[1]

    @pytest.mark.parametrize("bad", ["abc", "", "1天", [], True])
    def test_fact_that_is_not_a_number_is_a_domain_error(self, bad: Any) -> None:
        with pytest.raises(DomainError) as exc:
            pick_rule(LEAVE_RULES, "agent", {"days": bad})
        assert exc.value.code == "approval_fact_invalid"
        assert set(exc.value.fields) == {"days"}

    @pytest.mark.parametrize("bad", [-1, "-0.5", "NaN", "Infinity"])
    def test_negative_or_non_finite_fact_is_refused(self, bad: Any) -> None:
        with pytest.raises(DomainError) as exc:
            pick_rule(LEAVE_RULES, "agent", {"days": bad})
        assert exc.value.code == "approval_fact_invalid"

    def test_no_rule_applies(self) -> None:
        # A policy always ends with a catch-all, so this only happens with hand-built rule lists.
        rules = [ApprovalRule(applicant_min_level="gm", final_level="gm")]
        with pytest.raises(DomainError) as exc:
            pick_rule(rules, "agent", {})
        assert exc.value.code == "approval_no_rule"

    def test_no_rules_at_all(self) -> None:
        with pytest.raises(DomainError) as exc:
            pick_rule([], "agent", {"days": 1})
        assert exc.value.code == "approval_no_rule"


# --- resolve_chain ---------------------------------------------------------------------------
class TestResolveChain:
    def test_one_day_leave_ends_at_department_head(self) -> None:
        chain = resolve_chain(
            applicant_level="agent", superiors=LINE, rules=LEAVE_RULES, facts={"days": 1}
        )
        assert ids(chain) == [2, 3, 4]

    def test_longer_leave_goes_on_to_deputy_gm(self) -> None:
        chain = resolve_chain(
            applicant_level="agent", superiors=LINE, rules=LEAVE_RULES, facts={"days": 1.5}
        )
        assert ids(chain) == [2, 3, 4, 5]

    def test_department_heads_leave_goes_to_gm_through_deputy_gm(self) -> None:
        chain = resolve_chain(
            applicant_level="department_head",
            superiors=[link(5, Level.DEPUTY_GM), link(6, Level.GM)],
            rules=LEAVE_RULES,
            facts={"days": 1},
        )
        # Not straight to the GM: the deputy GM approves first (不得越级).
        assert ids(chain) == [5, 6]

    def test_max_amount_rule(self) -> None:
        rules = [
            ApprovalRule(max_amount=Decimal("200"), final_level="supervisor"),
            ApprovalRule(final_level="gm"),
        ]
        small = resolve_chain(
            applicant_level="agent", superiors=LINE, rules=rules, facts={"amount": "200"}
        )
        large = resolve_chain(
            applicant_level="agent", superiors=LINE, rules=rules, facts={"amount": "200.5"}
        )
        assert ids(small) == [2, 3]
        assert ids(large) == [2, 3, 4, 5, 6]

    def test_superior_already_at_or_above_target_ends_the_chain_at_once(self) -> None:
        # A 系统管理员 (agent level) reports straight to the deputy GM: one link is enough.
        chain = resolve_chain(
            applicant_level="agent",
            superiors=[link(5, Level.DEPUTY_GM), link(6, Level.GM)],
            rules=LEAVE_RULES,
            facts={"days": 1},
        )
        assert ids(chain) == [5]

    def test_superior_exactly_at_target_ends_the_chain(self) -> None:
        rules = [ApprovalRule(final_level="supervisor")]
        chain = resolve_chain(applicant_level="agent", superiors=LINE, rules=rules, facts={})
        assert ids(chain) == [2, 3]

    def test_reporting_line_ending_before_target_is_incomplete(self) -> None:
        with pytest.raises(DomainError) as exc:
            resolve_chain(
                applicant_level="agent",
                superiors=LINE[:3],  # stops at the department head
                rules=LEAVE_RULES,
                facts={"days": 3},
            )
        assert exc.value.code == "approval_chain_incomplete"
        assert exc.value.status == 409
        assert "副总经理" in exc.value.message

    def test_no_superiors_at_all_is_incomplete(self) -> None:
        with pytest.raises(DomainError) as exc:
            resolve_chain(applicant_level="gm", superiors=[], rules=LEAVE_RULES, facts={})
        assert exc.value.code == "approval_chain_incomplete"
        assert "总经理" in exc.value.message

    def test_missing_fact_propagates(self) -> None:
        with pytest.raises(DomainError) as exc:
            resolve_chain(applicant_level="agent", superiors=LINE, rules=LEAVE_RULES, facts={})
        assert exc.value.code == "approval_fact_missing"
        assert "days" in exc.value.fields

    def test_no_rule_propagates(self) -> None:
        with pytest.raises(DomainError) as exc:
            resolve_chain(
                applicant_level="agent",
                superiors=LINE,
                rules=[ApprovalRule(applicant_min_level="gm", final_level="gm")],
                facts={},
            )
        assert exc.value.code == "approval_no_rule"


# --- properties ------------------------------------------------------------------------------
level_st = st.sampled_from(LEVELS)
superiors_st = st.lists(level_st, max_size=8).map(
    lambda levels: [link(i + 100, lv) for i, lv in enumerate(levels)]
)


@given(applicant=level_st, target=level_st, superiors=superiors_st)
def test_chain_is_the_shortest_prefix_reaching_the_target(
    applicant: str, target: str, superiors: list[ChainLink]
) -> None:
    rules = [ApprovalRule(final_level=target)]
    reaching = [i for i, s in enumerate(superiors) if LEVEL_RANK[s.level] >= LEVEL_RANK[target]]
    if not reaching:
        with pytest.raises(DomainError) as exc:
            resolve_chain(applicant_level=applicant, superiors=superiors, rules=rules, facts={})
        assert exc.value.code == "approval_chain_incomplete"
        return
    chain = resolve_chain(applicant_level=applicant, superiors=superiors, rules=rules, facts={})
    # A prefix of the reporting line: nobody skipped, nobody added, order kept.
    assert chain == superiors[: len(chain)]
    # It ends at the first link that holds the target level, and no earlier.
    assert len(chain) == reaching[0] + 1
    assert LEVEL_RANK[chain[-1].level] >= LEVEL_RANK[target]
    assert all(LEVEL_RANK[s.level] < LEVEL_RANK[target] for s in chain[:-1])


@given(
    applicant=level_st,
    days=st.decimals(min_value=0, max_value=60, places=1, allow_nan=False),
    superiors=superiors_st,
)
def test_leave_chain_never_skips_a_link_for_any_days(
    applicant: str, days: Decimal, superiors: list[ChainLink]
) -> None:
    try:
        chain = resolve_chain(
            applicant_level=applicant, superiors=superiors, rules=LEAVE_RULES, facts={"days": days}
        )
    except DomainError as exc:
        assert exc.code == "approval_chain_incomplete"
        return
    assert chain == superiors[: len(chain)]
    if LEVEL_RANK[applicant] >= LEVEL_RANK["department_head"]:
        target = "gm"
    elif days <= 1:
        target = "department_head"
    else:
        target = "deputy_gm"
    assert LEVEL_RANK[chain[-1].level] >= LEVEL_RANK[target]
    assert all(LEVEL_RANK[s.level] < LEVEL_RANK[target] for s in chain[:-1])


# --- approval_chain with the database ----------------------------------------------------------
@pytest.mark.django_db
class TestApprovalChain:
    def test_agent_one_day_leave(self, org: dict[str, Any]) -> None:
        chain = approval_chain(org["agent_a1"], "leave", days=1)
        assert chain == [org["lead_a"], org["supervisor"], org["manager"]]

    def test_agent_two_day_leave_goes_to_deputy_gm(self, org: dict[str, Any]) -> None:
        chain = approval_chain(org["agent_a1"], "leave", days=2)
        assert chain == [org["lead_a"], org["supervisor"], org["manager"], org["dgm"]]

    def test_department_head_leave_goes_through_deputy_gm_to_gm(self, org: dict[str, Any]) -> None:
        assert approval_chain(org["manager"], "leave", days=1) == [org["dgm"], org["gm"]]
        assert approval_chain(org["hr"], "leave") == [org["dgm"], org["gm"]]

    def test_superior_above_target_ends_chain(self, org: dict[str, Any]) -> None:
        # 售后一 reports to the department head directly; 系统管理员 to the deputy GM.
        assert approval_chain(org["after_sales"], "leave", days=1) == [org["manager"]]
        assert approval_chain(org["sysadmin"], "leave", days=1) == [org["dgm"]]

    def test_agent_leave_without_days(self, org: dict[str, Any]) -> None:
        with pytest.raises(DomainError) as exc:
            approval_chain(org["agent_a1"], "leave")
        assert exc.value.code == "approval_fact_missing"
        assert "days" in exc.value.fields

    def test_gm_has_nobody_above(self, org: dict[str, Any]) -> None:
        with pytest.raises(DomainError) as exc:
            approval_chain(org["gm"], "leave", days=1)
        assert exc.value.code == "approval_chain_incomplete"

    def test_swap_goes_to_department_head(self, org: dict[str, Any]) -> None:
        assert approval_chain(org["agent_b1"], "swap") == [
            org["lead_b"],
            org["supervisor"],
            org["manager"],
        ]

    def test_reward_penalty_climbs_to_gm(self, org: dict[str, Any]) -> None:
        assert approval_chain(org["agent_a2"], "reward_penalty") == [
            org["lead_a"],
            org["supervisor"],
            org["manager"],
            org["dgm"],
            org["gm"],
        ]

    def test_unknown_kind(self, org: dict[str, Any]) -> None:
        with pytest.raises(DomainError) as exc:
            approval_chain(org["agent_a1"], "holiday_party")
        assert exc.value.code == "approval_unknown_kind"
        assert "holiday_party" in exc.value.message

    def test_superiors_of_lists_the_line_upwards(self, org: dict[str, Any]) -> None:
        line = superiors_of(org["agent_a1"])
        assert [x.employee_id for x in line] == [
            org[k].pk for k in ("lead_a", "supervisor", "manager", "dgm", "gm")
        ]
        assert [x.level for x in line] == [
            "team_lead",
            "supervisor",
            "department_head",
            "deputy_gm",
            "gm",
        ]

    def test_new_policy_version_applies_from_its_effective_date_only(
        self, org: dict[str, Any]
    ) -> None:
        today = timezone.localdate()
        starts = today + dt.timedelta(days=10)
        body = default_bodies()["org"]
        # From that day every leave, however short, climbs to the GM.
        body["approval"]["leave"] = [{"final_level": "gm"}]
        policy_version_create(
            actor=org["sysadmin"].user, domain="org", effective_from=starts, body=body
        )
        old = [org["lead_a"], org["supervisor"], org["manager"]]
        new = [*old, org["dgm"], org["gm"]]
        agent = org["agent_a1"]
        assert approval_chain(agent, "leave", days=1) == old
        assert approval_chain(agent, "leave", days=1, on=today) == old
        assert approval_chain(agent, "leave", days=1, on=starts - dt.timedelta(days=1)) == old
        assert approval_chain(agent, "leave", days=1, on=starts) == new
        assert approval_chain(agent, "leave", days=1, on=starts + dt.timedelta(days=400)) == new
        # Kinds the new version does not change keep their chain.
        assert approval_chain(agent, "swap", on=starts) == old
