"""Month close — 月结 (CMP-7, PERF-8): review / reject / approve, the close job writing the
PayrollLine snapshot, restarts, the lock of a closed month, reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.core.choices import JobStatus
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent, BackgroundJob, Notification
from kefu.org.models import Employee
from kefu.performance import payroll
from kefu.performance.choices import AppealStatus, IncidentStatus, MonthCloseStatus
from kefu.performance.models import Appeal, Incident, MonthClose, PayrollLine
from kefu.performance.payroll import FLAG, PayLine, collect_payroll, register_payroll_source
from kefu.performance.periods import month_start, next_month, previous_month
from kefu.performance.services import closing
from kefu.performance.services.booking import incident_book, incident_confirm, incident_reverse

D = Decimal


def last_month() -> dt.date:
    return previous_month(month_start(timezone.localdate()))


@pytest.fixture
def month() -> dt.date:
    return last_month()


@pytest.fixture
def isolated_payroll() -> Iterator[dict[str, list[Any]]]:
    """Replace the registered payroll sources and close preparers by fakes; restore after."""
    sources, preparers = dict(payroll._SOURCES), dict(payroll._PREPARERS)
    payroll._SOURCES.clear()
    payroll._PREPARERS.clear()
    calls: dict[str, list[Any]] = {"preparer": []}

    def prep(m: dt.date, actor: Any) -> str:
        calls["preparer"].append((m, actor))
        return "测试导入 0 条"

    payroll.register_close_preparer("test", prep)
    try:
        yield calls
    finally:
        payroll._SOURCES.clear()
        payroll._SOURCES.update(sources)
        payroll._PREPARERS.clear()
        payroll._PREPARERS.update(preparers)


def fake_source(org: dict[str, Any]) -> Any:
    a1, a2 = org["agent_a1"].pk, org["agent_a2"].pk

    def source(m: dt.date, ids: Any) -> list[PayLine]:
        lines = [
            PayLine(a1, "score", D("92")),
            PayLine(a1, "band_deduction", D("-80")),
            PayLine(a1, "fines", D("-10")),
            PayLine(a1, "fines", D("-20.5")),
            PayLine(a1, FLAG, D("0"), "口头警告"),
            PayLine(a2, "commission", D("123.45")),
            PayLine(a2, "carry_over", D("50")),
        ]
        return [x for x in lines if ids is None or x.employee_id in ids]

    return source


def review(org: dict[str, Any], month: dt.date) -> MonthClose:
    return closing.month_review(actor=org["manager"].user, month=month, note="已核对")


def close(org: dict[str, Any], month: dt.date) -> BackgroundJob:
    review(org, month)
    return closing.month_approve(actor=org["gm"].user, month=month)


def snapshot(month: dt.date) -> list[tuple]:
    return list(
        PayrollLine.objects.filter(month=month)
        .order_by("employee_id")
        .values_list(
            "employee_id",
            "department_name",
            "team_name",
            "scheme",
            "score",
            "amounts",
            "net",
            "flags",
        )
    )


def status(month: dt.date) -> str | None:
    return MonthClose.objects.filter(month=month).values_list("status", flat=True).first()


# --- review -------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent_a1", "lead_a", "supervisor", "hr", "gm", "dgm"])
def test_only_the_manager_reviews(
    org: dict, month: dt.date, isolated_payroll: dict, who: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        closing.month_review(actor=org[who].user, month=month)
    assert status(month) is None
    assert isolated_payroll["preparer"] == []
    assert not AuditEvent.objects.filter(action="performance.month_reviewed").exists()


@pytest.mark.django_db
def test_review_refuses_a_month_not_over(org: dict, isolated_payroll: dict) -> None:
    with pytest.raises(DomainError) as exc:
        closing.month_review(actor=org["manager"].user, month=timezone.localdate())
    assert exc.value.code == "month_not_over"
    assert MonthClose.objects.count() == 0


@pytest.mark.django_db
def test_review_runs_preparers_and_notifies_the_gm(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    row = review(org, month)
    assert row.status == MonthCloseStatus.REVIEWED
    assert row.reviewed_by == org["manager"].user and row.review_note == "已核对"
    assert isolated_payroll["preparer"] == [(month, org["manager"].user)]
    note = Notification.objects.get(recipient=org["gm"].user)
    assert note.link == f"/performance/close/{month:%Y-%m}/"
    assert "月结待批准" in note.title
    event = AuditEvent.objects.get(action="performance.month_reviewed")
    assert event.after["preparers"] == ["测试导入 0 条"]
    # Twice is refused: already reviewed.
    with pytest.raises(ConflictError):
        review(org, month)


@pytest.mark.django_db
def test_pending_proposals_and_appeals_block_review(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    agent, lead = org["agent_a1"], org["lead_a"].user
    day = month.replace(day=5)
    proposal = incident_book(
        actor=lead, employee=agent, day=day, rule_code="posture", confirm=False
    )
    fine = incident_book(
        actor=lead, employee=agent, day=day, rule_code="contact_leaked", confirm=True
    )
    Incident.objects.filter(pk=fine.pk).update(status=IncidentStatus.APPEALED)
    Appeal.objects.create(incident=fine, employee=agent, reason="不是我", filed_at=timezone.now())
    with pytest.raises(ConflictError) as exc:
        review(org, month)
    assert exc.value.code == "month_pending"
    assert "待确认的奖惩事件 1 条" in exc.value.message
    assert "待处理的申诉 1 件" in exc.value.message
    assert status(month) is None  # nothing written
    assert not Notification.objects.filter(recipient=org["gm"].user).exists()
    # The preparers ran anyway (their imports are kept so they can be confirmed).
    assert len(isolated_payroll["preparer"]) == 1
    incident_confirm(actor=lead, incident=proposal)
    Appeal.objects.update(
        status=AppealStatus.UPHELD, decided_by=org["manager"].user, decided_at=timezone.now()
    )
    assert review(org, month).status == MonthCloseStatus.REVIEWED


# --- reject / approve ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent_a1", "lead_a", "hr", "manager", "supervisor"])
def test_only_the_gm_approves_or_rejects(
    org: dict, month: dt.date, isolated_payroll: dict, who: str
) -> None:
    review(org, month)
    with pytest.raises(PermissionDeniedError):
        closing.month_approve(actor=org[who].user, month=month)
    with pytest.raises(PermissionDeniedError):
        closing.month_reject(actor=org[who].user, month=month, reason="不对")
    assert status(month) == MonthCloseStatus.REVIEWED
    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_approve_needs_a_review_first(org: dict, month: dt.date, isolated_payroll: dict) -> None:
    with pytest.raises(ConflictError):
        closing.month_approve(actor=org["gm"].user, month=month)
    assert status(month) is None
    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_lines_pending_after_the_review_block_approval_and_send_the_month_back(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    """A proposal recorded and an appeal filed between 经理审核 and 总经理批准: the approval is
    refused with the counts, the month goes back to 未结账 (audited, the manager told), and once
    settled and reviewed again the lines are booked in their own month."""
    from kefu.performance.services.ledger import appeal_decide, appeal_file

    agent, lead = org["agent_a1"], org["lead_a"].user
    fine = incident_book(
        actor=lead,
        employee=agent,
        day=month.replace(day=3),
        rule_code="contact_leaked",
        confirm=True,
    )
    review(org, month)
    proposal = incident_book(
        actor=lead, employee=agent, day=month.replace(day=20), rule_code="posture", confirm=False
    )
    appeal = appeal_file(actor=agent.user, incident=fine, reason="当天我休息")
    assert proposal.month == month  # a reviewed month is not locked: booked in it, pending
    with pytest.raises(DomainError) as exc:
        closing.month_approve(actor=org["gm"].user, month=month)
    assert exc.value.code == "month_pending_after_review"
    assert "待确认的奖惩事件 1 条" in exc.value.message
    assert "待处理的申诉 1 件" in exc.value.message
    assert "退回客服部经理" in exc.value.message
    row = MonthClose.objects.get(month=month)
    assert row.status == MonthCloseStatus.OPEN and row.reviewed_by is None
    assert row.approved_by is None
    assert not BackgroundJob.objects.exists() and not PayrollLine.objects.exists()
    event = AuditEvent.objects.get(action="performance.month_returned")
    assert event.after["proposals"] == 1 and event.after["appeals"] == 1
    note = Notification.objects.get(recipient=org["manager"].user, title__contains="退回重审")
    assert "待确认事件 1 条" in note.body
    # A second approval is refused by status: the month must be reviewed again.
    with pytest.raises(ConflictError):
        closing.month_approve(actor=org["gm"].user, month=month)
    incident_confirm(actor=lead, incident=proposal)
    appeal_decide(
        actor=org["manager"].user, appeal=appeal, decision=AppealStatus.UPHELD, reason="属实"
    )
    close(org, month)
    assert status(month) == MonthCloseStatus.CLOSED
    proposal.refresh_from_db()
    assert proposal.month == month  # settled in its own month, not pushed into the next


@pytest.mark.django_db
def test_approval_without_new_pending_lines_is_unchanged(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    review(org, month)
    # A line of another month pending does not block this one.
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=timezone.localdate(),
        rule_code="posture",
        confirm=False,
    )
    closing.month_approve(actor=org["gm"].user, month=month)
    assert status(month) == MonthCloseStatus.CLOSED
    assert not AuditEvent.objects.filter(action="performance.month_returned").exists()


@pytest.mark.django_db
def test_gm_rejects_with_a_reason(org: dict, month: dt.date, isolated_payroll: dict) -> None:
    review(org, month)
    with pytest.raises(DomainError) as exc:
        closing.month_reject(actor=org["gm"].user, month=month, reason="  ")
    assert exc.value.fields == {"reason": "必填"}
    row = closing.month_reject(actor=org["gm"].user, month=month, reason="客服甲一的罚款有误")
    assert row.status == MonthCloseStatus.OPEN and row.reviewed_by is None
    note = Notification.objects.get(recipient=org["manager"].user)
    assert "客服甲一的罚款有误" in note.body
    assert (
        AuditEvent.objects.get(action="performance.month_rejected").reason == "客服甲一的罚款有误"
    )
    # The manager can review again.
    assert review(org, month).status == MonthCloseStatus.REVIEWED


@pytest.mark.django_db
def test_close_job_writes_exact_payroll_lines(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    register_payroll_source("fake", fake_source(org))
    job = close(org, month)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    row = MonthClose.objects.get(month=month)
    assert row.status == MonthCloseStatus.CLOSED and row.closed_at and row.job_id == job.pk
    assert row.approved_by == org["gm"].user
    a1 = PayrollLine.objects.get(month=month, employee=org["agent_a1"])
    assert (a1.score, a1.net, a1.scheme) == (D("92.00"), D("-110.50"), "points100")
    assert a1.amounts == {"band_deduction": "-80.00", "fines": "-30.50"}
    assert a1.flags == ["口头警告"]
    assert (a1.department_name, a1.team_name) == ("客服部", "售前组")
    a2 = PayrollLine.objects.get(month=month, employee=org["agent_a2"])
    assert a2.amounts == {"commission": "123.45", "carry_over": "50.00"}
    assert a2.net == D("123.45")  # 赔偿结转下月 is not in 合计
    assert a2.score == D("100.00")  # no score from any source: the scheme's base
    gm = PayrollLine.objects.get(month=month, employee=org["gm"])
    assert (gm.amounts, gm.net, gm.flags) == ({}, D("0.00"), [])
    assert PayrollLine.objects.filter(month=month).count() == Employee.objects.count()
    assert job.result["lines"] == Employee.objects.count()
    assert job.result["net_total"] == "12.95"
    # Both the manager and the GM hear of it; the preparers ran again in the job.
    for who in ("manager", "gm"):
        assert Notification.objects.filter(
            recipient=org[who].user, title__startswith="月结完成"
        ).exists()
    assert len(isolated_payroll["preparer"]) == 2
    assert AuditEvent.objects.filter(action="performance.month_approved").count() == 1


@pytest.mark.django_db
def test_employee_who_left_before_the_month_gets_no_line(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    gone = org["agent_b1"]
    Employee.objects.filter(pk=gone.pk).update(status="left", left_on=month - dt.timedelta(days=3))
    close(org, month)
    assert not PayrollLine.objects.filter(month=month, employee=gone).exists()


@pytest.mark.django_db
def test_close_job_is_restartable(org: dict, month: dt.date, isolated_payroll: dict) -> None:
    register_payroll_source("fake", fake_source(org))
    close(org, month)
    before = snapshot(month)
    # A job that died half-way leaves the month 结账中 (rows may be partial): run it again.
    MonthClose.objects.filter(month=month).update(status=MonthCloseStatus.CLOSING, closed_at=None)
    PayrollLine.objects.filter(month=month, employee=org["agent_a2"]).delete()
    BackgroundJob.objects.update(status=JobStatus.FAILED)
    job = closing.month_close_restart(actor=org["gm"].user, month=month)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert snapshot(month) == before
    assert status(month) == MonthCloseStatus.CLOSED
    # Running the work on a closed month changes nothing.
    result = closing.month_close_run(actor=org["gm"].user, month=month)
    assert result["already_closed"] is True
    assert snapshot(month) == before


@pytest.mark.django_db
def test_restart_refused_while_not_closing(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    with pytest.raises(ConflictError):
        closing.month_close_restart(actor=org["gm"].user, month=month)
    with pytest.raises(PermissionDeniedError):
        closing.month_close_restart(actor=org["manager"].user, month=month)


@pytest.mark.django_db
def test_close_with_the_real_registered_sources(org: dict, month: dt.date) -> None:
    agent, lead = org["agent_a1"], org["lead_a"].user
    day = month.replace(day=6)
    incident_book(actor=lead, employee=agent, day=day, rule_code="contact_leaked", confirm=True)
    incident_book(actor=lead, employee=agent, day=day, rule_code="posture", confirm=True)
    review(org, month)
    expected = collect_payroll(month)
    job = closing.month_approve(actor=org["gm"].user, month=month)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    lines = {pl.employee_id: pl for pl in PayrollLine.objects.filter(month=month)}
    assert set(expected) <= set(lines)
    for emp_id, result in expected.items():
        assert lines[emp_id].net == result.net.quantize(D("0.01"))
        assert lines[emp_id].flags == result.flags
    assert len(lines) == Employee.objects.count()


# --- a closed month never changes ---------------------------------------------------------------
@pytest.mark.django_db
def test_closed_month_bookings_land_in_the_next_month(
    org: dict, month: dt.date, isolated_payroll: dict
) -> None:
    lead = org["lead_a"].user
    counted = incident_book(
        actor=lead,
        employee=org["agent_a1"],
        day=month.replace(day=3),
        rule_code="posture",
        confirm=True,
    )
    waiting = incident_book(
        actor=lead,
        employee=org["agent_a2"],
        day=month.replace(day=4),
        rule_code="posture",
        confirm=False,
    )
    incident_confirm(actor=lead, incident=waiting)
    close(org, month)
    before = snapshot(month)
    late = incident_book(
        actor=lead,
        employee=org["agent_a1"],
        day=month.replace(day=20),
        rule_code="posture",
        confirm=True,
    )
    reversal, _ = incident_reverse(actor=lead, incident=counted, reason="误登")
    assert late.month == next_month(month) and reversal.month == next_month(month)
    assert snapshot(month) == before


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["book", "propose_confirm", "reverse"]),
            st.integers(1, 28),
            st.sampled_from(["agent_a1", "agent_a2", "agent_b1"]),
            st.sampled_from(["posture", "contact_leaked", "suggestion_money", "warning"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_bookings_after_close_leave_the_snapshot_identical(
    org: dict, ops: list[tuple[str, int, str, str]]
) -> None:
    month = last_month()
    sources, preparers = dict(payroll._SOURCES), dict(payroll._PREPARERS)
    payroll._PREPARERS.clear()
    try:
        register_payroll_source("fake", fake_source(org))
        if status(month) != MonthCloseStatus.CLOSED:
            close(org, month)
        before = snapshot(month)
        lead = org["supervisor"].user
        for op, day, who, rule in ops:
            when = month.replace(day=day)
            if op == "reverse":
                target = (
                    Incident.objects.filter(reverses__isnull=True)
                    .exclude(status=IncidentStatus.REVOKED)
                    .first()
                )
                if target is None:
                    continue
                incident_reverse(actor=lead, incident=target, reason="复核更正")
                continue
            inc = incident_book(
                actor=lead,
                employee=org[who],
                day=when,
                rule_code=rule,
                confirm=op == "book",
            )
            if op == "propose_confirm":
                inc = incident_confirm(actor=lead, incident=inc)
            assert inc.month == next_month(month)
        assert snapshot(month) == before
        assert status(month) == MonthCloseStatus.CLOSED
    finally:
        payroll._SOURCES.clear()
        payroll._SOURCES.update(sources)
        payroll._PREPARERS.clear()
        payroll._PREPARERS.update(preparers)


# --- reminders ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reminders_before_the_deadline_once_a_day(org: dict, isolated_payroll: dict) -> None:
    this = month_start(timezone.localdate())
    prev = previous_month(this)
    assert closing.month_close_reminders(today=this.replace(day=6)) == 0  # 10 − 3 = 7
    sent = closing.month_close_reminders(today=this.replace(day=7))
    assert sent == Notification.objects.filter(recipient=org["manager"].user).count() == 1
    assert closing.month_close_reminders(today=this.replace(day=7)) == 0  # idempotent per day
    note = Notification.objects.get(recipient=org["manager"].user)
    assert note.link == f"/performance/close/{prev:%Y-%m}/"
    assert "须于" in note.body
    # Reviewed → the GM is reminded instead; closed → nobody.
    MonthClose.objects.create(month=prev, status=MonthCloseStatus.REVIEWED)
    Notification.objects.all().delete()
    assert closing.month_close_reminders(today=this.replace(day=12)) == 1
    assert Notification.objects.get().recipient == org["gm"].user
    assert "已逾期" in Notification.objects.get().title
    MonthClose.objects.filter(month=prev).update(
        status=MonthCloseStatus.CLOSED, closed_at=timezone.now(), approved_by=org["gm"].user
    )
    assert closing.month_close_reminders(today=this.replace(day=13)) == 0


def test_management_command_runs(db: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("month_close_schedule", stdout=out)
    assert "月结提醒" in out.getvalue()


@pytest.mark.django_db
def test_months_are_closed_in_order(org: dict, month: dt.date, isolated_payroll: dict) -> None:
    """A month cannot be reviewed while an earlier month with ledger lines is still open."""
    earlier = previous_month(month)
    incident_book(
        actor=org["lead_a"].user,
        employee=org["agent_a1"],
        day=earlier.replace(day=5),
        rule_code="contact_leaked",
        confirm=True,
    )
    with pytest.raises(ConflictError) as err:
        closing.month_review(actor=org["manager"].user, month=month)
    assert err.value.code == "earlier_month_open"
    assert not MonthClose.objects.filter(month=month).exists()
    closing.month_review(actor=org["manager"].user, month=earlier)
    closing.month_approve(actor=org["gm"].user, month=earlier)  # the job runs at once in tests
    assert MonthClose.objects.get(month=earlier).status == MonthCloseStatus.CLOSED
    assert closing.month_review(actor=org["manager"].user, month=month).status == (
        MonthCloseStatus.REVIEWED
    )


@pytest.mark.django_db
def test_reminder_lead_days_come_from_policy(org: dict, isolated_payroll: dict) -> None:
    """A version with close_reminder_days = 5 starts the reminders on the 5th (10 − 5)."""
    from kefu.core.models import Policy
    from kefu.core.policy import clear_policy_cache, policy_for

    this = month_start(timezone.localdate())
    body = policy_for("performance", this).model_dump(mode="json")
    body["close_reminder_days"] = 5
    Policy.objects.create(domain="performance", version=2, effective_from=this, body=body)
    clear_policy_cache()
    assert closing.month_close_reminders(today=this.replace(day=4)) == 0
    assert closing.month_close_reminders(today=this.replace(day=5)) == 1
