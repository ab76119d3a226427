"""Permissions of the 交接班与在线 module per role (merged by kefu/org/roles.py).

Everyone who works shifts keeps the handover book (writes, confirms) and sets their own online
status (WFM-7, WFM-8); 组长, 客服主管 and 客服部经理 watch the presence board, waive a handover
flag or accept the reason of an offline period for their people; a supervisor-role integration
(a chat tool's account) may set other people's status by 工号. 行政人事部 and the leadership read.
"""

from kefu.org.choices import Role

_READ = ["duty.view_handover"]
_SHIFT_WORKER = [
    *_READ,
    "duty.add_handover",
    "duty.acknowledge_handover",
    "duty.add_presenceevent",
]
_LEAD = [
    *_SHIFT_WORKER,
    "duty.view_presence",
    "duty.waive_handoverflag",
    "duty.excuse_presenceviolation",
]
_MANAGER = [*_LEAD, "duty.set_others_presence"]
_OVERSIGHT = [*_READ, "duty.view_presence"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _SHIFT_WORKER,
    Role.AFTER_SALES: _SHIFT_WORKER,
    Role.RETURN_VISITOR: _SHIFT_WORKER,
    Role.ORDER_CLERK: _SHIFT_WORKER,
    Role.TEAM_LEAD: _LEAD,
    Role.SUPERVISOR: _MANAGER,
    Role.CS_MANAGER: _MANAGER,
    Role.HR: _OVERSIGHT,
    Role.DEPUTY_GM: _OVERSIGHT,
    Role.GM: _OVERSIGHT,
}
