"""编译一次的只读查询 — ``values_once``: the ORM's answer, compiled once per set of arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext

from kefu.core import compiled
from kefu.core.compiled import values_once
from kefu.tickets import selectors
from kefu.tickets.console_rows import CONSOLE_FIELDS, OWNER_FIELD
from kefu.tickets.models import Ticket
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

BUILDS: list[tuple[Any, ...]] = []
COLUMNS = (
    "id",
    "number",
    "red_flag",
    "satisfied",
    "received_at",
    "paused_since",
    "customer__name",
    "due",
)


def _every_kind_of_column(owner_id: int) -> QuerySet[Any]:
    """Text, key, boolean, nullable boolean, datetimes, a join and an annotation."""
    BUILDS.append((owner_id,))
    return (
        Ticket.objects.filter(owner_id=owner_id)
        .annotate(due=F("resolution_due"))
        .values(*COLUMNS)
        .order_by("id")
    )


def _nothing(_key: int) -> QuerySet[Any]:
    return Ticket.objects.filter(pk__in=[]).values("id")


def _not_values(_key: int) -> QuerySet[Any]:
    return Ticket.objects.all()


def test_rows_are_the_orms_and_the_query_is_built_once(org: dict[str, Any]) -> None:
    compiled.clear()
    agent = org["agent_a1"]
    for _ in range(3):
        make_ticket(agent, red_flag=True, red_flag_note="上午")
    BUILDS.clear()
    first = values_once(_every_kind_of_column, agent.pk)
    again = values_once(_every_kind_of_column, agent.pk)
    assert first == again == list(_every_kind_of_column(agent.pk))
    assert len(first) == 3 and isinstance(first[0]["received_at"], dt.datetime)
    assert first[0]["red_flag"] is True and first[0]["satisfied"] is None
    assert first[0]["received_at"].tzinfo is not None  # converted as the ORM converts
    assert [(agent.pk,), (agent.pk,)] == BUILDS  # the cached read, then the comparison above
    other = org["agent_a2"]
    assert values_once(_every_kind_of_column, other.pk) == []
    assert BUILDS[-1] == (other.pk,)  # other arguments: built and compiled for them


def test_an_empty_result_asks_nothing() -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert values_once(_nothing, 1) == []
    assert ctx.captured_queries == []


def test_only_values_querysets() -> None:
    with pytest.raises(TypeError):
        values_once(_not_values, 1)


def test_console_lists_agree_with_the_selectors_for_everyone(org: dict[str, Any]) -> None:
    """The console's three lists read through values_once equal the public selectors' rows."""
    make_ticket(org["agent_a1"])
    make_ticket(org["agent_b1"], unassigned=True)
    make_ticket(org["lead_a"])
    fields = (*CONSOLE_FIELDS, OWNER_FIELD)
    for person in ("agent_a1", "agent_b1", "lead_a", "supervisor", "manager", "hr"):
        user, me = org[person].user, org[person]
        assert values_once(_values_of, selectors.open_tickets_held_by, (me.pk,), fields) == list(
            selectors.my_open_tickets(user).values(*fields)
        )
        assert values_once(
            _values_of, selectors.queue_of, (me.pk, me.department_id), fields
        ) == list(selectors.team_queue(user).values(*fields))
        scope = selectors.ticket_scope_key(user)
        if scope is None:
            continue
        scoped = selectors.tickets_for_user(user, open_only=True)
        if me.team_id:
            scoped = scoped.filter(team_id=me.team_id)
        expected = sorted(scoped.values(*fields), key=lambda r: r["id"])
        got = values_once(_values_of, selectors.open_tickets_in_scope, (scope, me.team_id), fields)
        assert sorted(got, key=lambda r: r["id"]) == expected


def _values_of(build: Any, args: tuple[Any, ...], fields: tuple[str, ...]) -> Any:
    return build(*args).values(*fields)
