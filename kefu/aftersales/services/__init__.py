"""After-sales services — 售后服务: the only write path (products, installations, cards, repairs)."""

from .catalogue import price_item_create, price_item_update, product_create, product_update
from .clock import order_readings, refresh_clock, repair_clock_check, repairs_clock_scan
from .installations import (
    compute_warranty,
    installation_create,
    installation_update,
    warranty_card_issue,
)
from .photos import repair_attach_photo, repair_remove_photo
from .repairs import (
    is_repair_ticket,
    repair_add_part,
    repair_arrive,
    repair_assign,
    repair_close,
    repair_create,
    repair_fix,
    repair_record_work,
    repair_remote,
    repair_remove_part,
    repair_set_reported_at,
    repair_sign_off,
    repair_spare,
)

__all__ = [
    "compute_warranty",
    "installation_create",
    "installation_update",
    "is_repair_ticket",
    "order_readings",
    "price_item_create",
    "price_item_update",
    "product_create",
    "product_update",
    "refresh_clock",
    "repair_add_part",
    "repair_arrive",
    "repair_assign",
    "repair_attach_photo",
    "repair_clock_check",
    "repair_close",
    "repair_create",
    "repair_fix",
    "repair_record_work",
    "repair_remote",
    "repair_remove_part",
    "repair_remove_photo",
    "repair_set_reported_at",
    "repair_sign_off",
    "repair_spare",
    "repairs_clock_scan",
    "warranty_card_issue",
]
