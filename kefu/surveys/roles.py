"""Survey permissions per role — 满意度调查的角色权限 (merged by kefu/org/roles.py).

主管/客服经理 build questionnaires and read the statistics; 坐席/组长/回访员 send invitations and
enter answers taken during a call; 总经理/副总经理/行政人事 read the statistics; 仓库 nothing.
"""

from __future__ import annotations

from kefu.org.choices import Role

_SEND = [
    "surveys.view_invitation",
    "surveys.add_invitation",
    "surveys.add_surveyresponse",
    "surveys.view_surveyresponse",
]
_BUILD = [
    "surveys.view_questionnaire",
    "surveys.add_questionnaire",
    "surveys.change_questionnaire",
]
_CAMPAIGN = ["surveys.view_campaign", "surveys.add_campaign"]
_STATS = ["surveys.view_statistics"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: _SEND,
    Role.TEAM_LEAD: _SEND,
    Role.RETURN_VISITOR: _SEND + _CAMPAIGN,
    Role.SUPERVISOR: _SEND + _BUILD + _CAMPAIGN + _STATS,
    Role.CS_MANAGER: _SEND + _BUILD + _CAMPAIGN + _STATS,
    Role.HR: _STATS,
    Role.DEPUTY_GM: _STATS,
    Role.GM: _STATS,
}
