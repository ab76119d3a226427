"""SLA clock (TKT-4, CMP-6): targets, deadlines over weekends/holidays/调休, pauses, alerts.

The pure tests use the default policies (validated from their TOML files) and a 2025 calendar
written out by hand from the State Council's notice for 国庆节/中秋节 2025: 1–8 October off,
Sunday 28 September and Saturday 11 October worked. Expected times are worked out in comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.core.calendar import SHANGHAI, BusinessCalendar
from kefu.core.choices import CalendarDayKind
from kefu.core.models import CalendarDay
from kefu.core.policy import default_bodies, policy_version_create, validate_body
from kefu.tickets.choices import SlaStage
from kefu.tickets.sla import (
    ClockKind,
    Pause,
    SlaSubject,
    build_clock,
    clock_at,
    compute_due,
    compute_due_on_calendar,
    deadline,
    escalation_step,
    plan_for,
    unpaid_order_chase_due,
)


def sh(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


CAL_2025 = BusinessCalendar(
    holidays=frozenset(d("2025-10-01") + dt.timedelta(days=i) for i in range(8)),
    adjusted_workdays=frozenset({d("2025-09-28"), d("2025-10-11")}),
)
ORDINARY = BusinessCalendar()
TICKETS = validate_body("tickets", default_bodies()["tickets"])
SLA = validate_body("sla", default_bodies()["sla"])


def tickets_with(**changes: Any) -> Any:
    body = default_bodies()["tickets"]
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return validate_body("tickets", body)


def sla_with(**changes: Any) -> Any:
    return validate_body("sla", {**default_bodies()["sla"], **changes})


def plan(
    received: str,
    channel: str = "email",
    kind: str = "inquiry",
    *,
    calendar: BusinessCalendar = CAL_2025,
    tickets: Any = TICKETS,
    sla: Any = SLA,
    **kw: Any,
):
    subject = SlaSubject(received_at=sh(received), channel=channel, kind=kind, **kw)
    return plan_for(subject, tickets=tickets, sla=sla, calendar=calendar)


def due(received: str, *args: Any, pauses: tuple[Pause, ...] = (), **kw: Any):
    return compute_due(plan(received, *args, **kw), pauses)


# --- targets: which numbers apply -----------------------------------------------------------
@pytest.mark.parametrize(
    ("channel", "kind", "extra", "first", "first_source", "resolution", "resolution_source"),
    [
        # TKT-4: real-time channels take the sla domain's standards.
        (
            "online_chat",
            "inquiry",
            {},
            dt.timedelta(seconds=15),
            "sla.first_greeting_seconds",
            dt.timedelta(hours=8),
            "tickets.targets[5]",
        ),
        (
            "hotline",
            "inquiry",
            {},
            dt.timedelta(minutes=3),
            "sla.reception_minutes",
            dt.timedelta(hours=8),
            "tickets.targets[5]",
        ),
        (
            "visit",
            "order_issue",
            {"subkind": "chase"},
            dt.timedelta(minutes=3),
            "sla.reception_minutes",
            dt.timedelta(hours=24),
            "tickets.targets[6]",
        ),
        # Written channels take the targets table.
        (
            "email",
            "inquiry",
            {},
            dt.timedelta(hours=2),
            "tickets.targets[5]",
            dt.timedelta(hours=8),
            "tickets.targets[5]",
        ),
        (
            "letter",
            "after_sales",
            {"subkind": "return"},
            dt.timedelta(hours=4),
            "tickets.targets[7]",
            dt.timedelta(hours=120),
            "tickets.targets[7]",
        ),
        (
            "fax",
            "praise",
            {},
            dt.timedelta(hours=4),
            "tickets.targets[8]",
            dt.timedelta(hours=24),
            "tickets.targets[8]",
        ),
        (
            "email",
            "suggestion",
            {"priority": "urgent"},
            dt.timedelta(minutes=30),
            "tickets.targets[0]",
            dt.timedelta(hours=4),
            "tickets.targets[0]",
        ),
        (
            "email",
            "after_sales",
            {"subkind": "repair", "priority": "high"},
            dt.timedelta(hours=1),
            "tickets.targets[1]",
            dt.timedelta(hours=8),
            "tickets.targets[1]",
        ),
        # A 大客户's inquiry is answered within the hour; its resolution falls through to 咨询.
        (
            "email",
            "inquiry",
            {"customer_grade": "major"},
            dt.timedelta(hours=1),
            "tickets.targets[3]",
            dt.timedelta(hours=8),
            "tickets.targets[5]",
        ),
        (
            "web_form",
            "praise",
            {"customer_grade": "key"},
            dt.timedelta(hours=1),
            "tickets.targets[4]",
            dt.timedelta(hours=24),
            "tickets.targets[8]",
        ),
        # Complaints: resolution is CMP-6 whatever the priority; the first response is the table's.
        (
            "email",
            "complaint",
            {},
            dt.timedelta(hours=1),
            "tickets.targets[2]",
            dt.timedelta(days=7),
            "sla.complaint_close_days",
        ),
        (
            "email",
            "complaint",
            {"priority": "urgent"},
            dt.timedelta(minutes=30),
            "tickets.targets[0]",
            dt.timedelta(days=7),
            "sla.complaint_close_days",
        ),
    ],
)
def test_targets(channel, kind, extra, first, first_source, resolution, resolution_source):
    result = plan("2025-09-22T10:00", channel, kind, **extra)
    assert result.first_response.budget == first
    assert result.first_response.source.startswith(first_source)
    assert result.resolution.budget == resolution
    assert result.resolution.source.startswith(resolution_source)


def test_channels_pick_their_clock():
    assert plan("2025-09-22T10:00", "online_chat").first_response.clock.kind == ClockKind.ONLINE
    assert plan("2025-09-22T10:00", "web_form").resolution.clock.kind == ClockKind.ONLINE
    for channel in ["hotline", "email", "letter", "fax", "visit", "store", "staff_referral"]:
        assert plan("2025-09-22T10:00", channel).resolution.clock.kind == ClockKind.OFFLINE
    assert plan("2025-09-22T10:00", "email", "complaint").resolution.clock.kind == (
        ClockKind.CALENDAR
    )


def test_numbers_come_from_the_sla_domain_not_a_copy():
    sla = sla_with(complaint_close_days=5, first_greeting_seconds=30, reception_minutes=2)
    assert plan("2025-09-22T10:00", "email", "complaint", sla=sla).resolution.budget == (
        dt.timedelta(days=5)
    )
    assert plan("2025-09-22T10:00", "online_chat", sla=sla).first_response.budget == (
        dt.timedelta(seconds=30)
    )
    assert plan("2025-09-22T10:00", "hotline", sla=sla).first_response.budget == (
        dt.timedelta(minutes=2)
    )


def test_targets_follow_the_policy_version_and_calendar_they_are_planned_with():
    """plan_for keeps a subject's targets per process: a new policy version or calendar is never
    answered from an earlier one's, and the plan starts at its own receipt time."""
    base = plan("2025-09-22T10:00", "email", "complaint")
    shorter = plan("2025-09-22T10:00", "email", "complaint", sla=sla_with(complaint_close_days=5))
    again = plan("2025-09-22T10:00", "email", "complaint")
    assert [p.resolution.budget for p in (base, shorter, again)] == [
        dt.timedelta(days=7),
        dt.timedelta(days=5),
        dt.timedelta(days=7),
    ]
    later = plan("2025-09-23T11:00", "email", "complaint")
    assert later.start == sh("2025-09-23T11:00") and base.start == sh("2025-09-22T10:00")
    assert later.resolution == base.resolution
    holiday = BusinessCalendar(holidays=frozenset({dt.date(2025, 9, 22)}))
    assert plan("2025-09-22T10:00", "hotline").first_response.clock.calendar is CAL_2025
    assert plan("2025-09-22T10:00", "hotline", calendar=holiday).first_response.clock.calendar is (
        holiday
    )


# --- offline clock: working hours on 工作日 ---------------------------------------------------
def test_offline_across_a_weekend():
    # Friday 19 Sep 20:00, 8 h: 4 h until 24:00, 4 h from Monday 08:30 → 12:30.
    result = due("2025-09-19T20:00", "email", "inquiry")
    assert result.resolution_due == sh("2025-09-22T12:30")
    # First response 2 h: 20:00 → 22:00 the same evening.
    assert result.first_response_due == sh("2025-09-19T22:00")


def test_offline_first_response_crosses_midnight():
    # Letter at 23:00 on a Monday, 2 h: 1 h before 24:00, 1 h from 08:30 → 09:30 Tuesday.
    assert due("2025-09-22T23:00", "letter").first_response_due == sh("2025-09-23T09:30")
    # The hotline's 3 minutes at 23:59 run 1 min tonight, 2 min after 08:30.
    assert due("2025-09-22T23:59", "hotline").first_response_due == sh("2025-09-23T08:32")


def test_offline_skips_national_day():
    # Tuesday 30 Sep 20:00, 8 h: 4 h that evening, then 1–8 Oct off, 4 h on Thursday 9 Oct.
    assert due("2025-09-30T20:00", "email").resolution_due == sh("2025-10-09T12:30")
    # Without the holiday calendar, 1 Oct (a Wednesday) would have been worked.
    assert due("2025-09-30T20:00", "email", calendar=ORDINARY).resolution_due == sh(
        "2025-10-01T12:30"
    )


def test_offline_works_the_adjusted_days():
    # Received on Saturday 27 Sep (a rest day): Sunday 28 Sep is a 调休 working day.
    assert due("2025-09-27T10:00", "email").resolution_due == sh("2025-09-28T16:30")
    assert due("2025-09-27T10:00", "email", calendar=ORDINARY).resolution_due == sh(
        "2025-09-29T16:30"
    )
    # Friday 10 Oct 20:00 + 8 h: 4 h, then Saturday 11 Oct (调休) from 08:30 → 12:30.
    assert due("2025-10-10T20:00", "email").resolution_due == sh("2025-10-11T12:30")


def test_offline_hours_can_differ_from_the_service_hours():
    office = tickets_with(offline_hours=[["08:30", "12:00"], ["13:30", "18:00"]])
    # Monday 11:00 + 2 h: 1 h until 12:00, lunch, 1 h from 13:30 → 14:30.
    result = due("2025-09-22T11:00", "email", tickets=office)
    assert result.first_response_due == sh("2025-09-22T14:30")


# --- online clock: 24/7 ---------------------------------------------------------------------
def test_online_runs_around_the_clock():
    # Web form at 23:00, 8 h → 07:00 the next morning; the same by e-mail waits for 08:30.
    assert due("2025-09-22T23:00", "web_form").resolution_due == sh("2025-09-23T07:00")
    assert due("2025-09-22T23:00", "email").resolution_due == sh("2025-09-23T15:30")
    # Saturday and 国庆 alike.
    assert due("2025-10-01T10:00", "web_form").resolution_due == sh("2025-10-01T18:00")
    assert due("2025-10-01T10:00", "email").resolution_due == sh("2025-10-09T16:30")
    assert due("2025-10-01T03:00", "online_chat").first_response_due == sh("2025-10-01T03:00:15")


def test_online_may_respect_holidays_and_hours():
    tickets = tickets_with(online_ignores_holidays=False, online_hours=[["08:00", "22:00"]])
    # 国庆 1 Oct is skipped; the chat's 15 s start at 08:00 on Thursday 9 Oct.
    assert due("2025-10-01T10:00", "online_chat", tickets=tickets).first_response_due == sh(
        "2025-10-09T08:00:15"
    )


# --- pauses ---------------------------------------------------------------------------------
def test_pause_spanning_a_night():
    # Monday 20:00, 8 h. Without a pause: 4 h tonight, 4 h tomorrow → Tuesday 12:30.
    # Waiting on the customer 22:00 → Tuesday 10:00 holds back 2 h + 1.5 h → Tuesday 16:00.
    pause = Pause(sh("2025-09-22T22:00"), sh("2025-09-23T10:00"))
    assert due("2025-09-22T20:00").resolution_due == sh("2025-09-23T12:30")
    assert due("2025-09-22T20:00", pauses=(pause,)).resolution_due == sh("2025-09-23T16:00")


def test_pause_outside_working_time_changes_nothing():
    night = Pause(sh("2025-09-23T01:00"), sh("2025-09-23T07:00"))
    assert due("2025-09-22T20:00", pauses=(night,)).resolution_due == sh("2025-09-23T12:30")


def test_pauses_before_receipt_are_ignored_and_overlaps_count_once():
    before = Pause(sh("2025-09-21T10:00"), sh("2025-09-22T09:00"))
    a = Pause(sh("2025-09-22T21:00"), sh("2025-09-22T23:00"))
    b = Pause(sh("2025-09-22T22:00"), sh("2025-09-23T00:00"))
    # Net pause 21:00–24:00 = 3 h of working time: 12:30 → 15:30.
    result = due("2025-09-22T20:00", pauses=(b, before, a))
    assert result.resolution_due == sh("2025-09-23T15:30")


def test_budget_ending_as_a_pause_starts_runs_on_after_it():
    # Web form 10:00 + 8 h ends at 18:00, exactly when a pause starts: the clock stands still
    # through the pause, so the latest on-time moment is the pause's end.
    pause = Pause(sh("2025-09-22T18:00"), sh("2025-09-22T19:00"))
    assert due("2025-09-22T10:00", "web_form", pauses=(pause,)).resolution_due == sh(
        "2025-09-22T19:00"
    )


def test_open_pause_is_projected_to_as_of():
    waiting = (Pause(sh("2025-09-22T22:00")),)
    target = plan("2025-09-22T20:00")
    with pytest.raises(ValueError):
        compute_due(target, waiting)
    result = compute_due(target, waiting, as_of=sh("2025-09-23T10:00"))
    assert result.projected is True
    assert result.resolution_due == sh("2025-09-23T16:00")
    assert compute_due(target).projected is False


@pytest.mark.parametrize(
    "pauses",
    [
        (Pause(sh("2025-09-22T22:00")), Pause(sh("2025-09-22T23:00"))),  # two open
        (Pause(sh("2025-09-22T22:00"), sh("2025-09-22T21:00")),),  # ends before it starts
        (Pause(dt.datetime(2025, 9, 22, 22), None),),  # naive
    ],
)
def test_bad_pauses_are_refused(pauses):
    with pytest.raises(ValueError):
        compute_due(plan("2025-09-22T20:00"), pauses, as_of=sh("2025-09-23T10:00"))


def test_clock_reading_while_paused_and_after():
    target = plan("2025-09-22T20:00")
    pauses = (Pause(sh("2025-09-22T22:00")),)
    reading = clock_at(target.start, target.resolution, pauses, sh("2025-09-23T09:00"))
    assert reading.paused is True
    assert reading.elapsed == dt.timedelta(hours=2)  # frozen since 22:00
    assert reading.remaining == dt.timedelta(hours=6)
    resumed = (Pause(sh("2025-09-22T22:00"), sh("2025-09-23T10:00")),)
    reading = clock_at(target.start, target.resolution, resumed, sh("2025-09-23T17:00"))
    assert (reading.paused, reading.breached) == (False, True)
    assert reading.overdue == dt.timedelta(hours=1)
    assert reading.remaining == dt.timedelta(hours=-1)
    # Before receipt nothing has run.
    early = clock_at(target.start, target.resolution, (), sh("2025-09-22T19:00"))
    assert early.elapsed == dt.timedelta(0) and early.overdue == dt.timedelta(0)


# --- CMP-6: the complaint's 7 days ----------------------------------------------------------
def test_complaint_seven_calendar_days_with_warnings():
    target = plan("2025-09-26T20:00", "hotline", "complaint")
    result = compute_due(target)
    # Calendar days: straight through 国庆.
    assert result.resolution_due == sh("2025-10-03T20:00")
    steps = [(at, m.label) for at, m in result.milestones]
    assert steps == [
        (sh("2025-10-01T20:00"), "距投诉结案时限到期还有2天"),
        (sh("2025-10-02T20:00"), "距投诉结案时限到期还有1天"),
        (sh("2025-10-03T20:00"), "投诉结案时限已超时，通知处理人"),
        (sh("2025-10-03T22:00"), "投诉结案时限超时2小时，通知组长"),
        (sh("2025-10-04T04:00"), "投诉结案时限超时8小时，通知主管"),
        (sh("2025-10-04T20:00"), "投诉结案时限超时24小时，通知部门经理"),
    ]


@pytest.mark.parametrize(
    ("at", "stage", "current", "notify"),
    [
        ("2025-09-30T12:00", SlaStage.ON_TIME, None, None),
        ("2025-10-01T20:00", SlaStage.ON_TIME, None, None),  # exactly 2 days left
        ("2025-10-01T20:00:01", SlaStage.WARNING, 0, "owner"),
        ("2025-10-02T20:00:01", SlaStage.WARNING, 1, "owner"),
        ("2025-10-03T20:00", SlaStage.WARNING, 1, "owner"),  # the deadline itself is on time
        ("2025-10-03T20:00:01", SlaStage.OVERDUE, 2, "owner"),
        ("2025-10-03T22:00:01", SlaStage.OVERDUE, 3, "team_lead"),
        ("2025-10-04T04:00:01", SlaStage.OVERDUE, 4, "supervisor"),
        ("2025-10-05T09:00", SlaStage.OVERDUE, 5, "department_head"),
    ],
)
def test_complaint_escalation_steps(at, stage, current, notify):
    target = plan("2025-09-26T20:00", "hotline", "complaint")
    reading = clock_at(target.start, target.resolution, (), sh(at))
    step = escalation_step(reading, target.resolution)
    assert step.stage == stage
    if current is None:
        assert step.reached == ()
        assert step.current is None
        assert step.next == target.resolution.milestones[0]
    else:
        assert step.reached == tuple(range(current + 1))
        assert step.current == target.resolution.milestones[current]
        assert step.current.notify == notify
    if current == 5:
        assert step.next is None


def test_complaint_pause_moves_the_limit():
    waiting = Pause(sh("2025-09-28T09:00"), sh("2025-09-30T09:00"))
    result = due("2025-09-26T20:00", "hotline", "complaint", pauses=(waiting,))
    assert result.resolution_due == sh("2025-10-05T20:00")
    assert result.milestones[0][0] == sh("2025-10-03T20:00")


def test_complaint_literal_seven_days_ignores_pauses():
    literal = tickets_with(complaint={"pause_while_waiting": False})
    waiting = Pause(sh("2025-09-28T09:00"), sh("2025-09-30T09:00"))
    target = plan("2025-09-26T20:00", "hotline", "complaint", tickets=literal)
    assert compute_due(target, (waiting,)).resolution_due == sh("2025-10-03T20:00")
    reading = clock_at(target.start, target.resolution, (waiting,), sh("2025-09-29T20:00"))
    assert reading.paused is False and reading.elapsed == dt.timedelta(days=3)
    # The first response still pauses: only CMP-6's limit is literal.
    assert target.first_response.pausable is True


def test_complaint_business_days_basis():
    by_workdays = tickets_with(complaint={"basis": "business_days"})
    target = plan("2025-09-26T20:00", "hotline", "complaint", tickets=by_workdays)
    assert target.resolution.clock.kind == ClockKind.OFFLINE
    # 7 工作日 after Friday 26 Sep: 28 (调休 Sunday), 29, 30 Sep, 9, 10, 11 (调休 Saturday),
    # 13 Oct — at the same time of day.
    result = compute_due(target)
    assert result.resolution_due == sh("2025-10-13T20:00")
    # 2 工作日 before: Friday 10 Oct 20:00; 1 before: Saturday 11 Oct 20:00.
    assert [at for at, m in result.milestones if m.stage == SlaStage.WARNING] == [
        sh("2025-10-10T20:00"),
        sh("2025-10-11T20:00"),
    ]


# --- other tickets' warnings and ladder -----------------------------------------------------
def test_ticket_warning_and_ladder_in_business_hours():
    # E-mail inquiry Monday 20:00, 8 h → Tuesday 12:30; warning 2 h before → 10:30;
    # team lead 2 h after → 14:30, supervisor 8 h after → 20:30; manager 24 h after: 11.5 h
    # left on Tuesday, 12.5 h on Wednesday from 08:30 → 21:00.
    result = due("2025-09-22T20:00")
    assert [(at, m.notify) for at, m in result.milestones] == [
        (sh("2025-09-23T10:30"), "owner"),
        (sh("2025-09-23T12:30"), "owner"),
        (sh("2025-09-23T14:30"), "team_lead"),
        (sh("2025-09-23T20:30"), "supervisor"),
        (sh("2025-09-24T21:00"), "department_head"),
    ]
    assert result.milestones[0][1].label == "距解决时限到期还有2小时"


def test_warning_longer_than_the_budget_is_dropped():
    short = tickets_with(warn_before_hours=[6, 2])
    target = plan("2025-09-22T10:00", "email", "suggestion", priority="urgent", tickets=short)
    warnings = [m for m in target.resolution.milestones if m.stage == SlaStage.WARNING]
    assert [m.offset for m in warnings] == [dt.timedelta(hours=-2)]


def test_first_response_has_no_ladder():
    assert plan("2025-09-22T10:00").first_response.milestones == ()


def test_unpaid_order_chase_reads_tkt9_from_the_sla_domain():
    assert unpaid_order_chase_due(
        sh("2025-10-01T23:30"), tickets=TICKETS, sla=SLA, calendar=CAL_2025
    ) == sh("2025-10-02T00:30")
    slower = sla_with(unpaid_order_chase_hours=2)
    assert unpaid_order_chase_due(
        sh("2025-10-01T23:30"), tickets=TICKETS, sla=slower, calendar=CAL_2025
    ) == sh("2025-10-02T01:30")


def test_clock_refuses_naive_times():
    with pytest.raises(ValueError):
        plan_for(
            SlaSubject(received_at=dt.datetime(2025, 9, 22, 10), channel="email", kind="inquiry"),
            tickets=TICKETS,
            sla=SLA,
            calendar=CAL_2025,
        )


# --- properties -------------------------------------------------------------------------------
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = sh("2025-09-15T00:00")
minutes = st.integers(min_value=0, max_value=40 * 24 * 60)
CHANNELS = st.sampled_from(["email", "hotline", "web_form", "online_chat", "letter"])
KINDS = st.sampled_from(["inquiry", "complaint", "after_sales", "praise"])


def _subject(at: dt.datetime, channel: str, kind: str) -> SlaSubject:
    subkind = "return" if kind == "after_sales" else ""
    return SlaSubject(received_at=at, channel=channel, kind=kind, subkind=subkind)


def _plan(at: dt.datetime, channel: str, kind: str):
    return plan_for(_subject(at, channel, kind), tickets=TICKETS, sla=SLA, calendar=CAL_2025)


@PROPERTY
@given(a=minutes, b=minutes, channel=CHANNELS, kind=KINDS)
def test_due_is_monotonic_in_receipt(a, b, channel, kind):
    early, late = sorted((a, b))
    p1 = _plan(BASE + dt.timedelta(minutes=early), channel, kind)
    p2 = _plan(BASE + dt.timedelta(minutes=late), channel, kind)
    d1, d2 = compute_due(p1), compute_due(p2)
    assert d1.resolution_due <= d2.resolution_due
    assert d1.first_response_due <= d2.first_response_due


@PROPERTY
@given(
    received=minutes,
    pause_from=st.integers(min_value=0, max_value=10 * 24 * 60),
    short=st.integers(min_value=0, max_value=5 * 24 * 60),
    extra=st.integers(min_value=0, max_value=5 * 24 * 60),
    channel=CHANNELS,
    kind=KINDS,
)
def test_a_longer_pause_never_makes_the_due_time_earlier(
    received, pause_from, short, extra, channel, kind
):
    target = _plan(BASE + dt.timedelta(minutes=received), channel, kind)
    start = target.start + dt.timedelta(minutes=pause_from)
    shorter = (Pause(start, start + dt.timedelta(minutes=short)),)
    longer = (Pause(start, start + dt.timedelta(minutes=short + extra)),)
    none = compute_due(target)
    d_short, d_long = compute_due(target, shorter), compute_due(target, longer)
    assert none.resolution_due <= d_short.resolution_due <= d_long.resolution_due
    assert none.first_response_due <= d_short.first_response_due <= d_long.first_response_due
    for (a, _), (b, _), (c, _) in zip(
        none.milestones, d_short.milestones, d_long.milestones, strict=True
    ):
        assert a <= b <= c


@PROPERTY
@given(
    received=minutes,
    pause_from=st.integers(min_value=0, max_value=10 * 24 * 60),
    length=st.integers(min_value=0, max_value=5 * 24 * 60),
    channel=CHANNELS,
    kind=KINDS,
)
def test_due_is_exactly_where_the_budget_runs_out(received, pause_from, length, channel, kind):
    target = _plan(BASE + dt.timedelta(minutes=received), channel, kind)
    start = target.start + dt.timedelta(minutes=pause_from)
    pauses = (Pause(start, start + dt.timedelta(minutes=length)),)
    for t in (target.first_response, target.resolution):
        at = deadline(target.start, t, pauses)
        assert clock_at(target.start, t, pauses, at).elapsed == t.budget
        assert not clock_at(target.start, t, pauses, at).breached
        assert clock_at(target.start, t, pauses, at + dt.timedelta(microseconds=1)).breached


@PROPERTY
@given(received=minutes, at=minutes, channel=CHANNELS, kind=KINDS)
def test_step_agrees_with_milestone_instants(received, at, channel, kind):
    target = _plan(BASE + dt.timedelta(minutes=received), channel, kind)
    result = compute_due(target)
    moment = BASE + dt.timedelta(minutes=at)
    step = escalation_step(clock_at(target.start, target.resolution, (), moment), target.resolution)
    assert step.reached == tuple(
        i for i, (when, _) in enumerate(result.milestones) if moment > when
    )
    assert (step.stage == SlaStage.OVERDUE) == (moment > result.resolution_due)


def test_calendar_clock_is_every_instant():
    clock = build_clock(ClockKind.CALENDAR, tickets=TICKETS, sla=SLA, calendar=CAL_2025)
    assert clock.day_length == dt.timedelta(hours=24)
    assert clock.measure(sh("2025-10-01T00:00"), sh("2025-10-08T00:00")) == dt.timedelta(days=7)
    offline = build_clock(ClockKind.OFFLINE, tickets=TICKETS, sla=SLA, calendar=CAL_2025)
    assert offline.day_length == dt.timedelta(hours=15, minutes=30)
    assert offline.measure(sh("2025-10-01T00:00"), sh("2025-10-08T00:00")) == dt.timedelta(0)


# --- with the database: policy in force and the stored calendar -----------------------------
@pytest.mark.django_db
def test_compute_due_on_the_stored_calendar():
    for i in range(8):
        CalendarDay.objects.create(
            date=d("2025-10-01") + dt.timedelta(days=i), kind=CalendarDayKind.HOLIDAY, name="国庆节"
        )
    CalendarDay.objects.create(
        date=d("2025-10-11"), kind=CalendarDayKind.ADJUSTED_WORKDAY, name="国庆节调休"
    )
    subject = SlaSubject(received_at=sh("2025-09-30T20:00"), channel="email", kind="inquiry")
    result_plan, result = compute_due_on_calendar(subject)
    assert result.resolution_due == sh("2025-10-09T12:30")
    assert result_plan.resolution.source == "tickets.targets[5]"
    # A pause that is still open needs the moment it is assumed to end.
    waiting = (Pause(sh("2025-09-30T22:00")),)
    _, projected = compute_due_on_calendar(subject, waiting, as_of=sh("2025-10-09T10:00"))
    assert projected.projected is True
    # 2 h of the evening ran; 6 h from Thursday 10:00 → 16:00.
    assert projected.resolution_due == sh("2025-10-09T16:00")


@pytest.mark.django_db
def test_compute_due_uses_the_policy_in_force_on_the_day_of_receipt():
    body = default_bodies()["tickets"]
    body["targets"][5]["resolution_hours"] = 4
    effective = timezone.localdate() + dt.timedelta(days=10)
    policy_version_create(actor=None, domain="tickets", effective_from=effective, body=body)
    noon = dt.time(10, 0)
    before = dt.datetime.combine(effective - dt.timedelta(days=1), noon, tzinfo=SHANGHAI)
    after = dt.datetime.combine(effective, noon, tzinfo=SHANGHAI)
    plan_before, _ = compute_due_on_calendar(
        SlaSubject(received_at=before, channel="web_form", kind="inquiry")
    )
    plan_after, _ = compute_due_on_calendar(
        SlaSubject(received_at=after, channel="web_form", kind="inquiry")
    )
    assert plan_before.resolution.budget == dt.timedelta(hours=8)
    assert plan_after.resolution.budget == dt.timedelta(hours=4)
