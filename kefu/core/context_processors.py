"""Template context for the shell: menu, breadcrumb, roles and unread notifications."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from . import rowsql
from .menu import breadcrumb_from, menu_for
from .models import Notification

# The sidebar's HTML depends only on which items are shown, which one is active and the language,
# so it is rendered once per process for each combination (a few per role) instead of on every
# page: rendering ~60 translated links was a fifth of the dashboard's CPU (docs/performance.md).
_SIDEBAR_MAX = 512
_sidebar_cache: dict[tuple[Any, ...], SafeString] = {}


def sidebar_html(menu: list[dict[str, Any]]) -> SafeString:
    """The rendered ``<nav>`` content of ``menu`` (from ``menu_for``), cached per process."""
    key = (
        get_language(),
        tuple(
            (g["label"], g["icon"], tuple((i["label"], i["url"], i["active"]) for i in g["items"]))
            for g in menu
        ),
    )
    html = _sidebar_cache.get(key)
    if html is None:
        html = SafeString(render_to_string("core/_sidebar.html", {"kefu_menu": menu}))
        if len(_sidebar_cache) >= _SIDEBAR_MAX:
            _sidebar_cache.clear()
        _sidebar_cache[key] = html
    return html


@cache
def _unread_sql() -> str:
    q = connection.ops.quote_name
    meta = Notification._meta
    return (
        f"SELECT COUNT(*) FROM {q(meta.db_table)} "
        f"WHERE {q(meta.get_field('recipient').column)} = %s "
        f"AND {q(meta.get_field('read_at').column)} IS NULL"
    )


def unread_count(user: Any) -> int:
    """The badge's number: ``user``'s unread notifications (消息通知).

    Asked on every page, so one statement built once per process (prepared on PostgreSQL,
    ``kefu.core.rowsql``) rather than an ORM count compiled on each view.
    """
    with rowsql.cursor() as cursor:
        cursor.execute(_unread_sql(), [user.pk])
        (count,) = cursor.fetchone()
    return int(count)


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kefu.org.choices import Role
    from kefu.org.roles import roles_of
    from kefu.org.selectors import employee_of

    def unread() -> int:
        known = getattr(request, "kefu_unread", None)  # the dashboard may have counted them
        if known is not None:
            return int(known)
        return unread_count(user)

    employee = employee_of(user)
    menu = menu_for(user, request.path)
    return {
        "kefu_menu": menu,
        "kefu_sidebar": lambda: sidebar_html(menu),
        "kefu_breadcrumb": breadcrumb_from(menu),
        "kefu_employee": employee,
        "kefu_display_name": employee.name if employee else user.get_username(),
        "kefu_role_labels": [Role(r).label for r in roles_of(user)]
        or (["超级管理员"] if user.is_superuser else []),
        "kefu_unread": unread,
    }
