"""Meetings incidents — 例会缺席/带教奖励 for the performance module (WFM-9, WFM-10).

Registered by ``MeetingsConfig.ready()`` as the workforce incident source ``meetings``:

* 缺席 (absent without leave asked in time) → ``meeting_absence`` with the policy's points and
  money in force that day; 迟到 → ``meeting_late`` when the policy deducts for it;
* an awarded mentor reward → ``mentor_reward`` with a positive amount, dated the period's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.urls import reverse

from kefu.workforce.incidents import WorkforceIncident

from .choices import AttendanceStatus
from .models import MeetingAttendance, MentorReward
from .policy import MeetingsPolicy, meetings_policy


def meetings_incidents(
    start: dt.date, end: dt.date, employee_ids: Sequence[int] | None = None
) -> list[WorkforceIncident]:
    found: list[WorkforceIncident] = []
    rows = MeetingAttendance.objects.filter(
        occurrence__date__gte=start,
        occurrence__date__lte=end,
        status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE],
    ).select_related("occurrence__meeting")
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=list(employee_ids))
    policies: dict[dt.date, MeetingsPolicy] = {}
    for row in rows.order_by("occurrence__date", "id"):
        day = row.occurrence.date
        if day not in policies:
            policies[day] = meetings_policy(day)
        rules = policies[day].attendance
        meeting = row.occurrence.meeting
        if row.status == AttendanceStatus.ABSENT:
            rule, label = "meeting_absence", "例会缺席（未在会前请假）"
            points, money = Decimal(str(rules.absence_points)), rules.absence_money
            quantity = Decimal(1)
        else:
            rule, label = "meeting_late", f"例会迟到{row.late_minutes}分钟"
            points, money = Decimal(str(rules.late_points)), Decimal(0)
            quantity = Decimal(row.late_minutes)
        if not points and not money:
            continue
        found.append(
            WorkforceIncident(
                source="meetings",
                rule=rule,
                employee_id=row.employee_id,
                day=day,
                points=-points,
                money=-money,
                description=f"{label}：{meeting.name} {day:%Y-%m-%d}",
                ref=f"meetings.meetingattendance:{row.pk}",
                link=reverse("meetings:occurrence_detail", args=[row.occurrence_id]),
                quantity=quantity,
            )
        )
    rewards = MentorReward.objects.filter(period_end__gte=start, period_end__lte=end)
    if employee_ids is not None:
        rewards = rewards.filter(mentor_id__in=list(employee_ids))
    for r in rewards.select_related("mentorship__newcomer").order_by("period_end", "rank"):
        found.append(
            WorkforceIncident(
                source="mentoring",
                rule="mentor_reward",
                employee_id=r.mentor_id,
                day=r.period_end,
                points=Decimal(0),
                money=r.amount,
                description=(
                    f"带教奖励第{r.rank}名：新员工{r.mentorship.newcomer.name}"
                    f"{r.days}天出师（{r.period_start:%Y-%m-%d}～{r.period_end:%Y-%m-%d}）"
                ),
                ref=f"meetings.mentorreward:{r.pk}",
                link=reverse("meetings:mentorship_detail", args=[r.mentorship_id]),
                quantity=Decimal(r.rank),
            )
        )
    return found
