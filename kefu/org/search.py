"""Employees in the top-bar search — 员工 (工号 / 姓名 / 手机号), within the user's scope."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kefu.core.access import shown
from kefu.core.search import SearchHit

from .selectors import employees_for_user


def search_employees(user: Any, q: str, limit: int) -> list[SearchHit]:
    if not user.has_perm("org.view_employee"):
        return []
    return [
        SearchHit(
            title=f"{e.employee_no} {e.name}",
            subtitle=" · ".join(
                part
                for part in (e.department.name, e.position.name, shown(user, "phone", e.phone))
                if part
            ),
            url=reverse("org:employee_detail", args=[e.pk]),
        )
        for e in employees_for_user(user, q=q)[:limit]
    ]
