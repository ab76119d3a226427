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
