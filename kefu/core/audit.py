"""Audit trail — 审计追踪 (SEC-3): append-only, hash-chained events written by every service.

``record`` is called inside the service's transaction, so an audit event exists exactly when the
change it describes was committed. Appends are serialised (advisory lock on PostgreSQL, SQLite's
single writer elsewhere) because each event's hash depends on its predecessor's. On PostgreSQL an
append is one statement (``kefu_audit_append``, migration core/0009): the lock, the head, the
hash of the content Python built and the row, all in the database (``_append_in_database``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import context, rowsql
from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Arbitrary constant: the key of the PostgreSQL advisory lock that serialises appends.
_AUDIT_LOCK_KEY = 0x4B454655


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _whole_floats_as_ints(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e20 back as 100000000000000000000 and -0.0 as 0, which would no
    # longer hash the same; JSON makes no difference between 2.0 and 2, so store whole numbers as
    # integers on every backend.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    return value


def to_jsonable(value: Any) -> Any:
    """Normalise a snapshot (dates, Decimals, model instances) to plain JSON types."""
    plain = _plain(value)
    if plain is not _UNSURE:
        return plain
    plain = json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))
    return _whole_floats_as_ints(plain)


_UNSURE = object()


def _plain(value: Any) -> Any:
    """What the JSON round trip of ``to_jsonable`` gives for the values snapshots are made of
    (strings, integers, booleans, None, dates, Decimals, model instances, lists and dicts of
    them), built directly — two audited snapshots per write went through ``json`` twice each.
    ``_UNSURE`` for anything else (floats, dict keys that are not strings, unknown types): those
    take the round trip itself. A test holds the two to the same result."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        return str.__str__(value)  # the characters json writes for a str subclass (enums)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                return _UNSURE
            plain = _plain(item)
            if plain is _UNSURE:
                return _UNSURE
            out[str.__str__(key)] = plain
        return out
    if isinstance(value, list | tuple):
        items = [_plain(item) for item in value]
        return _UNSURE if any(item is _UNSURE for item in items) else items
    if isinstance(value, float):
        return _UNSURE
    if isinstance(value, dt.datetime | dt.date | dt.time | Decimal | Model):
        return _plain(_json_default(value))
    return _UNSURE


def canonical_content(*, seq: int, at: dt.datetime, **fields: Any) -> str:
    """The exact text that is hashed: sorted keys, no whitespace, UTC time to the microsecond.
    ``fields``: the event's other hashed fields, named as ``_content_text`` names them."""
    return _content_text(
        seq=seq, at=at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **fields
    )


def _content_text(
    *,
    seq: int | str,
    at: str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    ip: str | None,
    request_id: str,
    reason: str,
) -> str:
    """``canonical_content`` with the time already written out (or a placeholder for it)."""
    payload = {
        "seq": seq,
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "ip": ip,
        "request_id": request_id,
        "reason": reason,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """Recompute an event's hash from its stored fields."""
    content = canonical_content(
        seq=event.seq,
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before,
        after=event.after,
        ip=event.ip,
        request_id=event.request_id,
        reason=event.reason,
    )
    return chain_hash(event.prev_hash, content)


def _lock_chain_and_read_head() -> AuditEvent | None:
    """Take the chain's append lock (until the transaction ends) and read its head — the newest
    event's seq, hash and time — with SQL built once. On PostgreSQL one round trip: the lock and
    the read are the function of migration core/0008, whose read sees every event committed
    while it waited for the lock. On SQLite the transaction already holds the only write lock."""
    sql, params, head = _head_query(connection.vendor)
    with rowsql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else head.instance(row, 0)


@cache
def _head_query(vendor: str) -> tuple[str, list[Any], rowsql.Columns]:
    head = rowsql.columns(AuditEvent, "a", ("seq", "hash", "at"))
    q = connection.ops.quote_name
    if vendor == "postgresql":
        return f"SELECT {head.sql} FROM kefu_audit_chain_head(%s) {q('a')}", [_AUDIT_LOCK_KEY], head
    table = q(AuditEvent._meta.db_table)
    sql = f"SELECT {head.sql} FROM {table} {q('a')} ORDER BY {q('a')}.{q('seq')} DESC LIMIT 1"
    return sql, [], head


# No savepoint when nested (every service calls this inside its own transaction): an event that
# cannot be written must fail the change it records, never be rolled back alone, and the
# SAVEPOINT/RELEASE pair cost two round trips on every audited write.
@transaction.atomic(savepoint=False)
def record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user (or None for the system)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    ctx = context.current()
    # Hash the address in the form it is stored in (Django rewrites IPv6 to its compressed form),
    # otherwise the event would fail verification as soon as it is read back.
    ip = AuditEvent._meta.get_field("ip").get_prep_value(ctx.ip) or None
    actor_id = getattr(actor, "pk", None)
    actor_label = ""
    if actor is not None:
        # The employee record employee_of() already loaded for this request, else one read.
        employee = getattr(actor, "_kefu_employee", False) if actor_id else None
        if employee is False:
            employee = getattr(actor, "employee", None)
        actor_label = (employee.name if employee else "") or getattr(actor, "username", "")
    # The hashed fields but seq and at (the chain's head decides them), named as
    # canonical_content and the model name them: hashed and stored from the same values.
    fields = {
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": to_jsonable(before),
        "after": to_jsonable(after),
        "ip": ip,
        "request_id": ctx.request_id,
        "reason": reason,
    }
    # Every supported backend keeps microseconds, so the hash recomputes identically later.
    at = timezone.now()
    label = actor_label[:150]
    if connection.vendor == "postgresql":
        template = _content_text(seq=_SEQ_TOKEN, at=_AT_TOKEN, **fields)
        # Each placeholder exactly once (user text cannot hold one but by guessing a random
        # per-process token; if it ever did, the two-statement path below is taken).
        if template.count(_SEQ_TOKEN) == 1 and template.count(_AT_TOKEN) == 1:
            return _append_in_database(at=at, template=template, actor_label=label, **fields)
    last = _lock_chain_and_read_head()
    seq = (last.seq + 1) if last else 1
    prev_hash = last.hash if last else GENESIS_HASH
    # A wall clock stepped back (NTP) must not make this event look older than its predecessor:
    # verify_events reads time running backwards as an inserted row.
    if last is not None and at < last.at:
        at = last.at
    # rowsql.insert: the row AuditEvent.save() would insert (save only refuses updates), without
    # compiling the INSERT on every audited write.
    return rowsql.insert(
        AuditEvent(
            seq=seq,
            at=at,
            **fields,
            actor_label=label,
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, canonical_content(seq=seq, at=at, **fields)),
        )
    )


# Placeholders of the seq value and the time in a PostgreSQL append's template: random per
# process, so no text a user types can be taken for one (and record() checks they occur once).
_SEQ_TOKEN = f"kefu-seq-{secrets.token_hex(16)}"
_AT_TOKEN = f"kefu-at-{secrets.token_hex(16)}"


def _append_in_database(
    *, at: dt.datetime, template: str, actor_label: str, **fields: Any
) -> AuditEvent:
    """One round trip on PostgreSQL: ``kefu_audit_append`` (migration core/0009) takes the
    chain's lock, reads its head, completes ``template`` with the new seq and time, hashes it
    and inserts the event — the steps of the two-statement path, in the same order, under the
    same lock. Returns the stored event as a read would."""
    with rowsql.cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                _AUDIT_LOCK_KEY,
                at,
                template,
                _SEQ_TOKEN,
                _AT_TOKEN,
                fields["actor_id"],
                actor_label,
                fields["action"],
                fields["object_type"],
                fields["object_id"],
                fields["ip"],
                fields["request_id"],
                fields["reason"],
            ],
        )
        pk, seq, at, prev_hash, hash_ = cursor.fetchone()
    values = {
        **fields,
        "id": pk,
        "seq": seq,
        "at": at,
        "actor_label": actor_label,
        "prev_hash": prev_hash,
        "hash": hash_,
    }
    return AuditEvent.from_db(connection.alias, None, [values[name] for name in _field_order()])


_APPEND_SQL = (
    "SELECT event_id, event_seq, event_at, event_prev_hash, event_hash FROM kefu_audit_append("
    "%s::bigint, %s::timestamptz, %s::text, %s::text, %s::text, %s::integer, %s::text, "
    "%s::text, %s::text, %s::text, %s::text, %s::text, %s::text)"
)


@cache
def _field_order() -> list[str]:
    return [f.attname for f in AuditEvent._meta.concrete_fields]


@dataclass(frozen=True)
class ChainBreak:
    """Where ``verify_chain`` first found the history altered."""

    seq: int
    problem: str


def verify_events(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """Walk events in ``seq`` order; return the first break, or None when the chain holds.

    Detects an edited row (its hash no longer recomputes), a deleted row (a gap in ``seq`` and a
    ``prev_hash`` that no longer matches) and a row inserted out of order (its ``prev_hash``
    does not name the event before it, or time runs backwards).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    prev_at: dt.datetime | None = None
    for event in events:
        if event.seq < expected_seq:
            # Only a row placed before the first (seq 0) can get here: name it, not seq 1.
            return ChainBreak(event.seq, f"序号 {event.seq} 不在链上（记录被插入）")
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"缺少序号 {expected_seq}（记录被删除或插入）")
        if event.prev_hash != prev_hash:
            return ChainBreak(event.seq, "与上一条记录的哈希不衔接（记录被删除或插入）")
        if prev_at is not None and event.at < prev_at:
            return ChainBreak(event.seq, "时间早于上一条记录（记录被插入）")
        if event_hash(event) != event.hash:
            return ChainBreak(event.seq, "内容与哈希不符（记录被篡改）")
        prev_hash = event.hash
        prev_at = event.at
        expected_seq += 1
    return None


def iter_chain(batch: int = 2000) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=batch)


def verify_chain() -> ChainBreak | None:
    return verify_events(iter_chain())


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (foreign keys as ids) for before/after snapshots."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = getattr(obj, field.attname)
    return to_jsonable(data)
