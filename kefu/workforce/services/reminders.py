"""Publishing deadlines and reminders — 排班表发布期限与提醒 (WFM-2).

Next month's roster is due on the ``shifts.roster_publish_day`` (the 25th) of the month before;
a month with a public holiday (元旦, 春节, 五一, 十一) is due ``shifts.holiday_roster_days_ahead``
days before the holiday's first day when that is earlier. Team leads are reminded
``roster.publishing.reminder_days_before`` days before the due day, on the due day, and the day
after it when still unpublished (逾期). The roster list shows the same deadlines.

Teams that roster are those with a 班次组合 setting or a roster in the last three months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.calendar import calendar_for_range
from kefu.core.models import CalendarDay, Notification
from kefu.core.policy import shift_policy
from kefu.org.models import Team

from ..choices import RosterStatus
from ..models import Roster, TeamRosterSetting
from ..policy import roster_policy
from ..selectors import add_months, month_end, month_start


@dataclass(frozen=True)
class RosterDue:
    """One team's month and when its roster is due — 排班表发布期限."""

    team_id: int
    team_name: str
    month: dt.date
    due: dt.date
    holiday: str  # the holiday that makes it due early, "" for the monthly deadline
    status: str  # "published" | "draft" | "none"
    days_left: int  # negative = overdue

    @property
    def overdue(self) -> bool:
        return self.status != "published" and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.status != "published" and 0 <= self.days_left <= _reminder_days(self.month)

    @property
    def label(self) -> str:
        """已发布 / 逾期N天 / 还剩N天 / 今天到期."""
        if self.status == "published":
            return "已发布"
        if self.days_left < 0:
            return f"逾期{-self.days_left}天"
        if self.days_left == 0:
            return "今天到期"
        return f"还剩{self.days_left}天"


def _reminder_days(month: dt.date) -> int:
    return roster_policy(add_months(month, -1)).publishing.reminder_days_before


def _holiday_starts(month: dt.date) -> list[tuple[dt.date, str]]:
    """First day (and name) of each run of public holidays inside ``month``."""
    first, last = month_start(month), month_end(month)
    holidays = calendar_for_range(first - dt.timedelta(days=1), last).holidays
    names = dict(
        CalendarDay.objects.filter(date__range=(first, last), date__in=holidays).values_list(
            "date", "name"
        )
    )
    return [
        (day, names.get(day, "") or "节假日")
        for day in sorted(d for d in holidays if first <= d <= last)
        if day - dt.timedelta(days=1) not in holidays
    ]


def roster_due_date(month: dt.date) -> tuple[dt.date, str]:
    """When ``month``'s roster is due and why: (day, holiday name or "")."""
    month = month_start(month)
    before = add_months(month, -1)
    policy = shift_policy(before)
    due = before.replace(day=min(policy.roster_publish_day, month_end(before).day))
    holiday = ""
    for start, name in _holiday_starts(month):
        early = start - dt.timedelta(days=policy.holiday_roster_days_ahead)
        if early < due:
            due, holiday = early, name
    return due, holiday


def rostered_team_ids(on: dt.date) -> list[int]:
    """Teams that roster: a 班次组合 setting, or a roster in the three months up to next."""
    ids = set(TeamRosterSetting.objects.values_list("team_id", flat=True))
    ids |= set(
        Roster.objects.filter(
            month__gte=add_months(on, -3), month__lte=add_months(on, 1)
        ).values_list("team_id", flat=True)
    )
    return sorted(ids)


def roster_due_items(
    on: dt.date | None = None, team_ids: list[int] | None = None
) -> list[RosterDue]:
    """This month's and next month's deadline of every rostering team (or of ``team_ids``)."""
    on = on or timezone.localdate()
    wanted = rostered_team_ids(on) if team_ids is None else list(team_ids)
    if not wanted:
        return []
    months = [month_start(on), add_months(on, 1)]
    teams = dict(Team.objects.filter(pk__in=wanted).values_list("pk", "name"))
    state: dict[tuple[int, dt.date], str] = {}
    for team_id, month, status in Roster.objects.filter(
        team_id__in=teams, month__in=months, status__in=[RosterStatus.DRAFT, RosterStatus.PUBLISHED]
    ).values_list("team_id", "month", "status"):
        if state.get((team_id, month)) != "published":
            state[(team_id, month)] = status
    dues = {m: roster_due_date(m) for m in months}
    out = []
    for team_id in sorted(teams, key=lambda t: teams[t]):
        for month in months:
            due, holiday = dues[month]
            out.append(
                RosterDue(
                    team_id=team_id,
                    team_name=teams[team_id],
                    month=month,
                    due=due,
                    holiday=holiday,
                    status=state.get((team_id, month), "none"),
                    days_left=(due - on).days,
                )
            )
    return out


@transaction.atomic
def roster_reminders_send(*, on: dt.date | None = None, actor: Any = None) -> int:
    """提醒发布排班表: notify each rostering team's leader whose roster is due in
    ``reminder_days_before`` days, due today, or overdue since yesterday (once a day at most).
    Returns the number of notifications sent."""
    on = on or timezone.localdate()
    items = [i for i in roster_due_items(on) if i.status != "published"]
    leaders = dict(
        Team.objects.filter(pk__in={i.team_id for i in items}, leader__isnull=False).values_list(
            "pk", "leader__user_id"
        )
    )
    sent = 0
    for item in items:
        user_id = leaders.get(item.team_id)
        if user_id is None:
            continue
        remind_at = _reminder_days(item.month)
        if item.days_left not in (remind_at, 0, -1):
            continue
        why = f"（{item.holiday}排班须提前发布）" if item.holiday else ""
        month_text = f"{item.month.year}年{item.month.month:02d}月"
        if item.days_left < 0:
            title = f"排班表逾期未发布：{item.team_name} {month_text}"
        else:
            title = f"排班表发布提醒：{item.team_name} {month_text}"
        body = (
            f"{item.team_name} {month_text}排班表应于{item.due.month}月{item.due.day}日前发布"
            f"{why}，目前{'已有草稿未发布' if item.status == 'draft' else '尚未编制'}，"
            f"{item.label}。"
        )
        # The body names the day's state (还剩3天 / 今天到期 / 逾期1天): never sent twice.
        if Notification.objects.filter(recipient_id=user_id, title=title, body=body).exists():
            continue
        link = reverse("workforce:roster_grid") + f"?team={item.team_id}&month={item.month:%Y-%m}"
        Notification.objects.create(
            recipient_id=user_id,
            title=title,
            body=body,
            link=link,
        )
        sent += 1
    if sent:
        audit.record(
            actor=actor,
            action="roster.reminders",
            object_type="workforce.roster",
            object_id="reminders",
            after={"on": on, "sent": sent},
        )
    return sent
