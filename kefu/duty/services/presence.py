"""Presence — 在线状态 (WFM-8): set a status (own, or another's by 工号), excuse a violation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.org.models import Employee

from ..choices import PresenceSource, PresenceStatus, ViolationStatus
from ..models import PresenceEvent, PresenceState, PresenceViolation
from .common import (
    EXCUSE_VIOLATION,
    SET_OTHERS_PRESENCE,
    SET_PRESENCE,
    acting_employee,
    require,
    require_in_scope,
)

REASON_MAX = 200


def _target(actor: Any, employee: Employee | int | str | None) -> tuple[Employee, bool]:
    """(whose status, set for someone else?) — by object, id or 工号."""
    me = acting_employee(actor)
    if employee is None or employee == "" or employee == me or employee == me.pk:
        return me, False
    if isinstance(employee, str) and employee == me.employee_no:
        return me, False
    require(actor, SET_OTHERS_PRESENCE)
    if isinstance(employee, Employee):
        target = employee
    else:
        lookup = {"employee_no": employee} if isinstance(employee, str) else {"pk": employee}
        target = Employee.objects.filter(**lookup).first()
        if target is None:
            raise DomainError(
                "presence_unknown_employee",
                "工号不存在",
                fields={"employee_no": "工号不存在"},
                status=404,
            )
    require_in_scope(actor, target.pk)
    if not target.is_active:
        raise DomainError(
            "presence_employee_left", "该员工已离职", fields={"employee_no": "该员工已离职"}
        )
    return target, True


@transaction.atomic
def presence_set(
    *,
    actor: Any,
    status: str,
    reason: str = "",
    employee: Employee | int | str | None = None,
    source: str = PresenceSource.WEB,
    now: dt.datetime | None = None,
) -> tuple[PresenceState, bool]:
    """Set an online status — 设置在线状态 (WFM-8): 在线 / 离开 (breaks) / 隐身 / 离线.

    Own status with 设置在线状态; another person's (by 工号) with 设置他人在线状态 and only within
    the actor's data scope (a supervisor's chat-tool integration). A repeat of the current status
    and reason changes nothing and returns ``changed=False`` (chat tools resend). Returns the
    state and whether it changed.
    """
    require(actor, SET_PRESENCE)
    if status not in PresenceStatus.values:
        raise DomainError("presence_status", "状态不正确", fields={"status": "请选择在线状态"})
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(
            "presence_reason_long", "原因过长", fields={"reason": f"不能超过{REASON_MAX}字"}
        )
    if source not in PresenceSource.values:
        source = PresenceSource.WEB
    target, for_other = _target(actor, employee)
    if for_other:
        source = PresenceSource.SUPERVISOR
    now = now or timezone.now()
    state = PresenceState.objects.select_for_update().filter(employee=target).first()
    if state is not None and state.status == status and state.reason == reason:
        return state, False
    before = {"status": state.status, "reason": state.reason} if state else None
    setter = acting_employee(actor)
    PresenceEvent.objects.create(
        employee=target, status=status, at=now, reason=reason, source=source, set_by=setter
    )
    if state is None:
        state = PresenceState(employee=target)
    if state.status != status:
        state.since = now
    state.status = status
    state.reason = reason
    state.source = source
    state.save()
    audit.record(
        actor=actor,
        action="duty.presence_set",
        obj=state,
        before=before,
        after={"employee": target.pk, "status": status, "reason": reason, "source": source},
    )
    return state, True


@transaction.atomic
def presence_violation_excuse(
    *, actor: Any, violation: PresenceViolation | int, reason: str
) -> PresenceViolation:
    """Accept the reason of an offline period — 认可当班离线原因 (WFM-8 "无特别原因" only counts)."""
    require(actor, EXCUSE_VIOLATION)
    me = acting_employee(actor)
    pk = violation.pk if isinstance(violation, PresenceViolation) else violation
    obj = PresenceViolation.objects.select_for_update().get(pk=pk)
    require_in_scope(actor, obj.employee_id)
    if obj.status == ViolationStatus.EXCUSED:
        raise ConflictError("violation_excused", "该记录已认可原因")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("violation_reason", "请填写原因", fields={"reason": "请填写原因"})
    if len(reason) > 300:
        raise DomainError("violation_reason", "原因过长", fields={"reason": "不能超过300字"})
    obj.status = ViolationStatus.EXCUSED
    obj.excused_by = me
    obj.excused_at = timezone.now()
    obj.excuse_reason = reason
    obj.save(update_fields=["status", "excused_by", "excused_at", "excuse_reason"])
    audit.record(actor=actor, action="duty.violation_excuse", obj=obj, reason=reason)
    return obj
