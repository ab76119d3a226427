"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database itself (SEC-3).

The model refuses them on every database; the trigger also stops raw SQL and other clients.
TRUNCATE is left to the table owner (test-database flushes use it); in production the application
connects as a role that does not own the table (docs/deployment.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kefu_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only (审计记录不可修改或删除)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS kefu_audit_append_only ON core_auditevent;
CREATE TRIGGER kefu_audit_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION kefu_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS kefu_audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS kefu_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
