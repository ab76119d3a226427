"""Template context for the shell: menu, breadcrumb, roles and unread notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .menu import breadcrumb_for, menu_for
from .models import Notification


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kefu.org.choices import Role
    from kefu.org.roles import roles_of
    from kefu.org.selectors import employee_of

    def unread() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    employee = employee_of(user)
    return {
        "kefu_menu": menu_for(user, request.path),
        "kefu_breadcrumb": breadcrumb_for(user, request.path),
        "kefu_employee": employee,
        "kefu_display_name": employee.name if employee else user.get_username(),
        "kefu_role_labels": [Role(r).label for r in roles_of(user)]
        or (["超级管理员"] if user.is_superuser else []),
        "kefu_unread": unread,
    }
