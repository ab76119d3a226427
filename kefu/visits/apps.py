from typing import Any

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "kefu.visits"
    label = "visits"
    verbose_name = "回访"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the defaults as version 1.
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, VisitsPolicy

        register_domain(DOMAIN, VisitsPolicy, LABEL, DEFAULTS_FILE)

        # AS-4: a closed service request gets a visit N days later.
        from kefu.tickets.hooks import register_after_action

        from .services import visit_plan_after_close

        register_after_action("visits", visit_plan_after_close)

        from kefu.customers.history import HistorySection, register_history_section

        from .history import customer_visits_context

        register_history_section(
            HistorySection(
                key="visits",
                label="回访记录",
                template="visits/_customer_visits.html",
                context=customer_visits_context,
                order=40,
            )
        )
        from kefu.tickets.links import register_ticket_links

        from .history import ticket_visit_links

        register_ticket_links(
            "visits",
            ticket_visit_links,
            linked_by=("visits.VisitTask.ticket", "visits.VisitTask.follow_up_ticket"),
        )

        # AS-4: an installation created or changed gets its plan regenerated (same transaction).
        from kefu.aftersales.hooks import register_installation_changed

        from .services.plans import installation_plan_refresh

        register_installation_changed("visits", installation_plan_refresh)

        from kefu.core.search import SearchProvider, register_search_provider

        from .history import search_visits

        register_search_provider(
            SearchProvider(key="visits", label="回访单", order=45, search=search_visits)
        )

    def seed_demo(self, actor: Any) -> None:
        """Demo data for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_visits

        seed_demo_visits(actor)
