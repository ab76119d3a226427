from typing import Any

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

        # 全局搜索 (工单编号 / 电话 / 订单号 / 快递单号) and the customer page's 服务记录 · 工单.
        from kefu.core.search import SearchProvider, register_search_provider
        from kefu.customers.history import HistorySection, register_history_section

        from .history import customer_tickets_context
        from .search import search_tickets

        register_search_provider(SearchProvider("tickets", "工单", 10, search_tickets))
        register_history_section(
            HistorySection(
                key="tickets",
                label="工单",
                template="tickets/_customer_tickets.html",
                context=customer_tickets_context,
                order=10,
            )
        )

    def seed_demo(self, actor: Any) -> None:
        """Demo service requests for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_tickets

        seed_demo_tickets(actor)
