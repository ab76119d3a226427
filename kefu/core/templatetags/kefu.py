"""Template helpers shared by every module: masking, money, pagination."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import QueryDict

from kefu.core.access import shown

register = template.Library()


@register.simple_tag
def masked(user: Any, field: str, value: str) -> str:
    """Phone / ID number as this user may see it (138****5678 without the reveal right)."""
    return shown(user, field, value or "")


@register.filter
def yuan(value: Any) -> str:
    """¥1,234.00"""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return f"¥{amount:,.2f}"


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (filters stay in the URL)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("core/_pager.html", takes_context=True)
def pager(context: dict[str, Any], page: Any, target: str) -> dict[str, Any]:
    request = context["request"]
    return {
        "page": page,
        "target": target,
        "request": request,
        "sizes": (20, 50, 100),
        "page_size": page.paginator.per_page,
    }
