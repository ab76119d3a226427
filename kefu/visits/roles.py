"""Permissions of the return-visit module per role (merged by kefu/org/roles.py).

回访员 works their own tasks; 客服主管/客服部经理 see everything, reassign, run plans and read the
reports; 组长 see all tasks (read); the leadership reads the reports and the care plans. Agents,
HR and the warehouse get nothing here.
"""

from kefu.org.choices import Role

_WORK_OWN = ["visits.view_visittask", "visits.change_visittask"]
_CARE_WORK = ["visits.view_careplan", "visits.change_careplan"]
_SUPERVISE = [
    *_WORK_OWN,
    "visits.view_all_visittasks",
    "visits.reassign_visittask",
    "visits.manage_visit_plans",
    "visits.view_visit_reports",
    *_CARE_WORK,
    "visits.add_careplan",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.RETURN_VISITOR: [*_WORK_OWN, *_CARE_WORK],
    Role.TEAM_LEAD: ["visits.view_visittask", "visits.view_all_visittasks"],
    Role.SUPERVISOR: _SUPERVISE,
    Role.CS_MANAGER: _SUPERVISE,
    Role.DEPUTY_GM: ["visits.view_visit_reports", "visits.view_careplan"],
    Role.GM: ["visits.view_visit_reports", "visits.view_careplan"],
}
