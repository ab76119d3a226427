from typing import Any

from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "kefu.swaps"
    label = "swaps"
    verbose_name = "换班"

    def ready(self) -> None:
        # WFM-3: attendance judges the giver of a shift left empty after a swap (空班按旷工).
        from kefu.attendance.hooks import register_handed_shift_source

        from .selectors import handed_shifts

        register_handed_shift_source("swaps", handed_shifts)

    def seed_demo(self, actor: Any) -> None:
        """Demo swaps for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_swaps

        seed_demo_swaps(actor)
