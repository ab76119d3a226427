"""Personal API tokens — 个人API令牌: created by their owner, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import audit, rowsql, signed_in
from .errors import DomainError, PermissionDeniedError
from .models import ApiToken
from .rowsql import Columns, columns

TOKEN_PREFIX = "kefu_"
# Updating last_used_at on every call would turn each API read into a write; hourly is enough.
_LAST_USED_RESOLUTION_SECONDS = 3600


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal token for ``actor`` — 新建API令牌. The raw value is returned only here."""
    if not (actor and actor.is_authenticated):
        raise PermissionDeniedError()
    name = (name or "").strip()
    if not name:
        raise DomainError(
            "token_name_required", "请填写令牌名称", fields={"name": "请填写令牌名称"}
        )
    if len(name) > 80:
        raise DomainError(
            "token_name_too_long", "名称最多80个字符", fields={"name": "名称最多80个字符"}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=raw[:12], key_hash=hash_token(raw)
    )
    audit.record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token — 吊销API令牌. Only its owner (or a superuser) may."""
    if not (actor and actor.is_authenticated and (token.user_id == actor.pk or actor.is_superuser)):
        raise PermissionDeniedError()
    if token.revoked_at is not None:
        raise DomainError("token_already_revoked", "该令牌已吊销", status=409)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", obj=token, after={"prefix": token.prefix})
    return token


@cache
def _token_query() -> tuple[str, Columns]:
    """The token, its user and the user's employee record (with department, team, position) in
    one statement, its SQL built once per process (kefu/core/rowsql.py: on the API's hottest
    path the ORM's compile of this join cost more CPU than running it)."""
    from django.contrib.auth import get_user_model

    # Of the token itself only what the lookup uses: its key and when it was last used.
    token = columns(ApiToken, "t", ("last_used_at",))
    select, joins, _parts = signed_in.user_parts()
    q = connection.ops.quote_name
    sql = (
        f"SELECT {token.sql}, {select} FROM {q(ApiToken._meta.db_table)} {q('t')} "
        f"JOIN {q(get_user_model()._meta.db_table)} {q('u')} ON {q('u')}.{q('id')} = "
        f"{q('t')}.{q('user_id')}{joins} WHERE {q('t')}.{q('key_hash')} = %s "
        f"AND {q('t')}.{q('revoked_at')} IS NULL AND {q('u')}.{q('is_active')} = %s"
    )
    return sql, token


def user_for_token(raw: str) -> Any:
    """The active user owning an unrevoked token, or None.

    The user's employee record comes with it (kefu.org's Employee, related_name "employee"):
    nearly every API call needs it for scope and audit, and ``org.selectors.employee_of`` reads
    the attribute set here instead of querying again.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    sql, token_columns = _token_query()
    with rowsql.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw), True])
        row = cursor.fetchone()
    if row is None:
        return None
    # The token's two values as they come (no instance: nothing else of it is needed).
    token_pk, last_used_at = token_columns.values(row, 0)  # the key, then last_used_at
    user = signed_in.user_from_row(row, len(token_columns))
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user
