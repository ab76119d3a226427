from typing import Any

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kefu.meetings"
    label = "meetings"
    verbose_name = "例会与带教"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, MeetingsPolicy

        register_domain(DOMAIN, MeetingsPolicy, LABEL, DEFAULTS_FILE)

        # WFM-9/WFM-10 → PERF: meeting absences and mentor rewards are workforce incidents.
        from kefu.workforce.incidents import register_incident_source

        from .incidents import meetings_incidents

        register_incident_source("meetings", meetings_incidents)

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_meetings

        seed_demo_meetings(actor)
