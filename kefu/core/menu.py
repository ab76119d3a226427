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
            MenuItem("待我审批", "org:approvals", None, "/org/approvals"),
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
        "售后服务",
        "⚒",
        (
            MenuItem(
                "维修单",
                "aftersales:repair_list",
                "aftersales.view_repairorder",
                "/aftersales/repairs",
            ),
            MenuItem(
                "保修查询",
                "aftersales:warranty_lookup",
                "aftersales.view_installation",
                "/aftersales/warranty",
            ),
            MenuItem(
                "安装记录",
                "aftersales:installation_list",
                "aftersales.view_installation",
                "/aftersales/installations",
            ),
            MenuItem(
                "保修卡",
                "aftersales:card_list",
                "aftersales.view_installation",
                "/aftersales/cards",
            ),
            MenuItem(
                "产品目录",
                "aftersales:product_list",
                "aftersales.view_product",
                "/aftersales/products",
            ),
            MenuItem("退换货", "returns:case_list", "returns.view_returncase", "/returns/"),
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
        "回访与满意度",
        "☺",
        (
            MenuItem("回访任务", "visits:task_list", "visits.view_visittask", "/visits/"),
            MenuItem("回访周报", "visits:weekly", "visits.view_visit_reports", "/visits/weekly"),
            MenuItem(
                "纠正措施", "visits:action_list", "visits.view_all_visittasks", "/visits/actions"
            ),
            MenuItem("大客户关怀", "visits:care_list", "visits.view_careplan", "/visits/care"),
            MenuItem(
                "满意度问卷",
                "surveys:questionnaire_list",
                "surveys.view_questionnaire",
                "/surveys/questionnaires",
            ),
            MenuItem(
                "满意度调查", "surveys:invitation_list", "surveys.view_invitation", "/surveys/"
            ),
            MenuItem("满意度统计", "surveys:stats", "surveys.view_statistics", "/surveys/stats"),
        ),
    ),
    MenuGroup(
        "排班考勤",
        "◷",
        (
            MenuItem(
                "排班表", "workforce:roster_list", "workforce.view_roster", "/workforce/rosters"
            ),
            MenuItem(
                "人员配置",
                "workforce:coverage",
                "workforce.view_coveragerequirement",
                "/workforce/coverage",
            ),
            MenuItem(
                "话务量测算",
                "workforce:staffing",
                "workforce.view_coveragerequirement",
                "/workforce/staffing",
            ),
            MenuItem(
                "员工技能", "workforce:skills", "workforce.view_employeeskill", "/workforce/skills"
            ),
            MenuItem(
                "休息申请",
                "workforce:rest_requests",
                "workforce.add_restrequest",
                "/workforce/rest",
            ),
            MenuItem("换班", "swaps:swap_list", "swaps.view_shiftswap", "/swaps/"),
            MenuItem("请假", "leave:leave_list", "leave.view_leaverequest", "/leave/"),
            MenuItem("假期余额", "leave:balances", "leave.view_leaverequest", "/leave/balances"),
            MenuItem(
                "考勤", "attendance:day_list", "attendance.view_attendanceday", "/attendance/"
            ),
            MenuItem(
                "补卡",
                "attendance:correction_list",
                "attendance.view_clockcorrection",
                "/attendance/corrections",
            ),
            MenuItem(
                "考勤月报",
                "attendance:monthly",
                "attendance.view_attendance_report",
                "/attendance/monthly",
            ),
            MenuItem("交接班", "duty:handover_list", "duty.view_handover", "/duty/handovers"),
            MenuItem("在线状态", "duty:presence_board", "duty.view_presence", "/duty/presence"),
            MenuItem("例会", "meetings:meeting_list", "meetings.view_meeting", "/meetings/"),
            MenuItem(
                "带教",
                "meetings:mentorship_list",
                "meetings.view_mentorship",
                "/meetings/mentoring",
            ),
        ),
    ),
    MenuGroup(
        "绩效奖惩",
        "★",
        (
            MenuItem(
                "奖惩台账",
                "performance:incident_list",
                "performance.view_incident",
                "/performance/incidents",
            ),
            MenuItem(
                "申诉", "performance:appeal_list", "performance.view_appeal", "/performance/appeals"
            ),
            MenuItem(
                "考核计分卡",
                "performance:scorecard_list",
                "performance.view_incident",
                "/performance/scorecards",
            ),
            MenuItem(
                "奖惩条目",
                "performance:catalogue",
                "performance.view_incident",
                "/performance/catalogue",
            ),
            MenuItem(
                "赔偿扣款",
                "compensation:compensation_list",
                "compensation.view_compensation",
                "/compensation/",
            ),
            MenuItem("销售日报", "sales:report_list", "sales.view_salesline", "/sales/reports"),
            MenuItem("提成与排名", "sales:commission_list", "sales.view_commission", "/sales/"),
            MenuItem("未付款订单", "sales:unpaid_list", "sales.view_unpaidorder", "/sales/unpaid"),
            MenuItem(
                "询单转化与未成交原因",
                "sales:lost_report",
                "sales.view_lostinquiry",
                "/sales/lost",
            ),
            MenuItem("部门基金", "fund:ledger", "fund.view_fundentry", "/fund/"),
            MenuItem(
                "月结",
                "performance:close_list",
                "performance.view_monthclose",
                "/performance/close",
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


def _match(path: str, url: str, prefix: str) -> int:
    """How well ``path`` matches an item: the length of its matched prefix, 0 for no match."""
    if path == url:
        return len(url) + 1  # the page itself beats any prefix
    if prefix != "/" and path.startswith(prefix):
        return len(prefix)
    return 0


# Which items a permission set may open, with their reversed URLs: the same for every request of
# the same roles, so it is kept per process, keyed by the (cached, reused) permission set.
_VISIBLE_MAX = 256
_visible_cache: dict[tuple[bool, frozenset[str]], tuple[tuple[str, str, tuple[Any, ...]], ...]] = {}


def _visible(user: Any) -> tuple[tuple[str, str, tuple[Any, ...]], ...]:
    """(group label, icon, ((label, url, prefix), …)) for the groups ``user`` may open."""
    superuser = bool(getattr(user, "is_superuser", False))
    perms = frozenset(user.get_all_permissions())
    key = (superuser, perms)
    hit = _visible_cache.get(key)
    if hit is not None:
        return hit
    groups = []
    for group in MENU:
        items = []
        for item in group.items:
            if item.permission and not (superuser or item.permission in perms):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append((item.label, url, item.match_prefix or url))
        if items:
            groups.append((group.label, group.icon, tuple(items)))
    if len(_visible_cache) >= _VISIBLE_MAX:
        _visible_cache.clear()
    _visible_cache[key] = value = tuple(groups)
    return value


def menu_for(user: Any, path: str) -> list[dict[str, Any]]:
    """The groups and items ``user`` may open; the active item is the one whose URL prefix
    matches ``path`` longest (投诉统计 at /complaints/stats/, not 投诉列表 at /complaints/)."""
    visible = _visible(user)
    best = max(
        (_match(path, url, prefix) for _, _, items in visible for _, url, prefix in items),
        default=0,
    )
    groups = []
    for label, icon, items in visible:
        rows = [
            {
                "label": item_label,
                "url": url,
                "active": best > 0 and _match(path, url, prefix) == best,
            }
            for item_label, url, prefix in items
        ]
        groups.append(
            {"label": label, "icon": icon, "items": rows, "active": any(r["active"] for r in rows)}
        )
    return groups


def breadcrumb_from(menu: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The breadcrumb (group › item) of the active item of a menu built by ``menu_for``."""
    for group in menu:
        for item in group["items"]:
            if item["active"]:
                return [
                    {"label": group["label"], "url": ""},
                    {"label": item["label"], "url": item["url"]},
                ]
    return []


def breadcrumb_for(user: Any, path: str) -> list[dict[str, str]]:
    return breadcrumb_from(menu_for(user, path))
