"""On PostgreSQL, append an audit event in one round trip: lock, head, hash and insert (SEC-3).

``audit.record`` used two statements per audited write on PostgreSQL: the chain's lock and head
(``kefu_audit_chain_head``, migration 0008), then the INSERT of an event hashed in Python.
``kefu_audit_append`` does all of it in the database, in the same order and under the same
lock: the advisory lock, the head read with a snapshot taken after the lock was granted
(VOLATILE plpgsql, each statement its own snapshot under READ COMMITTED), the new ``seq`` and
``at`` (never earlier than the head's), the canonical content completed from Python's template,
its SHA-256 chained to the head's hash, and the row.

Python builds the canonical content (``audit.canonical_content``: sorted keys, no whitespace)
with two placeholders — the ``seq`` value as a JSON string and the ``at`` text — which only the
head decides; the function puts the number and ``to_char(at, …)`` (the format Python's
``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` writes) in their place. ``before`` and ``after`` are
stored from that same text (JSON ``null`` stored as SQL NULL, as Django stores ``None``), so
what is hashed is what is stored. ``audit_verify`` recomputes the hashes in Python: a test holds
the two computations to the same bytes.

``COLUMNS`` is the list of ``core_auditevent`` columns the function writes: a test holds it to
the model's fields, so a column added to ``AuditEvent`` later cannot be left out unnoticed. The
function of migration 0008 stays: ``audit.record`` falls back to it (and to Python hashing) when
a template cannot take the placeholders (user text containing one, in theory).
"""

from django.db import migrations

COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "ip",
    "request_id",
    "reason",
    "prev_hash",
    "hash",
)

CREATE = f"""
CREATE OR REPLACE FUNCTION kefu_audit_append(
    p_lock bigint,
    p_at timestamptz,
    p_template text,
    p_seq_token text,
    p_at_token text,
    p_actor_id integer,
    p_actor_label text,
    p_action text,
    p_object_type text,
    p_object_id text,
    p_ip text,
    p_request_id text,
    p_reason text
)
RETURNS TABLE (
    event_id bigint,
    event_seq bigint,
    event_at timestamptz,
    event_prev_hash text,
    event_hash text
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head record;
    v_seq bigint := 1;
    v_prev text := repeat('0', 64);
    v_at timestamptz := p_at;
    v_content text;
    v_doc jsonb;
    v_hash text;
    v_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    SELECT e.seq, e.hash, e.at INTO head FROM core_auditevent e ORDER BY e.seq DESC LIMIT 1;
    IF FOUND THEN
        v_seq := head.seq + 1;
        v_prev := head.hash;
        v_at := greatest(p_at, head.at);
    END IF;
    v_content := replace(
        replace(p_template, '"' || p_seq_token || '"', v_seq::text),
        p_at_token,
        to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    );
    v_doc := v_content::jsonb;
    v_hash := encode(sha256(convert_to(v_prev || v_content, 'UTF8')), 'hex');
    INSERT INTO core_auditevent ({", ".join(COLUMNS)})
    VALUES (
        v_seq, v_at, p_actor_id, p_actor_label, p_action, p_object_type, p_object_id,
        nullif(v_doc -> 'before', 'null'::jsonb), nullif(v_doc -> 'after', 'null'::jsonb),
        p_ip::inet, p_request_id, p_reason, v_prev, v_hash
    )
    RETURNING core_auditevent.id INTO v_id;
    RETURN QUERY SELECT v_id, v_seq, v_at, v_prev, v_hash;
END;
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS kefu_audit_append("
    "bigint, timestamptz, text, text, text, integer, text, text, text, text, text, text, text);"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_chain_head_function")]

    operations = [migrations.RunPython(forwards, backwards)]
