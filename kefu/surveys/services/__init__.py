"""Survey services — 满意度调查的写入口 (the only write path)."""

from .invitations import (
    campaign_create,
    campaign_run,
    default_version,
    invitation_create,
    invitation_issue_link,
    invite_after_close,
)
from .questionnaires import (
    question_add,
    question_move,
    question_remove,
    questionnaire_create,
    questionnaire_edit,
    questionnaire_set_default,
    specs_of,
    version_publish,
    version_update,
)
from .responses import TokenInvalid, invitation_for_token, response_enter, response_submit_public
from .stats import stats_rebuild, stats_record

__all__ = [
    "TokenInvalid",
    "campaign_create",
    "campaign_run",
    "default_version",
    "invitation_create",
    "invitation_for_token",
    "invitation_issue_link",
    "invite_after_close",
    "question_add",
    "question_move",
    "question_remove",
    "questionnaire_create",
    "questionnaire_edit",
    "questionnaire_set_default",
    "response_enter",
    "response_submit_public",
    "specs_of",
    "stats_rebuild",
    "stats_record",
    "version_publish",
    "version_update",
]
