"""Audit trail — 审计追踪 (SEC-3): the hash chain, request context, tamper detection, append-only."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from kefu.core import audit
from kefu.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists only on PostgreSQL"
)


def _events(n: int, actor: Any = None) -> list[AuditEvent]:
    return [
        audit.record(
            actor=actor,
            action="test.event",
            object_type="test.thing",
            object_id=i,
            before={"n": i},
            after={"n": i + 1, "说明": "测试"},
        )
        for i in range(n)
    ]


@contextlib.contextmanager
def tamperable() -> Iterator[Any]:
    """A raw cursor that may rewrite history: on PostgreSQL the append-only trigger is switched off
    (as an attacker with the table owner's rights could), so detection is proven there too."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks of this transaction's inserts
            # are pending: run them now, and defer again afterwards as Django expects.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER kefu_audit_append_only")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER kefu_audit_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _raw_insert(cursor: Any, *, seq: int, at: dt.datetime, prev_hash: str, action: str) -> str:
    """Insert a forged event with raw SQL whose own hash is computed correctly."""
    after = {"forged": True}
    content = audit.canonical_content(
        seq=seq,
        at=at,
        actor_id=None,
        action=action,
        object_type="test.thing",
        object_id="x",
        before=None,
        after=after,
        ip=None,
        request_id="",
        reason="",
    )
    digest = audit.chain_hash(prev_hash, content)
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    cursor.execute(
        "INSERT INTO core_auditevent (seq, at, actor_label, action, object_type, object_id, "
        f"before, after, ip, request_id, reason, prev_hash, hash) VALUES (%s, %s, '', %s, "
        f"'test.thing', 'x', NULL, {json_param}, NULL, '', '', %s, %s)",
        [
            seq,
            connection.ops.adapt_datetimefield_value(at),
            action,
            json.dumps(after),
            prev_hash,
            digest,
        ],
    )
    return digest


def _assert_detected(seq: int) -> None:
    broken = audit.verify_chain()
    assert broken is not None
    assert broken.seq == seq
    with pytest.raises(CommandError, match=f"序号 {seq}："):
        call_command("audit_verify")


# --- the chain ------------------------------------------------------------------------------
def test_record_chains_events_with_contiguous_seq() -> None:
    before_count = AuditEvent.objects.count()
    events = _events(4)
    assert AuditEvent.objects.count() == before_count + 4
    seqs = [e.seq for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    everything = list(AuditEvent.objects.order_by("seq"))
    assert everything[0].seq == 1
    assert everything[0].prev_hash == audit.GENESIS_HASH
    assert [e.seq for e in everything] == list(range(1, len(everything) + 1))
    for event in everything:
        assert audit.event_hash(event) == event.hash
    assert audit.verify_chain() is None


def test_audit_verify_command_reports_an_intact_chain() -> None:
    _events(3)
    out = _call_verify()
    assert "审计链完整" in out
    assert f"共 {AuditEvent.objects.count()} 条记录" in out


def _call_verify() -> str:
    import io

    buffer = io.StringIO()
    call_command("audit_verify", stdout=buffer)
    return buffer.getvalue()


def test_before_and_after_are_stored_as_json() -> None:
    event = audit.record(
        actor=None,
        action="test.snapshot",
        object_type="test.thing",
        object_id=7,
        before={"amount": Decimal("12.50"), "day": dt.date(2025, 3, 1), "名称": "甲"},
        after={"amount": Decimal("13.00"), "tags": ["a", "b"], "nested": {"k": None}},
        reason="更正金额",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before == {"amount": "12.50", "day": "2025-03-01", "名称": "甲"}
    assert stored.after == {"amount": "13.00", "tags": ["a", "b"], "nested": {"k": None}}
    assert stored.object_id == "7"
    assert stored.reason == "更正金额"
    assert stored.actor_id is None
    assert audit.verify_chain() is None


@pytest.mark.parametrize("number", [1e20, -0.0, 1.5e300, 2.0, 0.1, 1e-7, 12345678901234567890])
def test_numbers_in_snapshots_keep_the_chain_valid(number: float) -> None:
    """PostgreSQL's jsonb rewrites some numbers (1e20 → 100000000000000000000); the hash must hold."""
    event = audit.record(
        actor=None, action="test.number", object_type="t", object_id=1, after={"x": number}
    )
    assert AuditEvent.objects.get(pk=event.pk).after == {"x": number}
    assert audit.verify_chain() is None


def test_record_with_object_and_actor(org: dict[str, Any]) -> None:
    employee = org["agent_a1"]
    event = audit.record(actor=org["hr"].user, action="test.touch", obj=employee)
    assert event.object_type == "org.employee"
    assert event.object_id == str(employee.pk)
    assert event.actor_id == org["hr"].user.pk
    assert event.actor_label == "赵人事"
    assert list(AuditEvent.objects.for_object("org.employee", employee.pk)) == [event]


def test_snapshot_keeps_foreign_keys_as_ids(org: dict[str, Any]) -> None:
    from kefu.org.models import Employee

    employee = Employee.objects.get(pk=org["agent_a1"].pk)
    data = audit.snapshot(employee, ["name", "department", "hire_date", "monthly_bonus"])
    assert data == {
        "name": "客服甲一",
        "department": org["cs"].pk,
        "hire_date": "2024-01-02",
        "monthly_bonus": "1000.00",
    }


def test_time_never_runs_backwards_when_the_clock_steps_back() -> None:
    """A wall clock stepped back (NTP) must not make the next event look inserted."""
    first = audit.record(actor=None, action="test.a", object_type="t", object_id=1)
    earlier = first.at - dt.timedelta(seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=earlier):
        second = audit.record(actor=None, action="test.b", object_type="t", object_id=2)
    assert second.at >= first.at
    assert audit.verify_chain() is None


# --- request context ------------------------------------------------------------------------
def _create_token_via_api(client: Any, **extra: Any) -> Any:
    return client.post("/api/v1/tokens", {"name": "脚本"}, content_type="application/json", **extra)


def test_ip_and_request_id_come_from_the_request(client_for: Any, agent: Any) -> None:
    response = _create_token_via_api(
        client_for(agent), REMOTE_ADDR="203.0.113.7", HTTP_X_REQUEST_ID="req-abc.123"
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-abc.123"
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.ip == "203.0.113.7"
    assert event.request_id == "req-abc.123"
    assert event.actor_id == agent.pk
    assert event.after == {"name": "脚本", "prefix": response.json()["prefix"]}
    assert audit.verify_chain() is None


def test_request_id_is_generated_when_missing_or_malformed(client_for: Any, agent: Any) -> None:
    client = client_for(agent)
    response = _create_token_via_api(client, HTTP_X_REQUEST_ID="bad id; drop table")
    assert response.status_code == 201
    generated = response["X-Request-ID"]
    assert generated != "bad id; drop table"
    assert len(generated) == 32
    assert AuditEvent.objects.get(action="api_token.create").request_id == generated


def test_ipv6_client_address_keeps_the_chain_valid(client_for: Any, agent: Any) -> None:
    # Django normalises IPv6 on storage; the hash must be computed over the stored form.
    response = _create_token_via_api(client_for(agent), REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.ip == "2001:db8::1"
    assert audit.verify_chain() is None


@override_settings(KEFU_TRUST_X_FORWARDED_FOR=True)
def test_forwarded_for_is_used_when_the_proxy_is_trusted(client_for: Any, agent: Any) -> None:
    response = _create_token_via_api(
        client_for(agent),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 127.0.0.1",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="api_token.create").ip == "198.51.100.9"


@override_settings(KEFU_TRUST_X_FORWARDED_FOR=True)
def test_garbage_forwarded_for_does_not_break_audited_writes(client_for: Any, agent: Any) -> None:
    # A proxy may send "unknown"; PostgreSQL's inet column would refuse it and fail the write.
    response = _create_token_via_api(
        client_for(agent), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="unknown"
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.ip is None
    assert audit.verify_chain() is None


def test_forwarded_for_is_ignored_by_default(client_for: Any, agent: Any) -> None:
    response = _create_token_via_api(
        client_for(agent), REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="api_token.create").ip == "203.0.113.8"


# --- tamper detection -----------------------------------------------------------------------
def test_edited_row_is_detected() -> None:
    events = _events(5)
    target = events[2]
    with tamperable() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET reason = %s WHERE seq = %s", ["改过", target.seq]
        )
    broken = audit.verify_chain()
    assert broken is not None and "篡改" in broken.problem
    _assert_detected(target.seq)


def test_edited_json_payload_is_detected() -> None:
    events = _events(3)
    target = events[1]
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with tamperable() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET after = {json_param} WHERE seq = %s",
            [json.dumps({"n": 999}), target.seq],
        )
    _assert_detected(target.seq)


def test_deleted_row_is_detected() -> None:
    events = _events(5)
    target = events[2]
    with tamperable() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [target.seq])
    _assert_detected(target.seq)


def test_deleted_first_row_is_detected() -> None:
    with tamperable() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 1")
    _assert_detected(1)


def test_row_inserted_with_backdated_time_is_detected() -> None:
    """A forged event appended with a valid hash but dated before its predecessor."""
    events = _events(3)
    last = events[-1]
    with tamperable() as cursor:
        _raw_insert(
            cursor,
            seq=last.seq + 1,
            at=last.at - dt.timedelta(hours=1),
            prev_hash=last.hash,
            action="forged.backdated",
        )
    broken = audit.verify_chain()
    assert broken is not None and "时间" in broken.problem
    _assert_detected(last.seq + 1)


def test_row_inserted_in_the_middle_is_detected() -> None:
    """Later rows renumbered to make room, a forged row chained onto its predecessor."""
    events = _events(5)
    anchor = events[1]
    with tamperable() as cursor:
        # Two steps so the unique index on seq never sees a duplicate mid-statement.
        cursor.execute(
            "UPDATE core_auditevent SET seq = seq + 1000000 WHERE seq > %s", [anchor.seq]
        )
        cursor.execute("UPDATE core_auditevent SET seq = seq - 999999 WHERE seq > 1000000", [])
        _raw_insert(
            cursor,
            seq=anchor.seq + 1,
            at=anchor.at + dt.timedelta(microseconds=1),
            prev_hash=anchor.hash,
            action="forged.middle",
        )
    # The forged row itself chains correctly; the first bad one is the row after it.
    _assert_detected(anchor.seq + 2)


def test_row_inserted_past_the_end_with_a_gap_is_detected() -> None:
    events = _events(2)
    last = events[-1]
    with tamperable() as cursor:
        _raw_insert(
            cursor,
            seq=last.seq + 5,
            at=last.at + dt.timedelta(seconds=1),
            prev_hash=last.hash,
            action="forged.gap",
        )
    _assert_detected(last.seq + 1)


def test_row_inserted_before_the_first_is_detected() -> None:
    first = AuditEvent.objects.get(seq=1)
    with tamperable() as cursor:
        _raw_insert(
            cursor,
            seq=0,
            at=first.at - dt.timedelta(seconds=1),
            prev_hash=audit.GENESIS_HASH,
            action="forged.zero",
        )
    _assert_detected(0)


def test_verify_events_on_a_hand_built_list() -> None:
    events = list(AuditEvent.objects.order_by("seq"))
    assert audit.verify_events(events) is None
    assert audit.verify_events([]) is None
    swapped = [*events[:1], events[2], events[1], *events[3:]]
    broken = audit.verify_events(swapped)
    assert broken is not None
    assert broken.seq == 2


# --- append-only ----------------------------------------------------------------------------
def test_model_refuses_to_save_an_existing_event() -> None:
    event = _events(1)[0]
    event.reason = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_model_refuses_to_delete_an_event() -> None:
    event = _events(1)[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_refuses_bulk_update_and_delete() -> None:
    _events(2)
    count = AuditEvent.objects.count()
    reasons = dict(AuditEvent.objects.values_list("seq", "reason"))
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action="test.event").update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action="test.event").delete()
    assert AuditEvent.objects.count() == count
    assert dict(AuditEvent.objects.values_list("seq", "reason")) == reasons
    assert not AuditEvent.objects.filter(reason="x").exists()
    assert audit.verify_chain() is None


@on_postgres
def test_trigger_refuses_raw_update() -> None:
    event = _events(1)[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE seq = %s", [event.seq])
    # The savepoint rolled back; the test transaction is usable and the row untouched.
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
    assert audit.verify_chain() is None


@on_postgres
def test_trigger_refuses_raw_delete() -> None:
    event = _events(1)[0]
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.count() == count
    assert audit.verify_chain() is None


@on_postgres
def test_trigger_is_back_after_tampering() -> None:
    _events(1)
    with tamperable() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE seq = 1")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 1")


def test_admin_offers_no_add_change_or_delete(admin_client: Any) -> None:
    event = _events(1)[0]
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    response = admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"reason": "改写"})
    assert response.status_code == 403
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
    assert timezone.is_aware(event.at)
