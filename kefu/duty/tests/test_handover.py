"""交接班 (WFM-7): writing, 接班确认, the scan's flags and the incidents they become."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.errors import ConflictError, DomainError
from kefu.core.models import AuditEvent, Notification
from kefu.duty import services
from kefu.duty.choices import FlagKind, HandoverStatus
from kefu.duty.incidents import duty_incidents
from kefu.duty.models import Handover, HandoverFlag
from kefu.tickets.tests.factories import make_ticket
from kefu.workforce.incidents import workforce_incidents

from .factories import DAY, at, day_night

pytestmark = pytest.mark.django_db
NEXT = DAY + dt.timedelta(days=1)


def _write(org, who="agent_a1", day=DAY, code="day", now=None, **kw):
    return services.handover_create(
        actor=org[who].user,
        day=day,
        shift_code=code,
        pending_work=kw.pop("pending_work", "无"),
        now=now or at(day, 17, 20),
        **kw,
    )


def test_day_shift_hands_over_to_the_rostered_night_shift(org) -> None:
    day_night(org)
    ticket = make_ticket(org["agent_a1"], title="客户询问发票")
    other = make_ticket(org["agent_a1"], title="退货进度")
    h = _write(
        org,
        ticket_ids=[ticket.pk],
        ticket_numbers=[other.number.lower()],
        ticket_notes={other.number: "等仓库签收"},
        pending_work="发票待开",
        staffing="甲二晚班",
    )
    assert h.team == org["team_a"] and h.status == HandoverStatus.PENDING
    assert (h.incoming_day, h.incoming_shift_code) == (DAY, "night")
    assert h.ack_due_at == at(DAY, 18)  # 晚班 17:30 + 30 min
    assert [a.employee for a in h.acks.all()] == [org["agent_a2"]]
    assert {t.ticket_id: t.note for t in h.tickets.all()} == {ticket.pk: "", other.pk: "等仓库签收"}
    assert Notification.objects.filter(recipient=org["agent_a2"].user).count() == 1
    assert AuditEvent.objects.filter(action="duty.handover_create", object_id=str(h.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "night"}, "shift_code"),  # rostered 白班, not 晚班
        ({"now": at(DAY, 8)}, "shift_code"),  # the shift has not started
        ({"day": DAY + dt.timedelta(days=1), "now": at(DAY, 20)}, "day"),
        ({"pending_work": "  "}, "pending_work"),
        ({"equipment_ok": False}, "equipment_notes"),
        ({"ticket_numbers": ["KF19990101-9999"]}, "ticket_numbers"),
        ({"code": "nope"}, "shift_code"),
    ],
)
def test_writing_rules_answer_with_the_field(org, kwargs, field) -> None:
    day_night(org)
    with pytest.raises(DomainError) as err:
        _write(org, **kwargs)
    assert field in err.value.fields
    assert not Handover.objects.exists()


def test_one_handover_per_person_and_shift(org) -> None:
    day_night(org)
    _write(org)
    with pytest.raises(ConflictError):
        _write(org)


def test_tickets_outside_the_writers_scope_are_refused(org) -> None:
    day_night(org)
    theirs = make_ticket(org["agent_b1"])
    with pytest.raises(DomainError) as err:
        _write(org, ticket_numbers=[theirs.number])
    assert "ticket_numbers" in err.value.fields


def test_acknowledgement_by_the_incoming_agent(org) -> None:
    day_night(org)
    h = _write(org)
    for who in ("agent_a1", "agent_b1"):  # the writer; someone not on the next shift
        with pytest.raises(DomainError):
            services.handover_acknowledge(actor=org[who].user, handover=h, now=at(DAY, 17, 40))
    services.handover_acknowledge(
        actor=org["agent_a2"].user, handover=h, remark="已阅", now=at(DAY, 17, 40)
    )
    h.refresh_from_db()
    assert h.status == HandoverStatus.ACKNOWLEDGED and h.acknowledged_at == at(DAY, 17, 40)
    assert h.acks.get().remark == "已阅"
    with pytest.raises(ConflictError):
        services.handover_acknowledge(actor=org["agent_a2"].user, handover=h)


def test_without_a_roster_any_team_colleague_takes_over(org) -> None:
    h = _write(org, now=at(DAY, 17, 0))
    assert h.incoming_day is None and not h.acks.exists()
    assert h.ack_due_at == at(DAY, 17, 30)
    with pytest.raises(DomainError):  # another team
        services.handover_acknowledge(actor=org["agent_b1"].user, handover=h)
    services.handover_acknowledge(actor=org["agent_a2"].user, handover=h)
    h.refresh_from_db()
    assert h.status == HandoverStatus.ACKNOWLEDGED
    assert h.acks.get().expected is False


def test_scan_flags_a_shift_without_handover_per_person_once(org) -> None:
    day_night(org)
    # 白班 ends 17:30; 30 minutes later it is flagged — not before.
    assert services.duty_scan(now=at(DAY, 17, 50)).missing_flags == 0
    result = services.duty_scan(now=at(DAY, 18, 1))
    assert result.missing_flags == 1
    flag = HandoverFlag.objects.get()
    assert (flag.kind, flag.employee, flag.shift_code) == (FlagKind.MISSING, org["agent_a1"], "day")
    assert Notification.objects.filter(recipient=org["lead_a"].user).exists()
    assert services.duty_scan(now=at(DAY, 18, 30)).missing_flags == 0  # idempotent


def test_scan_leaves_a_shift_with_a_handover_alone_and_flags_late_confirmation(org) -> None:
    day_night(org)
    h = _write(org)
    result = services.duty_scan(now=at(DAY, 18, 5))
    assert result.missing_flags == 0 and result.unacknowledged_flags == 1
    flag = HandoverFlag.objects.get()
    assert (flag.kind, flag.employee, flag.handover) == (
        FlagKind.UNACKNOWLEDGED,
        org["agent_a2"],
        h,
    )
    h.refresh_from_db()
    assert h.ack_overdue is True
    # Confirming late still completes the handover; the flag stays.
    services.handover_acknowledge(actor=org["agent_a2"].user, handover=h, now=at(DAY, 18, 20))
    assert HandoverFlag.objects.count() == 1


def test_flags_are_incidents_with_the_fine_of_the_day_unless_waived(org) -> None:
    day_night(org)
    services.duty_scan(now=at(DAY, 18, 1))
    found = [i for i in workforce_incidents(DAY, DAY) if i.source == "handover"]
    assert len(found) == 1
    incident = found[0]
    assert (incident.rule, incident.employee_id, incident.money) == (
        "missed_handover",
        org["agent_a1"].pk,
        Decimal("-10"),
    )
    flag = HandoverFlag.objects.get()
    with pytest.raises(DomainError):  # an agent may not waive
        services.handover_flag_waive(actor=org["agent_a2"].user, flag=flag, reason="x")
    with pytest.raises(DomainError):  # out of the lead's team
        services.handover_flag_waive(actor=org["lead_b"].user, flag=flag, reason="x")
    with pytest.raises(DomainError):
        services.handover_flag_waive(actor=org["lead_a"].user, flag=flag, reason=" ")
    services.handover_flag_waive(actor=org["lead_a"].user, flag=flag, reason="当天停电")
    assert duty_incidents(DAY, DAY) == []
