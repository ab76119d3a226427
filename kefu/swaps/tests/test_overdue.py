"""还班逾期提醒 (WFM-3): an approved swap whose payback deadline passed with no payback in the
roster tells the applicant, the colleague and their team lead — once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.core.models import AuditEvent, Notification
from kefu.swaps.choices import SwapStatus
from kefu.swaps.models import ShiftSwap
from kefu.swaps.services import swap_paybacks_overdue_notify

pytestmark = pytest.mark.django_db
TODAY = dt.date(2030, 3, 20)


def _swap(org: dict[str, Any], due: dt.date, **kw: Any) -> ShiftSwap:
    values = {
        "applicant": org["agent_a1"],
        "colleague": org["agent_a2"],
        "team": org["team_a"],
        "day": due - dt.timedelta(days=30),
        "applicant_code": "day",
        "colleague_code": "rest",
        "payback_due": due,
        "reason": "家中有事",
        "status": SwapStatus.APPROVED,
    }
    values.update(kw)
    return ShiftSwap.objects.create(**values)


def _overdue_notes() -> list[int]:
    return sorted(
        Notification.objects.filter(title__startswith="还班逾期").values_list(
            "recipient_id", flat=True
        )
    )


def test_overdue_payback_notifies_both_and_the_lead_once(org) -> None:
    swap = _swap(org, TODAY - dt.timedelta(days=1))
    _swap(org, TODAY)  # due today: not overdue yet
    _swap(org, TODAY - dt.timedelta(days=3), paid_back_on=TODAY - dt.timedelta(days=5))
    _swap(org, TODAY - dt.timedelta(days=3), status=SwapStatus.PENDING)

    assert swap_paybacks_overdue_notify(today=TODAY) == 3
    expected = sorted(org[k].user_id for k in ("agent_a1", "agent_a2", "lead_a"))
    assert _overdue_notes() == expected
    note = Notification.objects.filter(recipient=org["agent_a1"].user).latest("pk")
    assert swap.number in note.title and "尚未向" in note.body
    assert note.link == f"/swaps/{swap.pk}/"
    swap.refresh_from_db()
    assert swap.overdue_notified_on == TODAY
    assert AuditEvent.objects.filter(action="swaps.payback_overdue").count() == 1

    # idempotent: the next days' runs send nothing more
    assert swap_paybacks_overdue_notify(today=TODAY) == 0
    assert swap_paybacks_overdue_notify(today=TODAY + dt.timedelta(days=1)) == 1 * 3  # the 2nd
    assert swap_paybacks_overdue_notify(today=TODAY + dt.timedelta(days=2)) == 0
    assert len(_overdue_notes()) == 6


def test_the_daily_reminder_task_sends_the_overdue_notices(org) -> None:
    from django.utils import timezone

    from kefu.workforce.tasks import roster_reminder_daily_task

    _swap(org, timezone.localdate() - dt.timedelta(days=2))
    roster_reminder_daily_task.call()
    roster_reminder_daily_task.call()
    assert len(_overdue_notes()) == 3
