"""Policy as data — 制度参数: read the version in force on a day, create new versions.

``policy_for("sla", on=event_date)`` returns the typed policy (a frozen pydantic model) of the
version whose ``effective_from`` is the latest on or before that day.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from ..errors import DomainError
from ..models import Policy
from .schemas import (
    DOMAIN_LABELS,
    DOMAINS,
    CommissionPolicy,
    FinePolicy,
    OrgPolicy,
    ScorecardPolicy,
    SecurityPolicy,
    ShiftPolicy,
    SlaPolicy,
    WorkforcePolicy,
)

DEFAULT_POLICY_FILE = Path(__file__).with_name("default_policy.toml")

__all__ = [
    "DOMAINS",
    "DOMAIN_LABELS",
    "default_bodies",
    "load_default_policies",
    "policy_for",
    "policy_version_create",
    "validate_body",
]


def validate_body(domain: str, body: Any) -> BaseModel:
    """Parse ``body`` with the domain's schema; errors become a DomainError keyed by field path."""
    schema = DOMAINS.get(domain)
    if schema is None:
        raise DomainError(
            "policy_unknown_domain", f"未知的制度领域：{domain}", fields={"domain": "未知领域"}
        )
    try:
        return schema.model_validate(body)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors():
            path = ".".join(str(part) for part in err["loc"]) or "body"
            fields[path] = _chinese_error(err)
        summary = "；".join(f"{k}: {v}" for k, v in fields.items())
        raise DomainError("policy_invalid", f"制度参数不合法：{summary}", fields=fields) from exc


def _chinese_error(err: Any) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    messages = {
        "missing": "必填",
        "extra_forbidden": "不允许的字段",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "greater_than": f"必须大于 {ctx.get('gt')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "less_than": f"必须小于 {ctx.get('lt')}",
        "string_pattern_mismatch": "格式不正确（时间应为 HH:MM）",
        "int_parsing": "必须是整数",
        "int_from_float": "必须是整数",
        "float_parsing": "必须是数字",
        "decimal_parsing": "必须是数字",
        "bool_parsing": "必须是 true 或 false",
        "literal_error": f"只能是 {ctx.get('expected')}",
        "too_short": "至少需要一项",
        "value_error": str(ctx.get("error", err.get("msg", ""))),
    }
    return messages.get(kind, err.get("msg", "不合法"))


@lru_cache(maxsize=1024)
def _parsed(policy_id: int, domain: str) -> BaseModel:
    # Versions are immutable, so a parse keyed by row id never goes stale in any process.
    return DOMAINS[domain].model_validate(Policy.objects.only("body").get(pk=policy_id).body)


def policy_for(domain: str, on: dt.date | None = None) -> Any:
    """The typed policy of ``domain`` in force on ``on`` (today in Asia/Shanghai by default)."""
    day = on or timezone.localdate()
    row = (
        Policy.objects.filter(domain=domain, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("pk", flat=True)
        .first()
    )
    if row is None:
        raise DomainError(
            "policy_missing",
            f"{DOMAIN_LABELS.get(domain, domain)}制度参数在 {day} 没有生效版本，请先在系统设置中配置",
            status=409,
        )
    return _parsed(row, domain)


def security_policy(on: dt.date | None = None) -> SecurityPolicy:
    return policy_for("security", on)


def org_policy(on: dt.date | None = None) -> OrgPolicy:
    return policy_for("org", on)


def sla_policy(on: dt.date | None = None) -> SlaPolicy:
    return policy_for("sla", on)


def shift_policy(on: dt.date | None = None) -> ShiftPolicy:
    return policy_for("shifts", on)


def workforce_policy(on: dt.date | None = None) -> WorkforcePolicy:
    return policy_for("workforce", on)


def scorecard_policy(on: dt.date | None = None) -> ScorecardPolicy:
    return policy_for("scorecard", on)


def fine_policy(on: dt.date | None = None) -> FinePolicy:
    return policy_for("fines", on)


def commission_policy(on: dt.date | None = None) -> CommissionPolicy:
    return policy_for("commission", on)


def check_new_version(domain: str, effective_from: dt.date, *, allow_backdate: bool = False) -> int:
    """Refuse a version that takes effect in the past or on a day that already has one.

    Returns the current highest version number. A backdated version would change how events
    already judged were judged; only the initial load (no version yet) may backdate.
    """
    existing = Policy.objects.select_for_update().filter(domain=domain)
    current_max = existing.aggregate(m=Max("version"))["m"] or 0
    if effective_from < timezone.localdate() and not (allow_backdate and current_max == 0):
        raise DomainError(
            "policy_backdated",
            "新版本的生效日期不能早于今天（已发生的事件按当时的版本计算）",
            fields={"effective_from": "生效日期不能早于今天"},
        )
    if existing.filter(effective_from=effective_from).exists():
        raise DomainError(
            "policy_duplicate_date",
            f"{effective_from} 已有生效的版本，请换一个生效日期",
            fields={"effective_from": "该日期已有版本"},
            status=409,
        )
    return current_max


@transaction.atomic
def policy_version_create(
    *,
    actor: Any,
    domain: str,
    effective_from: dt.date,
    body: dict[str, Any],
    note: str = "",
    allow_backdate: bool = False,
) -> Policy:
    """Create the next version of a domain's policy — 新建制度参数版本 (audited)."""
    from .. import audit

    parsed = validate_body(domain, body)
    current_max = check_new_version(domain, effective_from, allow_backdate=allow_backdate)
    stored_body = parsed.model_dump(mode="json")
    policy = Policy.objects.create(
        domain=domain,
        version=current_max + 1,
        effective_from=effective_from,
        body=stored_body,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="policy.version_create",
        obj=policy,
        after={
            "domain": domain,
            "version": policy.version,
            "effective_from": effective_from,
            "body": stored_body,
        },
        reason=note,
    )
    return policy


def default_bodies() -> dict[str, dict[str, Any]]:
    """The default policy file, one body per domain."""
    with DEFAULT_POLICY_FILE.open("rb") as handle:
        return tomllib.load(handle)


def load_default_policies(*, actor: Any = None, effective_from: dt.date | None = None) -> list[str]:
    """Store the default body as version 1 of every domain that has no version yet. Idempotent."""
    start = effective_from or dt.date(2000, 1, 1)
    created = []
    for domain, body in default_bodies().items():
        if Policy.objects.filter(domain=domain).exists():
            continue
        policy_version_create(
            actor=actor,
            domain=domain,
            effective_from=start,
            body=body,
            note="默认制度参数（REQUIREMENTS.md）",
            allow_backdate=True,
        )
        created.append(domain)
    return created
