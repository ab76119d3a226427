"""Roles — 系统角色 (ORG-5): which permissions each role's group holds and how far it sees.

Roles are Django groups named by their Chinese label so administrators recognise them in the
admin. ``sync_role_groups`` makes the groups match this table (run by a migration and by
``seed_demo``); later modules add their permissions here.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from kefu.core import access_cache

from .choices import Role, Scope

ROLE_SCOPE: dict[str, Scope] = {
    Role.AGENT: Scope.OWN,
    Role.TEAM_LEAD: Scope.TEAM,
    Role.SUPERVISOR: Scope.DEPARTMENT,
    Role.CS_MANAGER: Scope.DEPARTMENT,
    Role.HR: Scope.ALL,
    Role.DEPUTY_GM: Scope.ALL,
    Role.GM: Scope.ALL,
    Role.WAREHOUSE: Scope.OWN,
    Role.AFTER_SALES: Scope.DEPARTMENT,
    Role.RETURN_VISITOR: Scope.DEPARTMENT,
    Role.ORDER_CLERK: Scope.DEPARTMENT,
    Role.SYSADMIN: Scope.ALL,
}

_VIEW_ORG = ["org.view_department", "org.view_team", "org.view_position", "org.view_employee"]
_MANAGE_ORG = [
    "org.add_department",
    "org.change_department",
    "org.add_team",
    "org.change_team",
    "org.add_position",
    "org.change_position",
    "org.add_employee",
    "org.change_employee",
    "org.import_employee",
    "org.manage_roles",
]
_REVEAL = ["core.reveal_personal_data"]
# CRM-1 / SEC-1: customer data is need-to-know. Customer service and management view it; the
# customer-service roles keep it current; import and export (files leave the system) only for
# supervisors, the manager and the system administrator; warehouse has no need.
_VIEW_CUSTOMERS = ["customers.view_customer"]
_KEEP_CUSTOMERS = [*_VIEW_CUSTOMERS, "customers.add_customer", "customers.change_customer"]
_CUSTOMER_FILES = ["customers.import_customer", "customers.export_customer"]
# TKT: customer service works requests; management and 行政人事部 (complaints) read them. What a
# person may do to one ticket is then decided by the rule engine (tickets/statemachine.py).
_VIEW_TICKETS = ["tickets.view_ticket"]
_WORK_TICKETS = [*_VIEW_TICKETS, "tickets.add_ticket", "tickets.change_ticket"]
_TICKET_FILES = ["tickets.export_ticket"]
# CMP: customer service records complaints; each step of the procedure is decided by the rule
# engine (complaints/procedure.py) by role and department. Statistics (CMP-7) and responsibility
# findings (CMP-8..11) are for the 客服部's management, 行政人事部 and the leadership.
_VIEW_COMPLAINTS = ["complaints.view_complaint"]
_OPEN_COMPLAINTS = [*_VIEW_COMPLAINTS, "complaints.add_complaint"]
_COMPLAINT_REPORTS = ["complaints.view_statistics", "complaints.view_findings"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _VIEW_ORG + _KEEP_CUSTOMERS + _WORK_TICKETS + _OPEN_COMPLAINTS,
    Role.TEAM_LEAD: _VIEW_ORG + _KEEP_CUSTOMERS + _WORK_TICKETS + _OPEN_COMPLAINTS,
    Role.SUPERVISOR: _VIEW_ORG
    + _REVEAL
    + _KEEP_CUSTOMERS
    + _CUSTOMER_FILES
    + _WORK_TICKETS
    + _TICKET_FILES
    + _OPEN_COMPLAINTS
    + _COMPLAINT_REPORTS,
    Role.CS_MANAGER: _VIEW_ORG
    + _REVEAL
    + _KEEP_CUSTOMERS
    + _CUSTOMER_FILES
    + _WORK_TICKETS
    + _TICKET_FILES
    + _OPEN_COMPLAINTS
    + _COMPLAINT_REPORTS,
    Role.HR: _VIEW_ORG
    + _MANAGE_ORG
    + _REVEAL
    + _VIEW_CUSTOMERS
    + _VIEW_TICKETS
    + _TICKET_FILES
    + _VIEW_COMPLAINTS
    + _COMPLAINT_REPORTS,
    Role.DEPUTY_GM: _VIEW_ORG
    + _REVEAL
    + _VIEW_CUSTOMERS
    + _WORK_TICKETS
    + _TICKET_FILES
    + _VIEW_COMPLAINTS
    + _COMPLAINT_REPORTS,
    Role.GM: _VIEW_ORG
    + _REVEAL
    + ["core.view_audit_trail"]
    + _VIEW_CUSTOMERS
    + _WORK_TICKETS
    + _TICKET_FILES
    + _VIEW_COMPLAINTS
    + _COMPLAINT_REPORTS,
    Role.WAREHOUSE: _VIEW_ORG,
    # After-sales (AS), return visits (AS-4, CRM-4) and the order desk (AS-6, AS-8) work with
    # customers and their service requests; the modules add their own permissions below.
    Role.AFTER_SALES: _VIEW_ORG + _KEEP_CUSTOMERS + _WORK_TICKETS,
    Role.RETURN_VISITOR: _VIEW_ORG + _KEEP_CUSTOMERS + _WORK_TICKETS,
    Role.ORDER_CLERK: _VIEW_ORG + _VIEW_CUSTOMERS + _WORK_TICKETS,
    Role.SYSADMIN: _VIEW_ORG
    + _MANAGE_ORG
    + _REVEAL
    # Imports customer files, which creates and updates customers through the ordinary services.
    + _KEEP_CUSTOMERS
    + _CUSTOMER_FILES
    + [
        "core.view_audit_trail",
        "core.access_settings",
        "core.add_policy",
        "core.view_policy",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.view_calendarday",
    ],
}

ROLE_BY_GROUP_NAME: dict[str, str] = {role.label: role.value for role in Role}


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def role_permissions() -> dict[str, list[str]]:
    """Each role's permissions: ROLE_PERMISSIONS above plus what every module grants.

    A module grants its own permissions in ``kefu/<app>/roles.py`` with a ``ROLE_PERMISSIONS``
    dict of role → permission labels, so adding a module never edits this table (and two modules
    built side by side never edit the same lines).
    """
    merged = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.roles"
        if module_name == __name__ or importlib.util.find_spec(module_name) is None:
            continue
        granted: dict[str, list[str]] = getattr(
            importlib.import_module(module_name), "ROLE_PERMISSIONS", {}
        )
        for role, labels in granted.items():
            merged.setdefault(role, [])
            merged[role] += [label for label in labels if label not in merged[role]]
    return merged


def sync_role_groups() -> None:
    """Create or update one group per role with exactly the permissions of ``role_permissions``."""
    # Roles hold permissions of apps listed after kefu.org (customers, …), whose permissions
    # Django creates in their own post_migrate, after org's has run this: create them first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    table = role_permissions()
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.label)
        group.permissions.set([_permission(label) for label in table[role]])
    access_cache.clear_on_commit()


def roles_of(user: Any) -> list[str]:
    """Role codes of a user, from its groups (cached on the user object for the request)."""
    cached = getattr(user, "_kefu_roles", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            cached = []
        else:
            # Per process for a few seconds as well (kefu/core/access_cache.py): roles change
            # only through the employee services, which clear it.
            names = access_cache.cached(
                "groups", user, lambda: tuple(user.groups.values_list("name", flat=True))
            )
            cached = [ROLE_BY_GROUP_NAME[n] for n in names if n in ROLE_BY_GROUP_NAME]
        user._kefu_roles = cached
    return cached


def scope_of(user: Any) -> Scope | None:
    """The widest data scope among the user's roles; superusers see everything; None = nothing."""
    if getattr(user, "is_superuser", False):
        return Scope.ALL
    scopes = [ROLE_SCOPE[r] for r in roles_of(user)]
    return Scope(max(scopes)) if scopes else None
