from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "kefu.workforce"
    label = "workforce"
    verbose_name = "排班"

    def ready(self) -> None:
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, RosterPolicy

        register_domain(DOMAIN, RosterPolicy, LABEL, DEFAULTS_FILE)
