"""Approval chains — 审批流程 (ORG-4): climb the reporting line one level at a time.

``resolve_chain`` is pure (data in, data out) so every branch is tested without a database;
``approval_chain`` loads the employee's superiors and the org policy in force on the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kefu.core.errors import DomainError
from kefu.core.policy import org_policy
from kefu.core.policy.schemas import ApprovalRule

from .choices import LEVEL_RANK, Level
from .models import Employee


@dataclass(frozen=True)
class ChainLink:
    """One person on the reporting line: an id and a 职级."""

    employee_id: int
    level: str


def pick_rule(
    rules: Sequence[ApprovalRule], applicant_level: str, facts: dict[str, Any]
) -> ApprovalRule:
    """The first rule whose conditions all hold for this applicant and these facts."""
    rank = LEVEL_RANK[applicant_level]
    for rule in rules:
        if rule.applicant_min_level is not None and rank < LEVEL_RANK[rule.applicant_min_level]:
            continue
        if rule.max_days is not None:
            days = _fact(facts, "days", "天数")
            if days > Decimal(str(rule.max_days)):
                continue
        if rule.max_amount is not None:
            amount = _fact(facts, "amount", "金额")
            if amount > rule.max_amount:
                continue
        return rule
    raise DomainError("approval_no_rule", "没有适用的审批规则，请检查制度参数")


def _fact(facts: dict[str, Any], name: str, label: str) -> Decimal:
    """A numeric fact as a Decimal; missing, non-numeric, negative or infinite ones are refused."""
    raw = facts.get(name)
    if raw is None:
        raise DomainError(
            "approval_fact_missing", f"审批需要提供{label}", fields={name: f"请填写{label}"}
        )
    # bool is an int subclass: True would silently read as 1 day.
    try:
        value = None if isinstance(raw, bool) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise DomainError(
            "approval_fact_invalid",
            f"{label}必须是不小于0的数字",
            fields={name: f"{label}必须是不小于0的数字"},
        )
    return value


def resolve_chain(
    *,
    applicant_level: str,
    superiors: Sequence[ChainLink],
    rules: Sequence[ApprovalRule],
    facts: dict[str, Any],
) -> list[ChainLink]:
    """Approvers in order: each superior in turn until one holds the rule's final level.

    Nobody is skipped (不得越级): every superior below the final level approves first. If the
    reporting line ends before anyone of that level, the chain cannot be completed.
    """
    rule = pick_rule(rules, applicant_level, facts)
    target = LEVEL_RANK[rule.final_level]
    chain: list[ChainLink] = []
    for link in superiors:
        chain.append(link)
        if LEVEL_RANK[link.level] >= target:
            return chain
    raise DomainError(
        "approval_chain_incomplete",
        f"汇报线上没有{Level(rule.final_level).label}，无法完成审批，请先设置直接上级",
        status=409,
    )


def superiors_of(employee: Employee, limit: int = 20) -> list[ChainLink]:
    """The employee's reporting line upwards (direct superior first); stops at a cycle."""
    links: list[ChainLink] = []
    seen = {employee.pk}
    current = employee.superior_id
    while current is not None and current not in seen and len(links) < limit:
        row = (
            Employee.objects.filter(pk=current)
            .values("pk", "superior_id", "position__level")
            .first()
        )
        if row is None:
            break
        links.append(ChainLink(employee_id=row["pk"], level=row["position__level"]))
        seen.add(row["pk"])
        current = row["superior_id"]
    return links


def approval_chain(
    employee: Employee, kind: str, *, on: dt.date | None = None, **facts: Any
) -> list[Employee]:
    """The ordered approvers of a request ``kind`` by ``employee`` under the policy on ``on``."""
    policy = org_policy(on)
    rules = policy.approval.get(kind)
    if not rules:
        raise DomainError("approval_unknown_kind", f"未配置审批类型：{kind}")
    links = resolve_chain(
        applicant_level=employee.position.level,
        superiors=superiors_of(employee),
        rules=rules,
        facts=facts,
    )
    by_id = Employee.objects.in_bulk([link.employee_id for link in links])
    return [by_id[link.employee_id] for link in links]
