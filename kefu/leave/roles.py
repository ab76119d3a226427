"""Permissions of the 请假 module per role (merged by kefu/org/roles.py).

Everyone employed asks for leave and reports back (WFM-4: managers too, approved by the GM);
组长, 客服主管, 客服部经理, 行政人事部 and the leadership see the leave and balances of their
scope (查看班组请假). Approving is decided by the approval chain, not by a permission.
"""

from kefu.org.choices import Role

_OWN = ["leave.view_leaverequest", "leave.add_leaverequest"]
_TEAM = [*_OWN, "leave.view_team_leaverequest"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.AFTER_SALES: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.ORDER_CLERK: _OWN,
    Role.WAREHOUSE: _OWN,
    Role.SYSADMIN: _OWN,
    Role.TEAM_LEAD: _TEAM,
    Role.SUPERVISOR: _TEAM,
    Role.CS_MANAGER: _TEAM,
    Role.HR: _TEAM,
    Role.DEPUTY_GM: _TEAM,
    Role.GM: _TEAM,
}
