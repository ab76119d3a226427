"""Meetings writes — 例会与带教服务: the only path that changes meetings and mentoring."""

from .attendance import (
    AttendanceRow,
    attendance_record,
    in_time_leave,
    meeting_leave_ask,
    meeting_minutes_record,
    meeting_report_submit,
    notice_deadline,
)
from .mentoring import (
    exam_record,
    mentor_rewards_award,
    mentorship_create,
    mentorship_end,
    ranking_learners,
    training_record,
)
from .series import meeting_create, meeting_update, occurrence_cancel, occurrences_generate

__all__ = [
    "AttendanceRow",
    "attendance_record",
    "exam_record",
    "in_time_leave",
    "meeting_create",
    "meeting_leave_ask",
    "meeting_minutes_record",
    "meeting_report_submit",
    "meeting_update",
    "mentor_rewards_award",
    "mentorship_create",
    "mentorship_end",
    "notice_deadline",
    "occurrence_cancel",
    "occurrences_generate",
    "ranking_learners",
    "training_record",
]
