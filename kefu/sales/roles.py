"""Permissions of the 销售与提成 module per role (merged by kefu/org/roles.py).

Agents and return visitors enter their own daily sales report and see their own lines, inquiries
and commission (PERF-1, PERF-2). 组长 see and enter for their team; 客服主管 and 客服部经理 for
the department, and they import order exports and the chat tool's inquiry counts; the 订单员
imports (and therefore sees the department's lines) but has no commission page. 行政人事部 and
the leadership read everything. Beyond one's own rows the data scope of the role applies
(``sales.view_team_salesline``).

未付款订单 (seed 000): agents see, enter and chase their own; 组长 their team's; 客服主管 and 客服部经理
the department's and they may run the 超时未催付 check (the daily run and the close run it as the
system). 询单未成交原因 (RPT-6): agents record their own, 组长 and above in scope; the leadership
reads. Correcting or deleting a sales line needs ``sales.add_salesline`` (whoever may enter it).
"""

from kefu.org.choices import Role

_UNPAID = [
    "sales.view_unpaidorder",
    "sales.add_unpaidorder",
    "sales.chase_unpaidorder",
    "sales.view_lostinquiry",
    "sales.add_lostinquiry",
]
_OWN = [
    "sales.view_salesline",
    "sales.add_salesline",
    "sales.view_inquirycount",
    "sales.view_commission",
    *_UNPAID,
]
_LEAD = [*_OWN, "sales.view_team_salesline"]
_IMPORTER = [
    *_LEAD,
    "sales.import_salesline",
    "sales.add_inquirycount",
    "sales.check_unpaidorder",
]
_CLERK = [
    "sales.view_salesline",
    "sales.add_salesline",
    "sales.view_team_salesline",
    "sales.import_salesline",
    "sales.view_inquirycount",
    "sales.add_inquirycount",
    "sales.view_unpaidorder",
    "sales.add_unpaidorder",
]
_READ_ALL = [
    "sales.view_salesline",
    "sales.view_team_salesline",
    "sales.view_inquirycount",
    "sales.view_commission",
    "sales.view_unpaidorder",
    "sales.view_lostinquiry",
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
