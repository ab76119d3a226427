"""Handover book — 交接班记录 (WFM-7): write, confirm (接班确认), waive a flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.core.models import Notification
from kefu.org.models import Employee
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import tickets_for_user
from kefu.workforce.shifts import shift_names

from ..choices import HandoverStatus
from ..models import Handover, HandoverAck, HandoverFlag, HandoverTicket
from ..policy import duty_policy
from ..rules import Incoming, ack_deadline, pick_incoming
from ..schedule import WindowCache, cell_of, team_cells
from .common import (
    ACK_HANDOVER,
    ADD_HANDOVER,
    WAIVE_FLAG,
    acting_employee,
    require,
    require_in_scope,
)

TEXT_MAX = 2000
SHORT_MAX = 500
TICKETS_MAX = 50
# A handover may be written for a shift of today or the last few days (a night shift ends at
# midnight; the book is filled in the morning at the latest).
WRITE_BACK_DAYS = 3


def notify(employees: Iterable[Employee], *, title: str, body: str, link: str) -> int:
    """In-app notifications — 站内消息, one per distinct person with a login."""
    seen: set[int] = set()
    rows = []
    for e in employees:
        if e.user_id is None or e.user_id in seen:
            continue
        seen.add(e.user_id)
        rows.append(Notification(recipient_id=e.user_id, title=title, body=body, link=link))
    Notification.objects.bulk_create(rows)
    return len(rows)


def _text(value: str | None, limit: int, field: str, label: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = f"{label}不能超过{limit}字"
    return text


def incoming_for(
    *,
    team_id: int | None,
    day: dt.date,
    shift_code: str,
    exclude: Iterable[int] = (),
    windows: WindowCache | None = None,
) -> Incoming | None:
    """The team's next rostered shift after ``shift_code`` on ``day`` (published roster)."""
    windows = windows or WindowCache()
    window = windows(shift_code, day)
    if window is None or team_id is None:
        return None
    policy = duty_policy(day).handover
    days = [day + dt.timedelta(days=i) for i in range(policy.lookahead_days + 1)]
    cells = team_cells(days, team_ids=[team_id], windows=windows).get(team_id, [])
    return pick_incoming(
        window[0], window[1], cells, overlap_minutes=policy.overlap_minutes, exclude=exclude
    )


def _resolve_tickets(
    actor: Any, ids: Iterable[int], numbers: Iterable[str], errors: dict[str, str]
) -> list[Ticket]:
    wanted_ids = {int(i) for i in ids if i}
    wanted_numbers = {n.strip().upper() for n in numbers if n and n.strip()}
    if len(wanted_ids) + len(wanted_numbers) > TICKETS_MAX:
        errors["tickets"] = f"一次最多交接{TICKETS_MAX}张工单"
        return []
    if not wanted_ids and not wanted_numbers:
        return []
    visible = tickets_for_user(actor)
    found = list(visible.filter(pk__in=wanted_ids)) if wanted_ids else []
    by_number = (
        {t.number: t for t in visible.filter(number__in=wanted_numbers)} if wanted_numbers else {}
    )
    missing = sorted(wanted_numbers - set(by_number))
    if len(found) < len(wanted_ids):
        errors["tickets"] = "部分工单不存在或无权查看"
    if missing:
        errors["ticket_numbers"] = f"工单 {'、'.join(missing[:5])} 不存在或无权查看"
    unique = {t.pk: t for t in [*found, *by_number.values()]}
    return list(unique.values())


@transaction.atomic
def handover_create(
    *,
    actor: Any,
    day: dt.date,
    shift_code: str,
    pending_work: str,
    ticket_ids: Iterable[int] = (),
    ticket_numbers: Iterable[str] = (),
    ticket_notes: Mapping[int | str, str] | None = None,
    equipment_ok: bool = True,
    equipment_notes: str = "",
    staffing: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> Handover:
    """Write the handover of a shift — 填写交接班记录 (WFM-7).

    The outgoing agent records the open customer questions (linked service requests), pending
    work, equipment state and staffing changes. The people rostered on the team's next shift
    (published roster) become the expected 接班人 and are notified; they must confirm in time.
    """
    require(actor, ADD_HANDOVER)
    author = acting_employee(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    names = {k: v for k, v in shift_names(day).items() if k not in ("rest", "leave")}
    if shift_code not in names:
        errors["shift_code"] = "请选择班次"
    if day > today:
        errors["day"] = "不能为以后的日期交班"
    elif day < today - dt.timedelta(days=WRITE_BACK_DAYS):
        errors["day"] = f"只能填写最近{WRITE_BACK_DAYS}天的交接班记录"
    pending = _text(pending_work, TEXT_MAX, "pending_work", "待处理事宜", errors)
    if not pending:
        errors["pending_work"] = "请填写待处理事宜（没有请写“无”）"
    eq_notes = _text(equipment_notes, SHORT_MAX, "equipment_notes", "设备情况", errors)
    if not equipment_ok and not eq_notes:
        errors["equipment_notes"] = "设备异常时请说明设备情况"
    staffing = _text(staffing, SHORT_MAX, "staffing", "人员调班情况", errors)
    notes = _text(notes, TEXT_MAX, "notes", "其他事项", errors)
    cell = None
    windows = WindowCache()
    if "shift_code" not in errors and "day" not in errors:
        cell = cell_of(author.pk, day)
        if cell is not None and cell[1] != shift_code:
            rostered = shift_names(day).get(cell[1], cell[1])
            errors["shift_code"] = f"您{day:%m月%d日}排的是{rostered}，请选择本人的班次"
        else:
            window = windows(shift_code, day)
            if window is not None and now < window[0]:
                errors["shift_code"] = "该班次尚未开始，不能交班"
    tickets = _resolve_tickets(actor, ticket_ids, ticket_numbers, errors)
    if errors:
        raise DomainError("handover_invalid", "交接班记录填写有误", fields=errors)
    if Handover.objects.filter(author=author, day=day, shift_code=shift_code).exists():
        raise ConflictError("handover_exists", "您已填写该班次的交接班记录")
    team_id = cell[0] if cell is not None else author.team_id
    incoming = incoming_for(
        team_id=team_id, day=day, shift_code=shift_code, exclude=[author.pk], windows=windows
    )
    policy = duty_policy(day).handover
    handover = Handover.objects.create(
        team_id=team_id,
        day=day,
        shift_code=shift_code,
        author=author,
        written_at=now,
        pending_work=pending,
        equipment_ok=equipment_ok,
        equipment_notes=eq_notes,
        staffing=staffing,
        notes=notes,
        incoming_day=incoming.day if incoming else None,
        incoming_shift_code=incoming.code if incoming else "",
        ack_due_at=ack_deadline(
            incoming.start if incoming else None, now, policy.ack_within_minutes
        ),
    )
    ticket_notes = ticket_notes or {}
    HandoverTicket.objects.bulk_create(
        HandoverTicket(
            handover=handover,
            ticket=t,
            note=(ticket_notes.get(t.pk) or ticket_notes.get(t.number) or "")[:300],
        )
        for t in tickets
    )
    receivers = list(Employee.objects.filter(pk__in=incoming.employee_ids)) if incoming else []
    HandoverAck.objects.bulk_create(HandoverAck(handover=handover, employee=e) for e in receivers)
    link = reverse("duty:handover_detail", args=[handover.pk])
    notify(
        receivers,
        title=f"交接班待确认：{author.name} {day:%m-%d} {names[shift_code]}",
        body=f"请在 {timezone.localtime(handover.ack_due_at):%m-%d %H:%M} 前确认接班",
        link=link,
    )
    audit.record(
        actor=actor,
        action="duty.handover_create",
        obj=handover,
        after={
            "day": day,
            "shift_code": shift_code,
            "tickets": [t.number for t in tickets],
            "receivers": [e.pk for e in receivers],
            "equipment_ok": equipment_ok,
        },
    )
    return handover


@transaction.atomic
def handover_acknowledge(
    *, actor: Any, handover: Handover | int, remark: str = "", now: dt.datetime | None = None
) -> Handover:
    """Confirm a handover — 接班确认 (WFM-7), with an optional remark.

    The expected 接班人 confirm; someone rostered on the next shift since (a swap) may too. When
    nobody was rostered (no published roster), any colleague of the team may take it over.
    """
    require(actor, ACK_HANDOVER)
    me = acting_employee(actor)
    now = now or timezone.now()
    pk = handover.pk if isinstance(handover, Handover) else handover
    obj = Handover.objects.select_for_update().get(pk=pk)
    remark = (remark or "").strip()
    if len(remark) > SHORT_MAX:
        raise DomainError(
            "handover_remark_long", "接班备注过长", fields={"remark": f"不能超过{SHORT_MAX}字"}
        )
    if obj.author_id == me.pk:
        raise DomainError("handover_own", "不能确认自己的交班", status=409)
    acks = {a.employee_id: a for a in obj.acks.select_for_update()}
    mine = acks.get(me.pk)
    if mine is not None and mine.acknowledged_at is not None:
        raise ConflictError("handover_already_acknowledged", "您已确认接班")
    if mine is None:
        expected_any = any(a.expected for a in acks.values())
        incoming = incoming_for(
            team_id=obj.team_id, day=obj.day, shift_code=obj.shift_code, exclude=[obj.author_id]
        )
        if incoming is not None and me.pk in incoming.employee_ids:
            mine = HandoverAck(handover=obj, employee=me, expected=True)
        elif not expected_any and incoming is None and me.team_id and me.team_id == obj.team_id:
            mine = HandoverAck(handover=obj, employee=me, expected=False)
        else:
            raise DomainError("handover_not_receiver", "您不是下一班的接班人，不能确认", status=403)
    mine.acknowledged_at = now
    mine.remark = remark
    mine.save()
    acks[me.pk] = mine
    expected = [a for a in acks.values() if a.expected]
    done = all(a.acknowledged_at for a in expected) if expected else True
    if done and obj.status != HandoverStatus.ACKNOWLEDGED:
        obj.status = HandoverStatus.ACKNOWLEDGED
        obj.acknowledged_at = now
        obj.save(update_fields=["status", "acknowledged_at"])
    audit.record(
        actor=actor,
        action="duty.handover_acknowledge",
        obj=obj,
        after={"employee": me.pk, "remark": remark, "late": now > obj.ack_due_at},
    )
    return obj


@transaction.atomic
def handover_flag_waive(*, actor: Any, flag: HandoverFlag | int, reason: str) -> HandoverFlag:
    """Waive a handover flag — 撤销交接班异常 (e.g. the shift was cancelled); no incident then."""
    require(actor, WAIVE_FLAG)
    me = acting_employee(actor)
    pk = flag.pk if isinstance(flag, HandoverFlag) else flag
    obj = HandoverFlag.objects.select_for_update().get(pk=pk)
    require_in_scope(actor, obj.employee_id)
    if obj.waived_at is not None:
        raise ConflictError("flag_already_waived", "该异常已撤销")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("flag_reason", "请填写撤销原因", fields={"reason": "请填写撤销原因"})
    if len(reason) > 300:
        raise DomainError("flag_reason", "撤销原因过长", fields={"reason": "不能超过300字"})
    obj.waived_at = timezone.now()
    obj.waived_by = me
    obj.waive_reason = reason
    obj.save(update_fields=["waived_at", "waived_by", "waive_reason"])
    audit.record(
        actor=actor, action="duty.flag_waive", obj=obj, after={"kind": obj.kind}, reason=reason
    )
    return obj
