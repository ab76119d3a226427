"""Permissions of the 销售与提成 module per role (merged by kefu/org/roles.py).

Agents and return visitors enter their own daily sales report and see their own lines, inquiries
and commission (PERF-1, PERF-2). 组长 see and enter for their team; 客服主管 and 客服部经理 for
the department, and they import order exports and the chat tool's inquiry counts; the 订单员
imports (and therefore sees the department's lines) but has no commission page. 行政人事部 and
the leadership read everything. Beyond one's own rows the data scope of the role applies
(``sales.view_team_salesline``).
"""

from kefu.org.choices import Role

_OWN = [
    "sales.view_salesline",
    "sales.add_salesline",
    "sales.view_inquirycount",
    "sales.view_commission",
]
_LEAD = [*_OWN, "sales.view_team_salesline"]
_IMPORTER = [*_LEAD, "sales.import_salesline", "sales.add_inquirycount"]
_CLERK = [
    "sales.view_salesline",
    "sales.add_salesline",
    "sales.view_team_salesline",
    "sales.import_salesline",
    "sales.view_inquirycount",
    "sales.add_inquirycount",
]
_READ_ALL = [
    "sales.view_salesline",
    "sales.view_team_salesline",
    "sales.view_inquirycount",
    "sales.view_commission",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.TEAM_LEAD: _LEAD,
    Role.SUPERVISOR: _IMPORTER,
    Role.CS_MANAGER: _IMPORTER,
    Role.ORDER_CLERK: _CLERK,
    Role.HR: _READ_ALL,
    Role.DEPUTY_GM: _READ_ALL,
    Role.GM: _READ_ALL,
}
