from typing import Any

from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "kefu.workforce"
    label = "workforce"
    verbose_name = "排班"

    def ready(self) -> None:
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, RosterPolicy

        register_domain(DOMAIN, RosterPolicy, LABEL, DEFAULTS_FILE)

    def seed_demo(self, actor: Any) -> None:
        """Demo rosters for ``manage.py seed_demo`` (idempotent): this month published, next
        month a draft, for every 客服部 team."""
        from .demo import seed_demo_rosters

        seed_demo_rosters(actor)
