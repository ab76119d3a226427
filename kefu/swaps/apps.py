from typing import Any

from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "kefu.swaps"
    label = "swaps"
    verbose_name = "换班"

    def seed_demo(self, actor: Any) -> None:
        """Demo swaps for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_swaps

        seed_demo_swaps(actor)
