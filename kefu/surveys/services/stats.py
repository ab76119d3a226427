"""Statistics summaries — 满意度月汇总: kept with every answer, rebuilt from the answers on demand.

``stats_record`` adds one answer to the two month summaries (``SurveyMonthByAgent``,
``SurveyMonthByProduct``) inside the transaction that stores it: one ``INSERT … ON CONFLICT DO
UPDATE SET n = n + excluded.n`` per summary, so two answers landing on the same row at once both
count (the second waits for the first's row lock and adds to what it wrote) and a rolled-back
answer leaves no trace. Both PostgreSQL and SQLite (≥ 3.24) run the statement as written.

``stats_rebuild`` recomputes both summaries from the answers in one transaction (backfill after a
bulk load, or a check that nothing drifted: ``manage.py surveys_rebuild_stats``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from kefu.core import audit

from ..models import NONE_ID, SurveyMonthByAgent, SurveyMonthByProduct, SurveyResponse
from .common import BUILD, require

RATINGS = (1, 2, 3, 4, 5)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _upsert(model: Any, key: dict[str, Any], counts: dict[str, int]) -> None:
    qn = connection.ops.quote_name
    table = _table(model)
    cols = [*key, *counts]
    conflict = ", ".join(qn(c) for c in key)
    increments = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in counts)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {increments}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key.values(), *counts.values()])


def stats_record(response: SurveyResponse) -> None:
    """Count one stored answer (答卷) in the month summaries — same transaction as the answer.

    Called by the response services (and the demo data); never on its own.
    """
    base = {
        "month": response.month,
        "questionnaire_id": response.questionnaire_id,
        "channel": response.channel,
        "department_id": response.department_id or NONE_ID,
    }
    counts = {"answers": 1, "satisfied": int(bool(response.satisfied))}
    _upsert(
        SurveyMonthByAgent,
        {**base, "agent_id": response.agent_id or NONE_ID},
        counts | {f"r{r}": int(response.overall_rating == r) for r in RATINGS},
    )
    _upsert(SurveyMonthByProduct, {**base, "product_id": response.product_id or NONE_ID}, counts)


def _rebuild_sql(model: Any, column: str, extra: list[str]) -> str:
    qn = connection.ops.quote_name
    src = qn(SurveyResponse._meta.db_table)
    keys = ["month", "questionnaire_id", "channel"]
    key_sql = [qn(k) for k in keys] + [
        f"COALESCE({qn('department_id')}, {NONE_ID})",
        f"COALESCE({qn(column)}, {NONE_ID})",
    ]
    sat = f"SUM(CASE WHEN {qn('satisfied')} THEN 1 ELSE 0 END)"
    ratings = [f"SUM(CASE WHEN {qn('overall_rating')} = {r} THEN 1 ELSE 0 END)" for r in RATINGS]
    values = ["COUNT(*)", sat, *ratings[: len(extra)]]
    target = [*keys, "department_id", column, "answers", "satisfied", *extra]
    return (
        f"INSERT INTO {_table(model)} ({', '.join(qn(c) for c in target)}) "
        f"SELECT {', '.join(key_sql + values)} FROM {src} "
        f"GROUP BY {', '.join(key_sql)}"
    )


@transaction.atomic
def stats_rebuild(*, actor: Any = None) -> dict[str, int]:
    """重建满意度月汇总 from the answers (both summaries emptied and refilled in one transaction).

    ``actor`` None is the command line (``manage.py surveys_rebuild_stats``); a user needs the
    questionnaire builder's right. Returns the rows before and after, for the log and the audit.
    """
    if actor is not None:
        require(actor, BUILD)
    before = {
        "agent_rows": SurveyMonthByAgent.objects.count(),
        "product_rows": SurveyMonthByProduct.objects.count(),
    }
    # Lock the answers against new ones while the summaries are rebuilt, so none is counted twice
    # or missed (PostgreSQL; SQLite's single writer already serialises).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {_table(SurveyResponse)}, {_table(SurveyMonthByAgent)}, "
                f"{_table(SurveyMonthByProduct)} IN SHARE ROW EXCLUSIVE MODE"
            )
    SurveyMonthByAgent.objects.all().delete()
    SurveyMonthByProduct.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(_rebuild_sql(SurveyMonthByAgent, "agent_id", [f"r{r}" for r in RATINGS]))
        cursor.execute(_rebuild_sql(SurveyMonthByProduct, "product_id", []))
    after = {
        "agent_rows": SurveyMonthByAgent.objects.count(),
        "product_rows": SurveyMonthByProduct.objects.count(),
        "answers": SurveyResponse.objects.count(),
    }
    audit.record(
        actor=actor,
        action="survey.stats_rebuild",
        object_type="surveys.statistics",
        object_id="month_summaries",
        before=before,
        after=after,
    )
    return after
