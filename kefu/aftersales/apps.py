from typing import Any

from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "kefu.aftersales"
    label = "aftersales"
    verbose_name = "售后服务"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the default file as version 1.
        from kefu.core.policy import register_domain
        from kefu.core.search import SearchProvider, register_search_provider
        from kefu.customers.history import HistorySection, register_history_section
        from kefu.tickets.links import register_ticket_links

        from .integration import customer_section_context, repair_ticket_links, search_aftersales
        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, AftersalesPolicy

        register_domain(DOMAIN, AftersalesPolicy, LABEL, DEFAULTS_FILE)
        register_ticket_links("aftersales", repair_ticket_links)
        register_history_section(
            HistorySection(
                key="aftersales",
                label="售后服务",
                template="aftersales/_customer_section.html",
                context=customer_section_context,
                order=30,
            )
        )
        register_search_provider(
            SearchProvider(key="aftersales", label="售后服务", order=40, search=search_aftersales)
        )

    def seed_demo(self, actor: Any) -> None:
        """Demo products, price list, installations, cards and repair orders (idempotent)."""
        from .demo import seed_demo_aftersales

        seed_demo_aftersales(actor)
