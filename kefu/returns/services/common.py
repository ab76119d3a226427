"""Shared pieces of the returns services — 退换货服务公共部分: permissions, locking, money, facts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kefu.core.errors import DomainError, PermissionDeniedError

from ..models import ReturnCase
from ..roles import APPROVE, CHANGE, INSPECT, PARCEL
from ..workflow import Facts

OBJECT_TYPE = "returns.returncase"
MAX_MONEY = Decimal("9999999999.99")
TEXT_MAX = 2000


def require_perm(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def lock(case: ReturnCase) -> ReturnCase:
    locked = ReturnCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise DomainError("return_not_found", "退换货单不存在", status=404)
    return locked


def facts_for(actor: Any, case: ReturnCase) -> Facts:
    return Facts(
        case_type=case.case_type,
        stage=case.stage,
        early_reship_approved=case.early_reship_approved_at is not None,
        contact_outcome=case.contact_outcome,
        can_work=actor.has_perm(CHANGE),
        can_inspect=actor.has_perm(INSPECT),
        can_confirm_parcel=actor.has_perm(PARCEL),
        can_approve=actor.has_perm(APPROVE),
    )


def money(value: Any, field: str, label: str, *, allow_negative: bool = False) -> Decimal:
    """A money amount (two decimals at most) or a DomainError under ``field``."""
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else Decimal("0")
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            "return_invalid", f"{label}必须是金额", fields={field: "必须是金额"}
        ) from exc
    if not amount.is_finite():
        raise DomainError("return_invalid", f"{label}必须是金额", fields={field: "必须是金额"})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError("return_invalid", f"{label}最多两位小数", fields={field: "最多两位小数"})
    if abs(amount) > MAX_MONEY:
        raise DomainError("return_invalid", f"{label}过大", fields={field: "金额过大"})
    if amount < 0 and not allow_negative:
        raise DomainError("return_invalid", f"{label}不能为负数", fields={field: "不能为负数"})
    return amount.quantize(Decimal("0.01"))


def text(value: Any, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise DomainError("return_invalid", f"请填写{label}", fields={field: "必填"})
    if len(cleaned) > max_length:
        raise DomainError(
            "return_invalid",
            f"{label}不能超过{max_length}个字",
            fields={field: f"最多{max_length}个字"},
        )
    return cleaned


def snapshot(case: ReturnCase, *fields: str) -> dict[str, Any]:
    return {f: getattr(case, f) for f in ("stage", *fields)}
