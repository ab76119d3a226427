"""Shared pieces of the after-sales services: permissions, numbers, time checks, policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError, PermissionDeniedError

from ..models import NumberCounter

VIEW_REPAIR = "aftersales.view_repairorder"
ADD_REPAIR = "aftersales.add_repairorder"
CHANGE_REPAIR = "aftersales.change_repairorder"
EXPORT_REPAIR = "aftersales.export_repairorder"
VIEW_INSTALLATION = "aftersales.view_installation"
ADD_INSTALLATION = "aftersales.add_installation"
CHANGE_INSTALLATION = "aftersales.change_installation"
ISSUE_CARD = "aftersales.add_warrantycard"
VIEW_PRODUCT = "aftersales.view_product"
ADD_PRODUCT = "aftersales.add_product"
CHANGE_PRODUCT = "aftersales.change_product"
CHANGE_PRICE = "aftersales.change_priceitem"

# A clock a minute ahead on the technician's phone must not make "now" a future time.
FUTURE_TOLERANCE = dt.timedelta(minutes=2)


def require_perm(actor: Any, perm: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise PermissionDeniedError()


def next_number(prefix: str, day: dt.date, digits: int = 4) -> str:
    """``WX20261122-0001``: the next number of ``prefix`` on ``day`` (gaps allowed on rollback)."""
    key = f"{prefix}{day:%Y%m%d}"
    NumberCounter.objects.get_or_create(key=key)
    NumberCounter.objects.filter(pk=key).update(last=F("last") + 1)
    last = NumberCounter.objects.values_list("last", flat=True).get(pk=key)
    return f"{key}-{last:0{digits}d}"


def local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def local_text(value: dt.datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


def check_time(
    value: dt.datetime,
    *,
    field: str,
    label: str,
    now: dt.datetime,
    not_before: dt.datetime | None = None,
    not_before_label: str = "",
) -> dt.datetime:
    """A recorded time: aware, not in the future, not before the previous stage."""
    if value.tzinfo is None:
        value = timezone.make_aware(value, SHANGHAI)
    if value > now + FUTURE_TOLERANCE:
        message = f"{label}不能晚于当前时间"
        raise DomainError("repair_time_future", message, fields={field: message})
    if not_before is not None and value < not_before:
        message = f"{label}不能早于{not_before_label}（{local_text(not_before)}）"
        raise DomainError("repair_time_order", message, fields={field: message})
    return value


def text(value: str | None, *, field: str, label: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        message = f"请填写{label}"
        raise DomainError("aftersales_required", message, fields={field: message})
    if len(value) > max_length:
        message = f"{label}最多{max_length}个字"
        raise DomainError("aftersales_too_long", message, fields={field: message})
    return value
