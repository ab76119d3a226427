"""On PostgreSQL, take the audit chain's lock and read its head in one round trip (SEC-3).

``audit.record`` serialises appends with an advisory lock and then reads the newest event, whose
hash the new one continues. As two statements that is two round trips on every audited write.
``kefu_audit_chain_head(key)`` does both: it is VOLATILE plpgsql, so under READ COMMITTED its
``RETURN QUERY`` takes a snapshot of its own *after* the lock was granted and sees every event
committed while it waited — the same guarantee as two statements (a single SQL statement would
not do: its snapshot is taken before the lock is waited for). ``SETOF core_auditevent`` follows
the table's columns. SQLite keeps its single writer and the plain read.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kefu_audit_chain_head(lock_key bigint)
RETURNS SETOF core_auditevent
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT * FROM core_auditevent ORDER BY seq DESC LIMIT 1;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS kefu_audit_chain_head(bigint);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_alter_backgroundjob_kind")]

    operations = [migrations.RunPython(forwards, backwards)]
