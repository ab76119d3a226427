"""Authentication backend — 登录与权限: Django's model backend with the permission set cached.

Identical answers to ``ModelBackend``; ``get_all_permissions`` (what ``has_perm`` reads) is
served from ``kefu.core.access_cache`` — see there for when a change takes effect — and
``get_user`` (every signed-in page) reads the user with their employee record in one prepared
statement (``kefu.core.signed_in``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from . import access_cache, signed_in


class CachedPermissionBackend(ModelBackend):
    """``ModelBackend`` whose permission set comes from the per-process access cache."""

    def get_user(self, user_id: Any) -> Any:
        """The session's user (None when gone or inactive), employee record attached."""
        user = signed_in.user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = access_cache.cached(
                "perms",
                user_obj,
                lambda: frozenset(
                    super(CachedPermissionBackend, self).get_all_permissions(user_obj)
                ),
            )
        return user_obj._perm_cache
