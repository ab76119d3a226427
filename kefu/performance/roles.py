"""Permissions of the 绩效奖惩 module per role (merged by kefu/org/roles.py).

Everyone employed sees their own incidents and score card and may appeal (PERF-4, 申诉);
组长/客服主管/客服部经理 record incidents from the catalogue and confirm proposals for their scope;
the 客服部经理 decides appeals and reviews the month; the 总经理 approves the close (CMP-7,
PERF-8); 行政人事部 and the leadership read everything in scope and export the payroll input.
"""

from kefu.org.choices import Role

_OWN = ["performance.view_incident", "performance.add_appeal", "performance.view_appeal"]
_READ_SCOPE = [*_OWN, "performance.view_team_incident", "performance.view_monthclose"]
_LEAD = [*_READ_SCOPE, "performance.record_incident", "performance.confirm_incident"]
_SUPERVISOR = [*_LEAD, "performance.import_incidents"]
_MANAGER = [
    *_SUPERVISOR,
    "performance.decide_appeal",
    "performance.review_month",
    "performance.export_payroll",
]
_HR = [*_READ_SCOPE, "performance.export_payroll"]
_GM = [*_READ_SCOPE, "performance.approve_month", "performance.export_payroll"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.AFTER_SALES: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.ORDER_CLERK: _OWN,
    Role.WAREHOUSE: _OWN,
    Role.SYSADMIN: [*_OWN, "performance.import_incidents"],
    Role.TEAM_LEAD: _LEAD,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.CS_MANAGER: _MANAGER,
    Role.HR: _HR,
    Role.DEPUTY_GM: _READ_SCOPE,
    Role.GM: _GM,
}
