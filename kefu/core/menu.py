"""Sidebar menu — 左侧菜单 (UI.md): groups in the fixed order, each item shown only when the role
may open it. Modules add their items here as they are built; a group with no visible item is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in user
    match_prefix: str = ""


@dataclass(frozen=True)
class MenuGroup:
    label: str
    icon: str
    items: tuple[MenuItem, ...] = field(default_factory=tuple)


MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        "工作台",
        "◫",
        (
            MenuItem("工作台", "dashboard"),
            MenuItem("坐席工作台", "workbench:console", "tickets.view_ticket", "/workbench/"),
        ),
    ),
    MenuGroup(
        "工单管理",
        "▤",
        (MenuItem("工单列表", "tickets:ticket_list", "tickets.view_ticket", "/tickets/"),),
    ),
    MenuGroup(
        "投诉管理",
        "⚑",
        (
            MenuItem(
                "投诉列表", "complaints:complaint_list", "complaints.view_complaint", "/complaints/"
            ),
            MenuItem(
                "投诉统计", "complaints:stats", "complaints.view_statistics", "/complaints/stats"
            ),
            MenuItem(
                "责任认定",
                "complaints:finding_list",
                "complaints.view_findings",
                "/complaints/findings",
            ),
        ),
    ),
    MenuGroup(
        "客户管理",
        "☏",
        (
            MenuItem(
                "客户档案", "customers:customer_list", "customers.view_customer", "/customers/"
            ),
        ),
    ),
    MenuGroup(
        "系统设置",
        "⚙",
        (
            MenuItem("组织架构", "org:chart", "org.view_department", "/org/chart"),
            MenuItem("员工档案", "org:employee_list", "org.view_employee", "/org/employees"),
            MenuItem("制度参数", "policy_list", "core.access_settings", "/settings/policies"),
            MenuItem("节假日日历", "calendar_list", "core.access_settings", "/settings/calendar"),
            MenuItem("审计日志", "audit_list", "core.view_audit_trail", "/settings/audit"),
            MenuItem("API令牌", "token_list", None, "/settings/tokens"),
        ),
    ),
)


def menu_for(user: Any, path: str) -> list[dict[str, Any]]:
    """The groups and items ``user`` may open, with the active item marked by URL prefix."""
    groups = []
    for group in MENU:
        items = []
        for item in group.items:
            if item.permission and not user.has_perm(item.permission):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            prefix = item.match_prefix or url
            active = path == url or (prefix != "/" and path.startswith(prefix))
            items.append({"label": item.label, "url": url, "active": active})
        if items:
            groups.append(
                {
                    "label": group.label,
                    "icon": group.icon,
                    "items": items,
                    "active": any(i["active"] for i in items),
                }
            )
    return groups


def breadcrumb_for(user: Any, path: str) -> list[dict[str, str]]:
    for group in menu_for(user, path):
        for item in group["items"]:
            if item["active"]:
                return [
                    {"label": group["label"], "url": ""},
                    {"label": item["label"], "url": item["url"]},
                ]
    return []
