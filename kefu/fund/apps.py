from typing import Any

from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "kefu.fund"
    label = "fund"
    verbose_name = "部门基金"

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_fund

        seed_demo_fund(actor)
