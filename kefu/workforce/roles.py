"""Permissions of the roster module per role (merged by kefu/org/roles.py).

Everyone in the department sees the published roster of their own team; 组长 compose and
publish their team's roster (WFM-1: 组长轮休安排); 客服主管/客服部经理 do the same for the whole
department; HR and the leadership read.
"""

from kefu.org.choices import Role

_READ = ["workforce.view_roster"]
_TEAM_READ = [*_READ, "workforce.view_team_roster", "workforce.view_coveragerequirement"]
_COMPOSE = [
    *_TEAM_READ,
    "workforce.edit_roster",
    "workforce.publish_roster",
    "workforce.change_coveragerequirement",
    "workforce.view_employeeskill",
    "workforce.change_employeeskill",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: [*_READ, "workforce.add_restrequest"],
    Role.AFTER_SALES: [*_READ, "workforce.add_restrequest"],
    Role.RETURN_VISITOR: [*_READ, "workforce.add_restrequest"],
    Role.ORDER_CLERK: [*_READ, "workforce.add_restrequest"],
    Role.TEAM_LEAD: [*_COMPOSE, "workforce.add_restrequest"],
    Role.SUPERVISOR: _COMPOSE,
    Role.CS_MANAGER: _COMPOSE,
    Role.HR: _TEAM_READ,
    Role.DEPUTY_GM: _TEAM_READ,
    Role.GM: _TEAM_READ,
}
