"""Permissions of the 部门基金 module per role (merged by kefu/org/roles.py).

PERF-7: the fund is transparent — every member of a department reads its ledger and balance and
may export it. 组长/客服主管/客服部经理 ask to spend it (the approval chain decides) and the
supervisor and manager record other income.
"""

from kefu.org.choices import Role

_READ = ["fund.view_fundentry", "fund.export_fund"]
_SPEND = [*_READ, "fund.request_spending"]
_KEEP = [*_SPEND, "fund.record_income"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _READ,
    Role.AFTER_SALES: _READ,
    Role.RETURN_VISITOR: _READ,
    Role.ORDER_CLERK: _READ,
    Role.WAREHOUSE: _READ,
    Role.SYSADMIN: _READ,
    Role.TEAM_LEAD: _SPEND,
    Role.SUPERVISOR: _KEEP,
    Role.CS_MANAGER: _KEEP,
    Role.HR: _READ,
    Role.DEPUTY_GM: _READ,
    Role.GM: _READ,
}
