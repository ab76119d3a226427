"""工单页的关联入口 — providers named by the rows that point at a request are asked only when
such a row exists, all probed by one statement (``kefu.tickets.links``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.tickets import links
from kefu.tickets.links import register_ticket_links, ticket_links
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(links._PROVIDERS)
    yield
    links._PROVIDERS.clear()
    links._PROVIDERS.update(saved)
    links._probe_sql.cache_clear()


def test_linked_provider_runs_only_for_a_request_something_points_at(
    org: dict[str, Any], registry: None
) -> None:
    from kefu.tickets.services import ticket_attach
    from kefu.tickets.tests.api_helpers import PNG

    calls: list[int] = []

    def attached(ticket: Any, user: Any) -> list[tuple[str, str]]:
        calls.append(ticket.pk)
        return [("附件", f"/files/{ticket.pk}/")]

    links._PROVIDERS.clear()
    register_ticket_links("files", attached, linked_by=("tickets.TicketAttachment.ticket",))
    register_ticket_links("always", lambda t, u: [("总有", "/x/")])
    agent = org["agent_a1"]
    bare, with_file = make_ticket(agent), make_ticket(agent)
    ticket_attach(actor=agent.user, ticket=with_file, name="照片.png", content=PNG)
    with CaptureQueriesContext(connection) as ctx:
        assert ticket_links(bare, agent.user) == [("总有", "/x/")]
    assert len(ctx.captured_queries) == 1 and "EXISTS" in ctx.captured_queries[0]["sql"]
    assert calls == []
    assert ticket_links(with_file, agent.user) == [
        ("附件", f"/files/{with_file.pk}/"),
        ("总有", "/x/"),
    ]
    assert calls == [with_file.pk]


def test_a_name_that_is_not_a_key_to_tickets_fails_at_registration(registry: None) -> None:
    with pytest.raises(ValueError):
        register_ticket_links("bad", lambda t, u: [], linked_by=("tickets.Ticket.customer",))
    with pytest.raises(LookupError):
        register_ticket_links("bad", lambda t, u: [], linked_by=("tickets.Nothing.ticket",))
    assert "bad" not in links._PROVIDERS


def test_the_modules_name_their_links(registry: None) -> None:
    linked_by = {key: names for key, (_p, names) in links._PROVIDERS.items()}
    assert linked_by["duty"] == ("duty.HandoverTicket.ticket",)
    assert linked_by["surveys"] == ("surveys.Invitation.ticket",)
    assert linked_by["returns"] == ("returns.ReturnCase.ticket",)
    assert set(linked_by["visits"]) == {
        "visits.VisitTask.ticket",
        "visits.VisitTask.follow_up_ticket",
    }
    # Those that offer a link with nothing pointing at the request yet are always asked.
    assert linked_by["returns_register"] == linked_by["complaints"] == linked_by["aftersales"] == ()
    keys = list(links._PROVIDERS)
    assert keys.index("returns") + 1 == keys.index("returns_register")  # cases, then 登记退换货
