"""Permissions of the 例会与带教 module per role (merged by kefu/org/roles.py).

Everyone in customer service attends meetings (asks leave, files reports) and sees their own
mentoring (as newcomer or mentor) and training; 组长 run their team's meetings (attendance,
minutes) and keep their newcomers' mentoring, training and exams; 客服主管 and 客服部经理 do the
same for the department and award the mentor rewards; 行政人事部 (training records, pay) and the
leadership read.
"""

from kefu.org.choices import Role

_ATTEND = [
    "meetings.view_meeting",
    "meetings.ask_meeting_leave",
    "meetings.view_mentorship",
    "meetings.view_trainingrecord",
]
_RUN = [
    *_ATTEND,
    "meetings.add_meeting",
    "meetings.change_meeting",
    "meetings.take_attendance",
    "meetings.add_mentorship",
    "meetings.change_mentorship",
    "meetings.add_trainingrecord",
    "meetings.add_examrecord",
]
_MANAGE = [*_RUN, "meetings.award_mentor_rewards"]
_READ = ["meetings.view_meeting", "meetings.view_mentorship", "meetings.view_trainingrecord"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _ATTEND,
    Role.AFTER_SALES: _ATTEND,
    Role.RETURN_VISITOR: _ATTEND,
    Role.ORDER_CLERK: _ATTEND,
    Role.TEAM_LEAD: _RUN,
    Role.SUPERVISOR: _MANAGE,
    Role.CS_MANAGER: _MANAGE,
    Role.HR: [*_READ, "meetings.add_trainingrecord"],
    Role.DEPUTY_GM: _READ,
    Role.GM: _READ,
}
