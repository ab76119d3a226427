from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Role groups are configuration derived from kefu/org/roles.py; permissions exist only after
    # contenttypes/auth ran their own post_migrate, which is why this is not a data migration.
    from .roles import sync_role_groups

    sync_role_groups()


class OrgConfig(AppConfig):
    name = "kefu.org"
    label = "org"
    verbose_name = "组织架构"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="kefu.org.sync_roles")

        from kefu.core.search import SearchProvider, register_search_provider

        from .search import search_employees

        register_search_provider(SearchProvider("employees", "员工", 30, search_employees))
