"""The ticket list API's compiled-once path (``apikit.paginate_once`` over
``selectors.tickets_in_scope_of``): the same page as the ORM's for every role and filter, and
the filters that must not be compiled once."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.apikit import paginate, paginate_once
from kefu.core.tokens import api_token_create
from kefu.tickets.api import _compiled_once
from kefu.tickets.api_schemas import ROW_FIELDS
from kefu.tickets.choices import Channel, Kind
from kefu.tickets.selectors import ticket_scope_key, tickets_for_user, tickets_in_scope_of
from kefu.tickets.services import ticket_act
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "in_progress"},
    {"status": "new", "kind": Kind.AFTER_SALES},
    {"open_only": True, "channel": Channel.WEB_FORM},
    {"major_fault": True},
    {"red_flag": True, "priority": "urgent"},
]


def test_pages_are_the_orms_for_every_role(org: dict[str, Any]) -> None:
    a1, a2, b1 = org["agent_a1"], org["agent_a2"], org["agent_b1"]
    for i in range(7):
        flag = {"red_flag": True, "red_flag_note": "只接受上午上门"} if i % 2 == 0 else {}
        make_ticket(a1, kind=Kind.AFTER_SALES, subkind="repair", **flag)
        make_ticket(
            b1, unassigned=True, channel=Channel.WEB_FORM, kind=Kind.AFTER_SALES, subkind="repair"
        )
    moved = make_ticket(a2)
    ticket_act(actor=a2.user, ticket=moved, action="transfer", target=a1.pk, reason="售后")
    compared = 0
    for person in ("agent_a1", "agent_b1", "lead_a", "supervisor", "manager", "gm"):
        user, me = org[person].user, org[person]
        scope = ticket_scope_key(user)
        assert scope is not None
        for filters in [*FILTERS, {"owner_id": a1.pk}, {"team_id": me.team_id or 0}]:
            chosen = tuple(sorted((k, v) for k, v in filters.items() if v))
            for page, size in ((1, 20), (2, 5), (9, 5)):
                expected = paginate(
                    tickets_for_user(user, **filters), page, size, values=ROW_FIELDS
                )
                got = paginate_once(
                    tickets_in_scope_of, (scope, chosen), page, size, values=ROW_FIELDS
                )
                assert got == expected, (person, filters, page, size)
                compared += bool(expected["items"])
    assert compared > 60  # most of the combinations above list something


def _wanted(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(
        (
            "q",
            "status",
            "kind",
            "channel",
            "priority",
            "phone",
            "order_no",
            "tracking_no",
            "service_mode",
        ),
        "",
    )
    base.update(
        open_only=False,
        owner_id=None,
        team_id=None,
        customer_id=None,
        overdue=False,
        major_fault=False,
        red_flag=False,
        received_from=None,
        received_to=None,
    )
    base.update(over)
    return base


def test_typed_values_and_unknown_choices_go_through_the_orm() -> None:
    assert _compiled_once(_wanted())
    assert _compiled_once(_wanted(status="in_progress", kind="after_sales", owner_id=3))
    for typed in ({"q": "漏水"}, {"phone": "5678"}, {"order_no": "D1"}, {"overdue": True}):
        assert not _compiled_once(_wanted(**typed))
    assert not _compiled_once(_wanted(status="no-such-status"))  # leaves no statement behind


def test_the_api_answers_the_same_either_way(org: dict[str, Any]) -> None:
    from django.test import Client

    for _ in range(3):
        make_ticket(org["agent_a1"], kind=Kind.AFTER_SALES, subkind="repair")
    _token, raw = api_token_create(actor=org["supervisor"].user, name="列表")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    compiled = client.get("/api/v1/tickets", {"kind": "after_sales"}).json()
    # The same list through the ORM: a date filter every request passes makes the other path run.
    typed = client.get(
        "/api/v1/tickets", {"kind": "after_sales", "received_from": "2000-01-01T00:00:00+08:00"}
    ).json()
    assert compiled == typed and compiled["count"] == 3
    assert client.get("/api/v1/tickets", {"status": "nonsense"}).json()["count"] == 0
    # Keys nobody has: "nothing" on the compiled path; beyond a key's range: refused, named.
    far = client.get("/api/v1/tickets", {"owner_id": str(2**62), "kind": "after_sales"})
    assert far.status_code == 200 and far.json()["count"] == 0
    huge = client.get("/api/v1/tickets", {"owner_id": str(2**70), "kind": "after_sales"})
    assert huge.status_code == 422 and "owner_id" in huge.json()["fields"]
