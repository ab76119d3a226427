"""The audit append in one round trip on PostgreSQL (migration core/0009, SEC-3): the database
completes and hashes the content exactly as Python would, stores what it hashed, and falls back
to the two-statement path when a template cannot take its placeholders."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.core import audit
from kefu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="kefu_audit_append is PostgreSQL's"
)

append_migration = importlib.import_module("kefu.core.migrations.0009_audit_append_function")


def _stored(event: AuditEvent) -> dict[str, Any]:
    row = AuditEvent.objects.get(pk=event.pk)
    return {f.attname: getattr(row, f.attname) for f in AuditEvent._meta.concrete_fields}


def _returned(event: AuditEvent) -> dict[str, Any]:
    return {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields}


def test_the_function_writes_every_column_of_the_model() -> None:
    """A field added to AuditEvent must be added to kefu_audit_append too: a new migration that
    replaces the function, whose column list this test then reads instead of 0009's."""
    columns = {f.column for f in AuditEvent._meta.concrete_fields} - {"id"}
    assert set(append_migration.COLUMNS) == columns
    assert len(append_migration.COLUMNS) == len(columns)


@on_postgres
def test_one_statement_per_append(django_assert_num_queries: Any) -> None:
    audit.record(actor=None, action="test.warm", object_type="t", object_id=0)
    with django_assert_num_queries(1) as captured:
        audit.record(actor=None, action="test.one", object_type="t", object_id=1)
    assert "kefu_audit_append" in captured.captured_queries[0]["sql"]


def test_the_returned_event_is_the_stored_row(org: dict[str, Any]) -> None:
    first = audit.record(actor=None, action="test.first", object_type="t", object_id=1)
    event = audit.record(
        actor=org["hr"].user,
        action="test.fields",
        obj=org["agent_a1"],
        before=None,
        after={"名称": "甲", "n": 3, "nested": {"k": None, "l": [1, "二"]}},
        reason="原因",
    )
    assert event.seq == first.seq + 1
    assert event.prev_hash == first.hash
    assert event.actor_label == "赵人事"
    assert not event._state.adding
    assert _returned(event) == _stored(event)
    assert _stored(event)["before"] is None  # SQL NULL, as Django stores None
    assert AuditEvent.objects.filter(pk=event.pk, before__isnull=True).exists()
    assert audit.event_hash(AuditEvent.objects.get(pk=event.pk)) == event.hash
    assert audit.verify_chain() is None


@pytest.mark.parametrize("where", ["reason", "after"])
@pytest.mark.parametrize("token", ["seq", "at"])
def test_text_holding_a_placeholder_takes_the_two_statement_path(where: str, token: str) -> None:
    text = audit._SEQ_TOKEN if token == "seq" else audit._AT_TOKEN
    quoted = f'"{text}"'
    kwargs: dict[str, Any] = (
        {"reason": quoted} if where == "reason" else {"after": {"note": quoted, text: 1}}
    )
    event = audit.record(actor=None, action="test.token", object_type="t", object_id=1, **kwargs)
    stored = AuditEvent.objects.get(pk=event.pk)
    if where == "reason":
        assert stored.reason == quoted
    else:
        assert stored.after == {"note": quoted, text: 1}
    assert audit.verify_chain() is None


@on_postgres
def test_a_clock_stepped_back_takes_the_head_time_in_the_database() -> None:
    first = audit.record(actor=None, action="test.a", object_type="t", object_id=1)
    earlier = first.at - dt.timedelta(seconds=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: earlier)
        second = audit.record(actor=None, action="test.b", object_type="t", object_id=2)
    assert second.at == first.at
    assert _returned(second) == _stored(second)
    assert audit.verify_chain() is None


# Text a snapshot may hold: every character class json escapes (quotes, backslashes, control
# characters), CJK, astral-plane characters, and the "null"/number spellings jsonb rewrites.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
_leaf = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | _text
_json = st.recursive(
    _leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)


@on_postgres
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=_json, after=_json, reason=_text, object_id=_text)
def test_the_database_hashes_what_python_would(
    before: Any, after: Any, reason: str, object_id: str
) -> None:
    event = audit.record(
        actor=None,
        action="test.hypothesis",
        object_type="t",
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert audit.event_hash(stored) == stored.hash == event.hash
    assert stored.before == audit.to_jsonable(before)
    assert stored.after == audit.to_jsonable(after)
    assert (stored.reason, stored.object_id) == (reason, object_id)
