"""Audit appends from several connections at once stay one unbroken chain (SEC-3): the lock and
the head read of migration core/0008 (one round trip on PostgreSQL) serialise them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kefu.core import audit
from kefu.core.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"
)

WRITERS, EACH = 4, 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain() -> None:
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", after={"w": n, "i": i})
        except BaseException as exc:  # reported below: a thread's exception is lost otherwise
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no seq taken twice or skipped
    assert AuditEvent.objects.filter(action="test.concurrent").count() == WRITERS * EACH
    assert audit.verify_chain() is None
