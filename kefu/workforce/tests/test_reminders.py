"""排班表发布期限与提醒 (WFM-2): next month by the 25th, holiday rosters a week ahead, reminders
to the team lead before, on and the day after the due day; the chain reschedules itself."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from kefu.core.models import CalendarDay, Notification
from kefu.workforce.choices import RosterStatus
from kefu.workforce.services.reminders import (
    roster_due_date,
    roster_due_items,
    roster_reminders_send,
)
from kefu.workforce.tasks import next_reminder_run, schedule_next_reminder_run
from kefu.workforce.tests.factories import MONTH, make_roster, ready_team

pytestmark = pytest.mark.django_db


def test_due_dates_monthly_and_for_holidays(org):
    assert roster_due_date(MONTH) == (dt.date(2029, 12, 25), "")
    for day in range(1, 8):
        CalendarDay.objects.create(date=dt.date(2030, 10, day), kind="holiday", name="国庆节")
    assert roster_due_date(dt.date(2030, 10, 1)) == (dt.date(2030, 9, 24), "国庆节")
    CalendarDay.objects.create(date=MONTH, kind="holiday", name="元旦")
    assert roster_due_date(MONTH) == (dt.date(2029, 12, 25), "")  # a week ahead is the 25th too


def _lead(org):
    team = ready_team(org)
    team.leader = org["lead_a"]
    team.save(update_fields=["leader"])
    return team


def test_reminders_before_on_and_after_the_due_day_once_a_day(org):
    _lead(org)
    sent = {
        day: roster_reminders_send(on=dt.date(2029, 12, day))
        for day in (21, 22, 22, 23, 25, 26, 27)
    }
    assert sent == {21: 0, 22: 0, 23: 0, 25: 1, 26: 1, 27: 0}  # 22 was sent on its first run
    notes = list(Notification.objects.filter(recipient=org["lead_a"].user).order_by("id"))
    assert [n.title for n in notes] == [
        "排班表发布提醒：售前组 2030年01月",
        "排班表发布提醒：售前组 2030年01月",
        "排班表逾期未发布：售前组 2030年01月",
    ]
    assert notes[0].body == "售前组 2030年01月排班表应于12月25日前发布，目前尚未编制，还剩3天。"
    assert notes[0].link == f"/workforce/rosters/grid/?team={org['team_a'].pk}&month=2030-01"
    assert notes[2].body.endswith("目前尚未编制，逾期1天。")


def test_no_reminder_once_published_and_the_list_shows_overdue(org):
    _lead(org)
    items = {i.month: i for i in roster_due_items(dt.date(2029, 12, 27))}
    assert items[MONTH].overdue and items[MONTH].label == "逾期2天"
    assert items[dt.date(2029, 12, 1)].overdue  # this month has no roster at all
    make_roster(org, RosterStatus.DRAFT)
    items = {i.month: i for i in roster_due_items(dt.date(2029, 12, 23))}
    assert items[MONTH].status == "draft" and items[MONTH].due_soon
    assert items[MONTH].label == "还剩2天"
    make_roster(org, RosterStatus.PUBLISHED)
    assert roster_reminders_send(on=dt.date(2029, 12, 25)) == 0
    items = {i.month: i for i in roster_due_items(dt.date(2029, 12, 27))}
    assert items[MONTH].status == "published" and not items[MONTH].overdue


def test_reminder_chain_and_command():
    now = dt.datetime(2029, 12, 22, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai
    assert next_reminder_run(now).isoformat() == "2029-12-23T09:00:00+08:00"
    early = dt.datetime(2029, 12, 22, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    assert next_reminder_run(early).isoformat() == "2029-12-22T09:00:00+08:00"
    # Tests run tasks at once: a self-scheduling task would never end, so nothing is queued.
    assert schedule_next_reminder_run() is None
    out = StringIO()
    call_command("roster_reminder_schedule", stdout=out)
    assert out.getvalue().strip() == "每日排班表发布提醒已在队列中"
    out = StringIO()
    call_command("roster_reminder_schedule", "--now", stdout=out)
    assert out.getvalue().startswith("已发送排班表发布提醒")
