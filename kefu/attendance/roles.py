"""Permissions of the 考勤 module per role (merged by kefu/org/roles.py).

Everyone who works shifts clocks in and out, sees their own attendance and asks for 补卡; 组长
see their team (and approve 补卡 through the approval chain — the decision follows the reporting
line, not a permission); 客服主管/客服部经理 see the department, import time-clock files, recompute,
and as 考勤员 read and report the monthly attendance to 行政人事部 (WFM-6); 行政人事部 and the
leadership read everything and the report. The data scope of each role limits whose records show.
"""

from kefu.org.choices import Role

_OWN = [
    "attendance.add_clockevent",
    "attendance.view_clockevent",
    "attendance.view_attendanceday",
    "attendance.view_clockcorrection",
    "attendance.add_clockcorrection",
]
_CLERK = [
    *_OWN,
    "attendance.import_clockevent",
    "attendance.classify_attendance",
    "attendance.view_attendance_report",
    "attendance.submit_attendance_report",
]
_READ_ALL = [
    "attendance.view_clockevent",
    "attendance.view_attendanceday",
    "attendance.view_clockcorrection",
    "attendance.view_attendance_report",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _OWN,
    Role.AFTER_SALES: _OWN,
    Role.RETURN_VISITOR: _OWN,
    Role.ORDER_CLERK: _OWN,
    Role.TEAM_LEAD: _OWN,
    Role.SUPERVISOR: _CLERK,
    Role.CS_MANAGER: _CLERK,
    Role.HR: [*_READ_ALL, "attendance.import_clockevent"],
    Role.DEPUTY_GM: _READ_ALL,
    Role.GM: _READ_ALL,
}
