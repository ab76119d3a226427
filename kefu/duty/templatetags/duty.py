"""``{% load duty %}{% presence_widget %}`` — the 在线状态 widget for the top bar (WFM-8)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("duty/_presence_widget.html", takes_context=True)
def presence_widget(context: dict[str, Any]) -> dict[str, Any]:
    """My status with 在线 / 离开 / 离线 buttons; nothing for people who may not set one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (
        user and user.is_authenticated and user.has_perm("duty.add_presenceevent")
    ):
        return {"presence": None}
    from kefu.duty.views_presence import widget_context

    return {**widget_context(request), "request": request, "csrf_token": context.get("csrf_token")}
