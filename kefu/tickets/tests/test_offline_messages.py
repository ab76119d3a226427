"""留言优先 (TKT-10): messages left while nobody answered are handled first at the start of every
shift. The decision is pure (``offline_messages``); receipt stores it; the console sorts by it."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.calendar import SHANGHAI
from kefu.tickets import selectors
from kefu.tickets.choices import Channel, Priority
from kefu.tickets.models import Ticket
from kefu.tickets.offline_messages import (
    MESSAGE_CHANNELS,
    is_offline_message,
    within_service_hours,
)
from kefu.tickets.services import ticket_act
from kefu.tickets.tests.factories import make_ticket

HOURS = [["08:30", "24:00"]]  # sla.business_hours of the default policy
SPLIT = [["08:30", "12:00"], ["13:30", "18:00"]]
LIVE_CHANNELS = sorted(set(Channel.values) - MESSAGE_CHANNELS - {Channel.ONLINE_CHAT.value})


def at(hour: int, minute: int = 0, second: int = 0, day: int = 23) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


# --- the decision (pure) ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at(8, 29, 59), False),
        (at(8, 30), True),
        (at(12, 0), True),
        (at(23, 59, 59), True),
        (at(0, 0), False),  # 24:00 is the end: midnight belongs to the next, closed, night
        (at(3, 0), False),
    ],
)
def test_service_hours_window_is_half_open(moment: dt.datetime, inside: bool) -> None:
    assert within_service_hours(moment, HOURS) is inside


def test_split_service_hours_have_a_lunch_break() -> None:
    assert within_service_hours(at(11, 59), SPLIT)
    assert not within_service_hours(at(12, 30), SPLIT)
    assert within_service_hours(at(13, 30), SPLIT)
    assert not within_service_hours(at(18, 0), SPLIT)


def test_an_instant_in_another_zone_is_read_on_the_shanghai_clock() -> None:
    # 20:00 UTC is 04:00 the next morning in Shanghai: outside 08:30–24:00.
    assert not within_service_hours(dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC), HOURS)
    assert within_service_hours(dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC), HOURS)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        within_service_hours(dt.datetime(2026, 11, 23, 3, 0), HOURS)


@pytest.mark.parametrize(
    ("channel", "moment", "message"),
    [
        (Channel.ONLINE_CHAT, at(3, 0), True),
        (Channel.ONLINE_CHAT, at(8, 29), True),
        (Channel.ONLINE_CHAT, at(8, 30), False),
        (Channel.ONLINE_CHAT, at(21, 0), False),
        (Channel.WEB_FORM, at(10, 0), True),
        (Channel.EMAIL, at(10, 0), True),
        (Channel.LETTER, at(10, 0), True),
        (Channel.FAX, at(3, 0), True),
        (Channel.HOTLINE, at(3, 0), False),
        (Channel.VISIT, at(10, 0), False),
    ],
)
def test_which_requests_are_messages(channel: str, moment: dt.datetime, message: bool) -> None:
    assert is_offline_message(channel, moment, HOURS) is message


@given(
    channel=st.sampled_from(Channel.values),
    moment=st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(SHANGHAI),
    ),
)
def test_message_rule_by_channel_kind(channel: str, moment: dt.datetime) -> None:
    decided = is_offline_message(channel, moment, HOURS)
    if channel in MESSAGE_CHANNELS:
        assert decided
    elif channel == Channel.ONLINE_CHAT:
        assert decided is not within_service_hours(moment, HOURS)
    else:
        assert channel in LIVE_CHANNELS and not decided


# --- receipt stores the decision ------------------------------------------------------------------
def _yesterday(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localtime(timezone.now(), SHANGHAI).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_receipt_decides_once_by_channel_and_service_hours(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    night_chat = make_ticket(agent, channel=Channel.ONLINE_CHAT, received_at=_yesterday(2, 15))
    day_chat = make_ticket(agent, channel=Channel.ONLINE_CHAT, received_at=_yesterday(10))
    email = make_ticket(agent, channel=Channel.EMAIL, received_at=_yesterday(10))
    night_call = make_ticket(agent, channel=Channel.HOTLINE, received_at=_yesterday(2, 15))
    stored = dict(Ticket.objects.values_list("pk", "offline_message"))
    assert stored == {night_chat.pk: True, day_chat.pk: False, email.pk: True, night_call.pk: False}


@pytest.mark.django_db
def test_migration_backfills_requests_received_before(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    night_chat = make_ticket(agent, channel=Channel.ONLINE_CHAT, received_at=_yesterday(2, 15))
    day_chat = make_ticket(agent, channel=Channel.ONLINE_CHAT, received_at=_yesterday(10))
    fax = make_ticket(agent, channel=Channel.FAX, received_at=_yesterday(10))
    Ticket.objects.update(offline_message=False)
    migration = importlib.import_module(
        "kefu.tickets.migrations.0003_service_ladder_red_flag_offline_message"
    )
    migration.mark_offline_messages(apps, None)
    stored = dict(Ticket.objects.values_list("pk", "offline_message"))
    assert stored == {night_chat.pk: True, day_chat.pk: False, fax.pk: True}


# --- the console sorts by it ------------------------------------------------------------------------
@pytest.mark.django_db
def test_my_unanswered_messages_come_first_until_answered(org: dict[str, Any]) -> None:
    agent = org["agent_a1"]
    urgent_call = make_ticket(agent, title="紧急来电", priority=Priority.URGENT)
    email = make_ticket(agent, title="邮件留言", channel=Channel.EMAIL)
    assert urgent_call.resolution_due < email.resolution_due  # by deadline the call is first
    assert list(selectors.my_open_tickets(agent.user)) == [email, urgent_call]
    ticket_act(actor=agent.user, ticket=email, action="reply", note="已回复邮件", via="written")
    assert list(selectors.my_open_tickets(agent.user)) == [urgent_call, email]


@pytest.mark.django_db
def test_the_queue_puts_unclaimed_messages_first(org: dict[str, Any]) -> None:
    colleague = org["agent_a2"]
    call = make_ticket(colleague, title="来电待认领", priority=Priority.URGENT, unassigned=True)
    form = make_ticket(colleague, title="网站表单", channel=Channel.WEB_FORM, unassigned=True)
    queue = list(selectors.team_queue(org["agent_a1"].user))
    assert queue == [form, call]


@pytest.mark.django_db
def test_console_shows_messages_first_tagged(org: dict[str, Any], client_for: Any) -> None:
    agent = org["agent_a1"]
    call = make_ticket(agent, title="紧急来电", priority=Priority.URGENT)
    chat = make_ticket(
        agent, title="夜间旺旺留言", channel=Channel.ONLINE_CHAT, received_at=_yesterday(3)
    )
    response = client_for(agent.user).get("/workbench/")
    assert response.status_code == 200
    body = response.content.decode()
    mine = body[body.index('id="my-tickets"') : body.index('id="team-queue"')]
    assert mine.index(chat.number) < mine.index(call.number)
    chat_row = mine[mine.index(f'data-number="{chat.number}"') :]
    chat_row = chat_row[: chat_row.index("</tr>")]
    call_row = mine[mine.index(f'data-number="{call.number}"') :]
    call_row = call_row[: call_row.index("</tr>")]
    assert 'data-testid="offline-message"' in chat_row and ">留言<" in chat_row
    assert 'data-testid="offline-message"' not in call_row
    lead_body = client_for(org["lead_a"].user).get("/workbench/").content.decode()
    team = lead_body[lead_body.index('id="team-tickets"') :]
    assert team.index(chat.number) < team.index(call.number)

    ticket_act(actor=agent.user, ticket=chat, action="reply", note="您好，已为您查询", via="online")
    body = client_for(agent.user).get("/workbench/").content.decode()
    assert 'data-testid="offline-message"' not in body
    detail = client_for(agent.user).get(f"/tickets/{chat.pk}/").content.decode()
    assert "客户留言，已回复" in detail
