"""Returns services — 退换货业务服务: the only write path of the returns app."""

from .cases import (
    TYPE_BY_SUBKIND,
    freight_refund_suggestion,
    returncase_approve_early_reship,
    returncase_await_return,
    returncase_cancel,
    returncase_claim,
    returncase_confirm_arrival,
    returncase_create,
    returncase_forward,
    returncase_forward_failed,
    returncase_inspect,
    returncase_intercept,
    returncase_parcel_back,
    returncase_receive,
    returncase_record_contact,
    returncase_refund,
    returncase_reship,
)
from .clock import returncase_ship_check, returns_ship_clock_scan
from .money import (
    ledger_entry_add,
    returncase_export_record,
    transfer_mark_paid,
    transfer_register,
)

__all__ = [
    "TYPE_BY_SUBKIND",
    "freight_refund_suggestion",
    "ledger_entry_add",
    "returncase_approve_early_reship",
    "returncase_await_return",
    "returncase_cancel",
    "returncase_claim",
    "returncase_confirm_arrival",
    "returncase_create",
    "returncase_export_record",
    "returncase_forward",
    "returncase_forward_failed",
    "returncase_inspect",
    "returncase_intercept",
    "returncase_parcel_back",
    "returncase_receive",
    "returncase_record_contact",
    "returncase_refund",
    "returncase_reship",
    "returncase_ship_check",
    "returns_ship_clock_scan",
    "transfer_mark_paid",
    "transfer_register",
]
