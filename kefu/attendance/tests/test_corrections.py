"""补卡 (WFM-5): every limit with its exact message, the approval by the superior, the gap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.attendance import services
from kefu.attendance.choices import ClockSource, CorrectionStatus, DayStatus
from kefu.attendance.models import AttendanceDay, ClockCorrection, ClockEvent
from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.org.models import ApprovalStep

from .conftest import NOW, TODAY
from .factories import local, publish

pytestmark = pytest.mark.django_db
D16, D17 = dt.date(2026, 3, 16), dt.date(2026, 3, 17)


def ask(employee: Any, day: dt.date, direction: str, at: dt.datetime, reason: str = "忘记打卡"):
    return services.correction_create(
        actor=employee.user, day=day, direction=direction, at=at, reason=reason
    )


def refused(employee: Any, day: dt.date, direction: str, at: dt.datetime, **kw) -> DomainError:
    before = ClockCorrection.objects.count()
    with pytest.raises(DomainError) as info:
        ask(employee, day, direction, at, **kw)
    assert ClockCorrection.objects.count() == before
    return info.value


@pytest.fixture
def clocked_in(org, roster, frozen) -> Any:
    """agent_a1 clocked in on the 16th at 08:20 and forgot to clock out."""
    a1 = org["agent_a1"]
    services.clock_punch(actor=a1.user, now=local(D16, 8, 20))
    return a1


def test_correction_is_approved_by_the_team_lead_and_fixes_the_day(org, clocked_in) -> None:
    a1, lead = clocked_in, org["lead_a"]
    services.classify_range(start=D16, end=D16, now=local(dt.date(2026, 3, 17), 9))
    assert AttendanceDay.objects.get(employee=a1, day=D16).status == DayStatus.MISSED
    c = ask(a1, D16, "out", local(D16, 17, 40))
    assert c.status == CorrectionStatus.PENDING
    (step,) = ApprovalStep.objects.filter(kind="clock_fix", subject_id=c.pk)
    assert step.approver_id == lead.pk and step.link == f"/attendance/corrections/{c.pk}/"
    # neither a colleague nor a supervisor whose turn it is not may decide
    for other in (org["agent_a2"], org["supervisor"]):
        with pytest.raises(PermissionDeniedError):
            services.correction_decide(actor=other.user, correction=c, approve=True)
    services.correction_decide(actor=lead.user, correction=c, approve=True, comment="属实")
    c.refresh_from_db()
    assert c.status == CorrectionStatus.APPROVED and c.decided_at is not None
    event = ClockEvent.objects.get(correction=c)
    assert (event.source, event.direction, event.at) == (
        ClockSource.CORRECTION,
        "out",
        local(D16, 17, 40),
    )
    row = AttendanceDay.objects.get(employee=a1, day=D16)
    assert row.status == DayStatus.NORMAL and row.clock_out == local(D16, 17, 40)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"attendance.correction_create", "attendance.correction_approve"} <= actions
    with pytest.raises(DomainError, match="该补卡申请已处理，不能再审批"):
        services.correction_decide(actor=lead.user, correction=c, approve=True)


def test_rejection_needs_a_comment_and_the_gap_stands_after_the_deadline(org, clocked_in) -> None:
    a1, lead = clocked_in, org["lead_a"]
    c = ask(a1, D16, "out", local(D16, 17, 40))
    with pytest.raises(DomainError, match="驳回时请填写审批意见"):
        services.correction_decide(actor=lead.user, correction=c, approve=False)
    services.correction_decide(actor=lead.user, correction=c, approve=False, comment="无法核实")
    c.refresh_from_db()
    assert c.status == CorrectionStatus.REJECTED
    assert not ClockEvent.objects.filter(correction=c).exists()
    assert AttendanceDay.objects.get(employee=a1, day=D16).status == DayStatus.MISSED
    later = local(dt.date(2026, 3, 19), 2)  # the 16th's window closed at the end of the 18th
    services.classify_range(start=D16, end=D16, now=later)
    row = AttendanceDay.objects.get(employee=a1, day=D16)
    assert row.status == DayStatus.MISSED and row.final
    assert [p["rule"] for p in row.penalties] == ["missed_clock"]
    assert row.penalties[0]["description"] == "缺下班卡，2天内未补卡，视为脱岗"


def test_a_pending_request_holds_the_gap_open_past_the_deadline(org, clocked_in) -> None:
    c = ask(clocked_in, D16, "out", local(D16, 17, 40))
    services.classify_range(start=D16, end=D16, now=local(dt.date(2026, 3, 20), 2))
    row = AttendanceDay.objects.get(employee=clocked_in, day=D16)
    assert row.penalties == [] and not row.final
    services.correction_cancel(actor=clocked_in.user, correction=c)
    c.refresh_from_db()
    assert c.status == CorrectionStatus.CANCELLED


def test_only_the_applicant_may_withdraw(org, clocked_in) -> None:
    c = ask(clocked_in, D16, "out", local(D16, 17, 40))
    with pytest.raises(PermissionDeniedError, match="只能撤回本人的补卡申请"):
        services.correction_cancel(actor=org["lead_a"].user, correction=c)


# --- the limits, each with its exact message ------------------------------------------------------
def test_asked_too_late(org, roster, frozen) -> None:
    err = refused(org["agent_a1"], dt.date(2026, 3, 13), "in", local(dt.date(2026, 3, 13), 8, 20))
    assert err.code == "correction_too_late"
    assert err.message == "补卡须在2天内申请：2026-03-13的补卡期限已过（截至2026-03-15）"
    assert err.fields == {"day": err.message}


def test_future_day_and_future_time(org, roster, frozen) -> None:
    a1 = org["agent_a1"]
    err = refused(a1, dt.date(2026, 3, 19), "in", local(dt.date(2026, 3, 19), 8, 20))
    assert err.message == "不能为未来的日期补卡"
    err = refused(a1, TODAY, "out", local(TODAY, 17, 30))
    assert err.message == "补卡时间不能晚于当前时间" and "at" in err.fields


def test_not_a_working_day(org, roster, frozen) -> None:
    a1, b1 = org["agent_a1"], org["agent_b1"]
    publish(a1, {D17: "rest"})
    err = refused(a1, D17, "in", local(D17, 8, 20))
    assert err.message == "该日排班为休息，无需补卡"
    publish(a1, {D17: "leave"})
    assert refused(a1, D17, "in", local(D17, 8, 20)).message == "该日排班为请假，无需补卡"
    err = refused(b1, D17, "in", local(D17, 8, 20))  # team B has no published roster
    assert err.message == "该日没有已发布的排班，无需补卡"


def test_time_outside_the_shift_window(org, roster, frozen) -> None:
    err = refused(org["agent_a1"], D16, "in", local(D16, 2, 0))
    assert err.message == "补卡时间须在白班的打卡时段内（04:30–23:30）"


def test_a_clock_of_that_kind_exists(org, clocked_in) -> None:
    err = refused(clocked_in, D16, "in", local(D16, 8, 0))
    assert err.code == "correction_has_clock" and err.status == 409
    assert err.message == "该日已有上班打卡记录（08:20），无需补卡"


def test_the_same_request_twice(org, clocked_in) -> None:
    ask(clocked_in, D16, "out", local(D16, 17, 40))
    err = refused(clocked_in, D16, "out", local(D16, 17, 45))
    assert err.message == "该日的下班补卡申请正在审批中，请勿重复提交"


def test_at_most_three_a_month_pending_and_approved_count(org, roster, frozen) -> None:
    a1, lead = org["agent_a1"], org["lead_a"]
    first = ask(a1, D16, "in", local(D16, 8, 25))
    ask(a1, D16, "out", local(D16, 17, 35))
    services.correction_decide(actor=lead.user, correction=first, approve=True)
    third = ask(a1, D17, "in", local(D17, 8, 25))
    err = refused(a1, TODAY, "in", local(TODAY, 8, 25))
    assert err.code == "correction_monthly_limit"
    assert err.message == "每月补卡不得超过3次：2026年3月已申请3次"
    # a rejected or withdrawn request no longer counts
    services.correction_cancel(actor=a1.user, correction=third)
    assert ask(a1, TODAY, "in", local(TODAY, 8, 25)).status == CorrectionStatus.PENDING


def test_form_errors_are_per_field(org, roster, frozen) -> None:
    err = refused(org["agent_a1"], D16, "sideways", local(D16, 8, 25), reason="  ")
    assert err.fields == {"direction": "请选择补卡类型（上班或下班）", "reason": "请填写补卡原因"}


def test_roles_without_the_right_or_a_record_are_refused(org, roster, frozen) -> None:
    for who in ("warehouse", "sysadmin"):
        with pytest.raises(PermissionDeniedError):
            ask(org[who], D16, "in", local(D16, 8, 25))
    assert not ClockCorrection.objects.exists()


def test_night_shift_correction_time_is_the_next_morning(org, frozen) -> None:
    from kefu.attendance.services import correction_time, day_frame

    a1 = org["agent_a1"]
    publish(a1, {D16: "night"})
    frame = day_frame(a1.pk, D16)
    at = correction_time(D16, dt.time(0, 0), frame)
    assert at == local(D17, 0, 0)
    assert correction_time(D16, dt.time(17, 25), frame) == local(D16, 17, 25)
    assert at < NOW
