from typing import Any

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    label = "complaints"
    verbose_name = "投诉管理"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the default file as version 1
        # (it runs after every app's ready(), so this domain is known by then).
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, ComplaintsPolicy

        register_domain(DOMAIN, ComplaintsPolicy, LABEL, DEFAULTS_FILE)

        # A complaint's ticket closes only through the procedure (CMP-3..6).
        from kefu.tickets.guards import register_action_guard
        from kefu.tickets.links import register_ticket_links

        from .guards import complaint_links, complaint_ticket_guard

        register_action_guard("complaints", complaint_ticket_guard)
        register_ticket_links("complaints", complaint_links)

    def seed_demo(self, actor: Any) -> None:
        """Demo complaints for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_complaints

        seed_demo_complaints(actor)
