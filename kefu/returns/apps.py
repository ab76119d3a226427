from typing import Any

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "kefu.returns"
    label = "returns"
    verbose_name = "退换货"

    def ready(self) -> None:
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, ReturnsPolicy

        register_domain(DOMAIN, ReturnsPolicy, LABEL, DEFAULTS_FILE)

        from .hooks import register_all

        register_all()

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_returns

        seed_demo_returns(actor)
