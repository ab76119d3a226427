"""Django's PostgreSQL backend with a throttled health check — 连接健康检查.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request,
so a persistent connection the server or a firewall has dropped is replaced instead of failing
the request. Under load that is one more round trip on every request (on the 1M-request
benchmark about 2 % of the app's CPU and one of the nine statements of a create). The check
guards against connections that went quiet and were cut; a connection that answered a check a
moment ago is not one of them. Here the round trip is made at most every
``HEALTH_CHECK_SECONDS`` per connection (``DB_HEALTH_CHECK_SECONDS``, default 5; 0 = every
request, as Django); in between only psycopg's own view of the socket is consulted (a connection
it saw break is replaced). The cost: a server restarted within those seconds of a check fails
one request per connection — the same as without health checks — after which Django replaces
the connection (docs/deployment.md).
"""

from __future__ import annotations

import os
import time

from django.db.backends.postgresql import base

HEALTH_CHECK_SECONDS = float(os.environ.get("DB_HEALTH_CHECK_SECONDS", "5"))


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL, health-checked by a round trip at most every ``HEALTH_CHECK_SECONDS``."""

    _checked_at = float("-inf")

    def connect(self) -> None:
        super().connect()
        self._checked_at = time.monotonic()  # a connection just opened has just answered

    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        now = time.monotonic()
        # After an error Django asks whether to keep the connection: always really asked then.
        if (
            not getattr(self, "errors_occurred", False)
            and now - self._checked_at < HEALTH_CHECK_SECONDS
        ):
            return True
        usable = super().is_usable()
        if usable:
            self._checked_at = now
        return usable
