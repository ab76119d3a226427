"""Complaint writes — 客户投诉处理服务: the only path that changes complaints.

Every service checks the actor (the engine ``procedure.apply`` decides who acts at each step),
validates, writes and records one audit event for the complaint, in one transaction. Services that
also move the complaint's ticket (``complaint_open`` creating it, ``complaint_reply`` resolving and
closing it) do so through the ticket services, which record the ticket's own events.
"""

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError

from .closing import complaint_reply, reply_text_for
from .common import actions_for, state_of
from .exports import stats_export_record
from .opening import complaint_open, validate_card
from .steps import (
    complaint_approve,
    complaint_decide_acceptance,
    complaint_leadership_decide,
    complaint_record_handling_opinion,
    complaint_return,
    complaint_review,
    complaint_route,
    complaint_submit_investigation,
    next_acceptance_number,
)

__all__ = [
    "ConflictError",
    "DomainError",
    "PermissionDeniedError",
    "actions_for",
    "complaint_approve",
    "complaint_decide_acceptance",
    "complaint_leadership_decide",
    "complaint_open",
    "complaint_record_handling_opinion",
    "complaint_reply",
    "complaint_return",
    "complaint_review",
    "complaint_route",
    "complaint_submit_investigation",
    "next_acceptance_number",
    "reply_text_for",
    "state_of",
    "stats_export_record",
    "validate_card",
]
