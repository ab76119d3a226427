from typing import Any

from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "kefu.duty"
    label = "duty"
    verbose_name = "交接班与在线"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, DutyPolicy

        register_domain(DOMAIN, DutyPolicy, LABEL, DEFAULTS_FILE)

        # WFM-7/WFM-8 → PERF: handover flags and offline strikes are workforce incidents.
        from kefu.workforce.incidents import register_incident_source

        from .incidents import duty_incidents

        register_incident_source("duty", duty_incidents)

        # A ticket's page links to the handovers that passed it on.
        from kefu.tickets.links import register_ticket_links

        from .links import ticket_handover_links

        register_ticket_links(
            "duty", ticket_handover_links, linked_by=("duty.HandoverTicket.ticket",)
        )

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_duty

        seed_demo_duty(actor)
