"""Sessions — 登录会话: Django's database sessions, the per-request read as a prepared statement.

Every signed-in request loads its session before anything else. Django's ``db`` backend builds
that ``SELECT`` through the ORM each time; here it is built once per process and, on PostgreSQL,
prepared (``kefu.core.rowsql``). Storage, expiry, rotation and ``clearsessions`` are Django's own
(this class changes the read only).
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from . import rowsql
from .rowsql import Columns, columns


@cache
def _session_query() -> tuple[str, Columns]:
    q = connection.ops.quote_name
    session = columns(Session, "s")
    sql = (
        f"SELECT {session.sql} FROM {q(Session._meta.db_table)} {q('s')} "
        f"WHERE {q('s')}.{q('session_key')} = %s AND {q('s')}.{q('expire_date')} > %s"
    )
    return sql, session


class SessionStore(DatabaseSessionStore):
    """``django.contrib.sessions.backends.db`` with the load read by one prepared statement."""

    def _get_session_from_db(self) -> Session | None:
        sql, session = _session_query()
        with rowsql.cursor() as cursor:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a new key is made if anything is stored
            return None
        return session.instance(row, 0)
