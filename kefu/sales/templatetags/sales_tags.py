"""Template filters of the sales pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.6900 → 69.00%"""
    try:
        ratio = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return f"{ratio * 100:.2f}%"
