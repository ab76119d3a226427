"""Policy as data — 制度参数: read the version in force on a day, create new versions.

``policy_for("sla", on=event_date)`` returns the typed policy (a frozen pydantic model) of the
version whose ``effective_from`` is the latest on or before that day.
"""

from __future__ import annotations

import datetime as dt
import time
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
# Default files of domains registered by other apps (register_domain), loaded after the core file.
_EXTRA_DEFAULT_FILES: dict[str, Path] = {}

__all__ = [
    "DOMAINS",
    "DOMAIN_LABELS",
    "default_bodies",
    "load_default_policies",
    "policy_for",
    "policy_version_create",
    "register_domain",
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
        "model_type": "必须是对象（{…}）",
        "model_attributes_type": "必须是对象（{…}）",
        "dict_type": "必须是对象（{…}）",
        "list_type": "必须是列表（[…]）",
        "tuple_type": "必须是列表（[…]）",
        "int_type": "必须是整数",
        "float_type": "必须是数字",
        "decimal_type": "必须是数字",
        "string_type": "必须是文本",
        "bool_type": "必须是 true 或 false",
        "string_too_short": f"至少 {ctx.get('min_length')} 个字符",
        "string_too_long": f"最多 {ctx.get('max_length')} 个字符",
        "too_long": f"最多 {ctx.get('max_length')} 项",
        "decimal_max_digits": f"最多 {ctx.get('max_digits')} 位数字",
        "decimal_max_places": f"最多 {ctx.get('decimal_places')} 位小数",
        "decimal_whole_digits": f"整数部分最多 {ctx.get('whole_digits')} 位",
        "finite_number": "必须是有限的数字",
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
        "too_short": f"至少需要 {ctx.get('min_length', 1)} 项",
        "value_error": str(ctx.get("error", err.get("msg", ""))),
    }
    # pydantic's own text is English; an unmapped kind still gets a Chinese message.
    return messages.get(kind, "取值不合法")


@lru_cache(maxsize=1024)
def _parsed(policy_id: int, created_at: dt.datetime, domain: str) -> BaseModel:
    # Versions are immutable, so a parse keyed by row never goes stale in any process. The row
    # id alone is not enough: a rolled-back insert gives its id to the next row on SQLite (and
    # after a database flush), so the creation time is part of the key.
    return DOMAINS[domain].model_validate(Policy.objects.only("body").get(pk=policy_id).body)


# Which version is in force on a day changes only when a version is created, yet the idle-timeout
# middleware asks for the security policy on every request. Outside a transaction the answer is
# kept per process, keyed by (domain, day), for at most IN_FORCE_CACHE_SECONDS: a version created
# by another process takes effect here within that time; in this process at once, because
# policy_version_create clears the cache. Inside a transaction (every service, every test) the
# database is always asked, so a version created in the same transaction is seen.
IN_FORCE_CACHE_SECONDS = 60.0
_IN_FORCE_CACHE_MAX = 512
_in_force_cache: dict[tuple[str, dt.date], tuple[float, tuple[int, dt.datetime]]] = {}


def clear_policy_cache() -> None:
    """Forget which version is in force (after a new version, or in tests)."""
    _in_force_cache.clear()


def _in_force_row(domain: str, day: dt.date) -> tuple[int, dt.datetime] | None:
    use_cache = not transaction.get_connection().in_atomic_block
    key = (domain, day)
    if use_cache:
        hit = _in_force_cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
    row = (
        Policy.objects.filter(domain=domain, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("pk", "created_at")
        .first()
    )
    if use_cache and row is not None:  # a missing policy is not cached: loading it must show
        if len(_in_force_cache) >= _IN_FORCE_CACHE_MAX:
            _in_force_cache.clear()
        _in_force_cache[key] = (time.monotonic() + IN_FORCE_CACHE_SECONDS, row)
    return row


def policy_for(domain: str, on: dt.date | None = None) -> Any:
    """The typed policy of ``domain`` in force on ``on`` (today in Asia/Shanghai by default)."""
    day = on or timezone.localdate()
    row = _in_force_row(domain, day)
    if row is None:
        raise DomainError(
            "policy_missing",
            f"{DOMAIN_LABELS.get(domain, domain)}制度参数在 {day} 没有生效版本，请先在系统设置中配置",
            status=409,
        )
    return _parsed(row[0], row[1], domain)


def policy_version_on(domain: str, on: dt.date | None = None) -> int | None:
    """The version number of ``domain`` in force on ``on`` (stored beside a computed figure so a
    reader can tell which rules produced it); None when no version is in force."""
    day = on or timezone.localdate()
    return (
        Policy.objects.filter(domain=domain, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("version", flat=True)
        .first()
    )


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
    clear_policy_cache()
    transaction.on_commit(clear_policy_cache)
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


def register_domain(domain: str, schema: type[BaseModel], label: str, defaults_file: Path) -> None:
    """Let an app own a policy domain: its schema, its Chinese label and its default TOML file.

    Called from the app's ``AppConfig.ready()``. The file holds the domain's body at top level
    (no ``[domain]`` table). Registering the same domain twice with another schema is an error.
    """
    existing = DOMAINS.get(domain)
    if existing is not None and existing is not schema:
        raise ValueError(f"policy domain {domain!r} is already registered")
    DOMAINS[domain] = schema
    DOMAIN_LABELS[domain] = label
    _EXTRA_DEFAULT_FILES[domain] = defaults_file


def default_bodies() -> dict[str, dict[str, Any]]:
    """The default body of every domain: the core file, then each registered app's file."""
    with DEFAULT_POLICY_FILE.open("rb") as handle:
        bodies = tomllib.load(handle)
    for domain, path in _EXTRA_DEFAULT_FILES.items():
        with path.open("rb") as handle:
            bodies[domain] = tomllib.load(handle)
    return bodies


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
