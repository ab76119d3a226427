"""Test helpers for tickets: requests are made through the service, as users make them."""

from __future__ import annotations

from typing import Any

from kefu.customers.tests.factories import CustomerFactory
from kefu.tickets.choices import Channel, Kind
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_create


def make_ticket(actor_employee: Any, **overrides: Any) -> Ticket:
    """A new request recorded by ``actor_employee`` (an Employee) through ``ticket_create``."""
    values: dict[str, Any] = {
        "channel": Channel.HOTLINE,
        "kind": Kind.INQUIRY,
        "title": "咨询产品保修期",
        "description": "客户来电询问保修期多久",
    }
    values.update(overrides)
    if "customer" not in values:
        values["customer"] = CustomerFactory()
    return ticket_create(actor=actor_employee.user, **values)
