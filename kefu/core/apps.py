from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_defaults(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Configuration data, not business logic: a fresh or flushed database gets the default policy.
    from .policy import load_default_policies

    load_default_policies()


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = "公共设置"

    def ready(self) -> None:
        post_migrate.connect(_load_defaults, sender=self, dispatch_uid="kefu.core.load_defaults")
