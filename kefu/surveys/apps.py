from typing import Any

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "kefu.surveys"
    label = "surveys"
    verbose_name = "满意度调查"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the default file as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, SurveysPolicy

        register_domain(DOMAIN, SurveysPolicy, LABEL, DEFAULTS_FILE)

        # CRM-3: a closed service request gets its satisfaction survey.
        from kefu.tickets.hooks import register_after_action

        from .services.invitations import invite_after_close

        register_after_action("surveys", invite_after_close)

        # The customer page's 服务记录 shows the customer's survey answers.
        from kefu.customers.history import HistorySection, register_history_section

        from .history import customer_surveys_context

        register_history_section(
            HistorySection(
                key="surveys",
                label="满意度调查",
                template="surveys/_customer_surveys.html",
                context=customer_surveys_context,
                order=60,
            )
        )

        # The ticket page links to the survey sent when the request closed (issue the link there).
        from kefu.tickets.links import register_ticket_links

        from .history import ticket_survey_links

        register_ticket_links(
            "surveys", ticket_survey_links, linked_by=("surveys.Invitation.ticket",)
        )

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_surveys

        seed_demo_surveys(actor)
