"""Permissions of the 投诉赔偿 module per role (merged by kefu/org/roles.py) (CMP-9).

Everyone employed sees their own 赔偿 and its instalment schedule; 组长, 客服主管, 客服部经理,
行政人事部 and the leadership see their role's scope (查看本范围赔偿); 客服主管 and 客服部经理
import a month's responsibility findings (导入责任认定).
"""

from kefu.org.choices import Role

_OWN = ["compensation.view_compensation"]
_TEAM = [*_OWN, "compensation.view_team_compensation"]
_IMPORT = [*_TEAM, "compensation.import_compensation"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.AFTER_SALES: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.ORDER_CLERK: _OWN,
    Role.WAREHOUSE: _OWN,
    Role.SYSADMIN: _OWN,
    Role.TEAM_LEAD: _TEAM,
    Role.SUPERVISOR: _IMPORT,
    Role.CS_MANAGER: _IMPORT,
    Role.HR: _TEAM,
    Role.DEPUTY_GM: _TEAM,
    Role.GM: _TEAM,
}
