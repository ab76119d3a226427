"""数据范围 read two ways — ``ticket_scope_terms`` as the lists' filter and as the detail page's
check (``ticket_in_scope``) — and the detail page's one-statement read (``page_query``).

The page no longer asks the database "is this request in my scope": it reads the request and
checks the same terms in Python. These tests hold the two readings to one answer for every
person of the sample company against requests whose scope columns are shuffled through every
combination that matters, and the read to the ORM's ``select_related`` row.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kefu.org.models import Employee
from kefu.tickets.choices import Status
from kefu.tickets.models import Ticket
from kefu.tickets.page_query import ticket_page_row
from kefu.tickets.selectors import (
    ticket_in_scope,
    ticket_page_for_user,
    ticket_scope_terms,
    tickets_for_user,
)
from kefu.tickets.services import ticket_attach
from kefu.tickets.tests.api_helpers import PNG
from kefu.tickets.tests.factories import make_ticket


class _Row:
    """A request's scope columns, for the pure checks."""

    def __init__(self, **values: Any) -> None:
        base = dict.fromkeys(
            (
                "owner_id",
                "first_responsible_id",
                "pending_owner_id",
                "pending_department_id",
                "department_id",
                "team_id",
            )
        )
        base.update(values)
        self.__dict__.update(base)


def test_in_scope_matches_as_sql_does() -> None:
    assert not ticket_in_scope(None, _Row(owner_id=1))
    assert ticket_in_scope([{}], _Row())  # everything
    assert not ticket_in_scope([], _Row())
    # field=None means "is empty", as the ORM's IS NULL.
    assert ticket_in_scope([{"owner_id": None, "department_id": 3}], _Row(department_id=3))
    assert not ticket_in_scope([{"owner_id": None, "department_id": 3}], _Row(owner_id=5))
    # field__in never matches an empty column, even if None were in the set.
    assert not ticket_in_scope([{"department_id__in": {None, 3}}], _Row())
    assert ticket_in_scope([{"department_id__in": {2, 3}}], _Row(department_id=3))
    # Terms are OR'd, a term's fields AND'd.
    terms = [{"owner_id": 9}, {"team_id": 4, "department_id": 3}]
    assert ticket_in_scope(terms, _Row(team_id=4, department_id=3))
    assert not ticket_in_scope(terms, _Row(team_id=4, department_id=2))
    assert ticket_in_scope(terms, _Row(owner_id=9))


@pytest.mark.django_db
def test_page_check_and_list_filter_agree_for_everyone(org: dict[str, Any]) -> None:
    people = sorted(k for k, v in org.items() if isinstance(v, Employee))
    assert len(people) >= 13  # every role of the sample company
    employees = [org[p] for p in people]
    departments = [org[d] for d in ("hq", "cs", "cs_sub", "hr_dept", "it")]
    teams = [org["team_a"], org["team_b"]]
    rng = random.Random(20261124)
    base = [make_ticket(org["agent_a1"]), make_ticket(org["agent_b1"], unassigned=True)]
    tickets = [*base, *(make_ticket(org["agent_a2"]) for _ in range(40))]
    for ticket in tickets[2:]:
        # Test set-up only: shuffle the scope columns through the people, places and blanks.
        owner = rng.choice([*employees, None, None])
        # The table's check constraints: no owner only while 新建; a transfer target only on a
        # 已转交 request (which has an owner), and then exactly one.
        target = rng.choice(["person", "department", None]) if owner else None
        Ticket.objects.filter(pk=ticket.pk).update(
            owner=owner,
            first_responsible=rng.choice(employees),
            pending_owner=rng.choice(employees) if target == "person" else None,
            pending_department=rng.choice(departments) if target == "department" else None,
            department=rng.choice(departments),
            team=rng.choice([*teams, None]),
            status=Status.TRANSFERRED if target else Status.IN_PROGRESS if owner else Status.NEW,
        )
    stored = list(Ticket.objects.all())
    for user in [*(e.user for e in employees), AnonymousUser()]:
        listed = set(tickets_for_user(user).values_list("pk", flat=True))
        terms = ticket_scope_terms(user)
        checked = {t.pk for t in stored if ticket_in_scope(terms, t)}
        assert listed == checked, user
        for ticket in stored:
            if ticket.pk in listed:
                assert ticket_page_for_user(user, ticket.pk).pk == ticket.pk
            else:
                with pytest.raises(Ticket.DoesNotExist):
                    ticket_page_for_user(user, ticket.pk)
    # The sample reaches both answers for the people with a limited scope.
    agent = org["agent_a1"].user
    assert 0 < len(set(tickets_for_user(agent).values_list("pk", flat=True))) < len(stored)


@pytest.mark.django_db
def test_page_row_is_the_orm_row(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    plain = make_ticket(agent)
    rich = make_ticket(agent, unassigned=True, tags=["加急"])
    ticket_attach(actor=agent.user, ticket=rich, name="照片.png", content=PNG)
    related = ("customer", "owner", "first_responsible", "team")
    for ticket, files, tags in ((plain, False, False), (rich, True, True)):
        read = ticket_page_row(ticket.pk)
        orm = Ticket.objects.select_related(*related).get(pk=ticket.pk)
        assert read is not None
        fields = Ticket._meta.concrete_fields
        assert [getattr(read, f.attname) for f in fields] == [
            getattr(orm, f.attname) for f in fields
        ]
        for name in related:
            # Already there (no query), and the same row as the ORM's.
            assert Ticket._meta.get_field(name).is_cached(read)
            mine, theirs = getattr(read, name), getattr(orm, name)
            if theirs is None:
                assert mine is None
                continue
            assert [getattr(mine, f.attname) for f in type(theirs)._meta.concrete_fields] == [
                getattr(theirs, f.attname) for f in type(theirs)._meta.concrete_fields
            ]
        assert read.has_attachments is files and read.has_tags is tags
        assert read.received_by_name == agent.name
        assert read.received_by_username == agent.user.username
        assert read._state.db == "default" and not read._state.adding
    assert rich.owner_id is None and ticket_page_row(rich.pk).owner is None


@pytest.mark.django_db
def test_missing_and_impossible_keys_are_not_found(org: dict[str, Any], client_for: Any) -> None:
    assert ticket_page_row(987654) is None
    assert ticket_page_row(2**70) is None  # no column holds it: "no such request", not an error
    client = client_for(org["supervisor"].user)
    assert client.get(f"/tickets/{2**70}/").status_code == 404
    assert client.get("/tickets/987654/").status_code == 404


@pytest.mark.django_db
def test_note_field_blank_from_cache_and_refused_with_its_error(
    org: dict[str, Any], client_for: Any
) -> None:
    """The empty 内部备注 field is the same on every page (kept per process); a refused note comes
    back with its error beside the field, not the cached blank."""
    agent = org["agent_a1"]
    ticket = make_ticket(agent)
    client = client_for(agent.user)
    first = client.get(f"/tickets/{ticket.pk}/").content.decode()
    again = client.get(f"/tickets/{ticket.pk}/").content.decode()
    field = 'name="body"'
    assert field in first and field in again
    refused = client.post(f"/tickets/{ticket.pk}/notes/", {"body": ""})
    body = refused.content.decode()
    assert refused.status_code == 422
    assert 'class="field has-error"' in body and field in body
