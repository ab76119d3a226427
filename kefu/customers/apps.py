from typing import Any

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = "客户管理"

    def ready(self) -> None:
        # The app owns its policy domain; core's post_migrate loads the default file as version 1
        # (it runs after every app's ready(), so this domain is known by then).
        from kefu.core.policy import register_domain

        from .policy import DEFAULTS_FILE, DOMAIN, LABEL, CustomerPolicy

        register_domain(DOMAIN, CustomerPolicy, LABEL, DEFAULTS_FILE)

        from kefu.core.search import SearchProvider, register_search_provider

        from .search import search_customers

        register_search_provider(SearchProvider("customers", "客户", 20, search_customers))

    def seed_demo(self, actor: Any) -> None:
        """Demo customers for ``manage.py seed_demo`` (idempotent)."""
        from .demo import seed_demo_customers

        seed_demo_customers(actor)
