"""The holiday calendar's per-process cache (kefu/core/calendar.py ``calendar_for_range``): new
service requests read a month of ``CalendarDay`` for their deadlines on every create (issue #3),
so outside a transaction a range is kept for ``CALENDAR_CACHE_SECONDS``; an edit in the admin
counts at once in this process; inside a transaction the table is always read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from kefu.core import access_cache
from kefu.core.calendar import CALENDAR_CACHE_SECONDS, calendar_for_range
from kefu.core.choices import CalendarDayKind
from kefu.core.models import CalendarDay

MONDAY = dt.date(2031, 3, 3)  # far from any seeded holiday


def _expire(monkeypatch: pytest.MonkeyPatch) -> None:
    later = access_cache.time.monotonic() + CALENDAR_CACHE_SECONDS + 1
    monkeypatch.setattr(access_cache.time, "monotonic", lambda: later)


@pytest.mark.django_db(transaction=True)
def test_a_row_written_elsewhere_counts_when_the_copy_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
    # Another process enters a holiday (a plain row): this process keeps its copy …
    CalendarDay.objects.create(date=MONDAY, kind=CalendarDayKind.HOLIDAY, name="测试假日")
    assert calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
    # … but a transaction (every service deciding something) reads the table …
    with transaction.atomic():
        assert not calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
    # … and the copy goes after CALENDAR_CACHE_SECONDS.
    _expire(monkeypatch)
    assert not calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)


@pytest.mark.django_db(transaction=True)
def test_an_admin_edit_counts_at_once(admin_client: Any) -> None:
    assert calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
    response = admin_client.post(
        "/admin/core/calendarday/add/",
        {"date": MONDAY.isoformat(), "kind": CalendarDayKind.HOLIDAY.value, "name": "测试假日"},
    )
    assert response.status_code == 302, response.content[:500]
    assert not calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
    day = CalendarDay.objects.get(date=MONDAY)
    response = admin_client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert calendar_for_range(MONDAY, MONDAY).is_workday(MONDAY)
