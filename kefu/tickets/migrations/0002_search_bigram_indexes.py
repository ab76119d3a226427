# Keyword search indexes for PostgreSQL — 工单关键字检索索引 (see kefu/tickets/keyword_search.py).
#
# Agents search requests with two-character Chinese words (漏水, 退货, 催件). Django's icontains
# is UPPER(col) LIKE UPPER('%…%'), which no B-tree can serve, and pg_trgm cannot either: a
# two-character pattern yields no trigram, so its GIN index is read in full (EXPLAIN evidence in
# docs/performance.md). These GIN indexes hold every two-character window (bigram) of the
# upper-cased text instead; the selector asks for rows containing a bigram of the keyword (for a
# two-character keyword that is exact) and keeps the exact icontains test for longer ones, so
# the answer is the same as before, found through the index. A last-four-digits index serves
# 尾号 searches on the contact phone.
#
# COST 500: one call on a request's text takes about 12 µs, some 500 times a simple operator.
# With the default (100) the planner thought it cheap to evaluate row by row while walking the
# received_at index, and chose that plan for a search: 200 ms instead of 25 ms. PARALLEL
# RESTRICTED (it is safe, but): with parallel workers PostgreSQL walked that index in three
# processes, each evaluating it on thousands of rows; on two cores that was 130 ms where the
# serial plans take 10–35 ms. Index builds are not affected (GIN builds are not parallel).
#
# PostgreSQL only: on SQLite (development, tests) the selector keeps plain icontains and this
# migration does nothing.

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION kefu_bigrams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED COST 500 AS $$
-- Every two-character window of t, in order (duplicates are harmless: GIN keeps each key once).
DECLARE
  r text[] := '{}';
  n int := length(t) - 1;
BEGIN
  FOR i IN 1 .. n LOOP
    r[i] := substr(t, i, 2);
  END LOOP;
  RETURN r;
END
$$;
"""

INDEXES = (
    (
        "ticket_text_bigrams_idx",
        "tickets_ticket",
        "USING gin (kefu_bigrams(upper(title::text) || ' ' || upper(description::text)))",
    ),
    ("ticket_contact_last4_idx", "tickets_ticket", "(right(contact_phone::text, 4))"),
    (
        "customer_name_bigrams_idx",
        "customers_customer",
        "USING gin (kefu_bigrams(upper(name::text)))",
    ),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS kefu_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
