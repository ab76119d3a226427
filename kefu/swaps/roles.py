"""Permissions of the 换班 module per role (merged by kefu/org/roles.py).

Everyone on a roster asks for and agrees to swaps (WFM-3); 组长, 客服主管 and 客服部经理 see their
scope's swaps (查看班组换班) — approving is decided by the approval chain, not by a permission;
行政人事部 and the leadership read. Warehouse and system administration get nothing here.
"""

from kefu.org.choices import Role

_OWN = ["swaps.view_shiftswap", "swaps.add_shiftswap"]
_TEAM = ["swaps.view_shiftswap", "swaps.view_team_shiftswap"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.AFTER_SALES: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.ORDER_CLERK: _OWN,
    Role.TEAM_LEAD: [*_OWN, "swaps.view_team_shiftswap"],
    Role.SUPERVISOR: _TEAM,
    Role.CS_MANAGER: _TEAM,
    Role.HR: _TEAM,
    Role.DEPUTY_GM: _TEAM,
    Role.GM: _TEAM,
}
