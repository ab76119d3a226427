from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = "工单管理"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the default file as version 1
        # (it runs after every app's ready(), so this domain is known by then).
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, TicketsPolicy

        register_domain(DOMAIN, TicketsPolicy, LABEL, DEFAULTS_FILE)
