from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


def _load_defaults(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Configuration data, not business logic: a fresh or flushed database gets the default policy.
    from .policy import load_default_policies

    load_default_policies()


def _rights_changed(sender: Any, **kwargs: Any) -> None:
    # Cache invalidation, not business logic: a role's permissions or a user's groups edited in
    # the admin take effect at once in this process (kefu/core/access_cache.py).
    from . import access_cache

    access_cache.clear_on_commit()


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = "公共设置"

    def ready(self) -> None:
        post_migrate.connect(_load_defaults, sender=self, dispatch_uid="kefu.core.load_defaults")
        from django.contrib.auth.models import Group, User

        for through in (
            Group.permissions.through,
            User.groups.through,
            User.user_permissions.through,
        ):
            m2m_changed.connect(
                _rights_changed, sender=through, dispatch_uid=f"kefu.core.rights.{through.__name__}"
            )
