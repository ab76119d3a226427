"""Access and privacy — 权限与隐私 (ORG-5, SEC-1): masking and the audited "reveal" action.

Masking happens on the server: pages, API responses and exports receive the masked value unless
the actor holds ``core.reveal_personal_data``. Seeing the full value of one record is an explicit
action with a reason, recorded in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from . import audit
from .errors import DomainError, PermissionDeniedError

REVEAL_PERMISSION = "core.reveal_personal_data"
MASKED_FIELDS = {"phone": "手机号", "id_number": "身份证号"}


# As many characters as a masked mobile number hides (138****5678): a shorter value, such as an
# 8-digit landline, would otherwise come out nearly whole (860*1234).
MIN_HIDDEN = 4


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle of ``value`` with ``*``; short values keep less so enough is hidden."""
    if not value:
        return ""
    n = len(value)
    keep = n - max(n - keep_start - keep_end, min(MIN_HIDDEN, n))
    if keep < keep_start + keep_end:
        keep_start = min(keep_start, keep // 2)
        keep_end = min(keep_end, keep - keep_start)
    hidden = n - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + (value[n - keep_end :] if keep_end else "")


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return mask_middle((value or "").strip(), 3, 4)


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110***********1234."""
    return mask_middle((value or "").strip(), 3, 4)


MASKERS = {"phone": mask_phone, "id_number": mask_id_number}


def can_reveal(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REVEAL_PERMISSION))


def shown(user: Any, field: str, value: str) -> str:
    """The value as ``user`` may see it: whole with the reveal right, masked otherwise."""
    if can_reveal(user):
        return value or ""
    return MASKERS[field](value or "")


@transaction.atomic
def personal_data_reveal(*, actor: Any, obj: models.Model, field: str, reason: str) -> str:
    """Reveal one personal field of one record — 查看完整信息 (audited, reason required)."""
    if not can_reveal(actor):
        raise PermissionDeniedError("您没有查看完整个人信息的权限")
    if field not in MASKED_FIELDS:
        raise DomainError(
            "reveal_unknown_field", "该字段不可查看", fields={"field": "不支持的字段"}
        )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            "reveal_reason_required", "请填写查看原因", fields={"reason": "请填写查看原因"}
        )
    value = getattr(obj, field)
    audit.record(
        actor=actor,
        action="personal_data.reveal",
        obj=obj,
        after={"field": field},
        reason=reason,
    )
    return value or ""
