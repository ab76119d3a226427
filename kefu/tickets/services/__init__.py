"""Ticket writes — 工单服务: the only path that changes service requests.

Each service checks the actor's rights, lets the rule engines decide (``statemachine``, ``sla``),
writes and records one audit event, in one transaction.
"""

from .actions import actions_for, lock_for_change, ticket_act, ticket_add_note
from .attachments import sniff, ticket_attach
from .clock import ScanResult, sla_summary, sla_summary_of, ticket_sla_check, tickets_sla_scan
from .common import acting_employee, state_of
from .create import (
    next_number,
    ticket_create,
    ticket_create_for_caller,
    ticket_quick_create,
    ticket_update_details,
    validate_ticket_values,
)
from .exports import tickets_export_record
from .service_mode import (
    actions_and_service_modes,
    service_mode_options,
    ticket_escalate_service_mode,
)

__all__ = [
    "ScanResult",
    "acting_employee",
    "actions_and_service_modes",
    "actions_for",
    "lock_for_change",
    "next_number",
    "service_mode_options",
    "sla_summary",
    "sla_summary_of",
    "sniff",
    "state_of",
    "ticket_act",
    "ticket_add_note",
    "ticket_attach",
    "ticket_create",
    "ticket_create_for_caller",
    "ticket_escalate_service_mode",
    "ticket_quick_create",
    "ticket_sla_check",
    "ticket_update_details",
    "tickets_export_record",
    "tickets_sla_scan",
    "validate_ticket_values",
]
