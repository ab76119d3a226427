"""Ledger services — 奖惩台账: manual recording (登记), confirming (确认), appeals (申诉) and the
manager's revocation or correction (撤销/更正), for PERF-5, PERF-6, PERF-8 and the 申诉 procedure.

Every write goes through ``services.booking`` (amounts from the policy in force on the day, the
booking month, the department fund); these services add who may do it and for whom: a 组长 only
for the people of their team, a 客服主管/客服部经理 for their department (ORG-5), nobody for
themselves. Notifications tell the manager about a new appeal and the employee about the decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import Notification
from kefu.org.models import Employee
from kefu.org.selectors import employee_of, employees_for_user

from ..choices import AppealStatus, IncidentSource, IncidentStatus
from ..models import Appeal, Incident
from ..policy import performance_policy
from ..rules import signed
from . import booking

VIEW = "performance.view_incident"
VIEW_TEAM = "performance.view_team_incident"
RECORD = "performance.record_incident"
CONFIRM = "performance.confirm_incident"
DECIDE = "performance.decide_appeal"
IMPORT = "performance.import_incidents"
ADD_APPEAL = "performance.add_appeal"
VIEW_APPEAL = "performance.view_appeal"

DECISIONS = (AppealStatus.UPHELD, AppealStatus.REVOKED, AppealStatus.CORRECTED)


def _require(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def in_scope(actor: Any, employee_id: int) -> bool:
    """True when ``employee_id`` is among the people ``actor`` may see (ORG-5)."""
    return employees_for_user(actor).filter(pk=employee_id).exists()


def _require_scope(actor: Any, employee_id: int, *, what: str) -> None:
    """The actor may act on ``employee_id``: in their scope and not themselves."""
    me = employee_of(actor)
    if me is not None and me.pk == employee_id:
        raise PermissionDeniedError(f"不能为自己{what}", code="own_incident")
    if not in_scope(actor, employee_id):
        raise PermissionDeniedError(f"只能为本人管理范围内的员工{what}", code="out_of_scope")


def _notify(users: Iterable[Any], *, title: str, body: str, link: str) -> None:
    Notification.objects.bulk_create(
        [Notification(recipient=u, title=title, body=body, link=link) for u in users]
    )


def _detail_link(incident: Incident) -> str:
    return reverse("performance:incident_detail", args=[incident.pk])


def appeal_deadline(incident: Incident) -> dt.date | None:
    """The last day an appeal may be filed: confirmation day + ``appeal_window_days``."""
    if incident.confirmed_at is None:
        return None
    confirmed = timezone.localdate(incident.confirmed_at)
    return confirmed + dt.timedelta(days=performance_policy(confirmed).appeal_window_days)


def deciders_for(employee: Employee) -> list[Any]:
    """The users holding 处理申诉 whose scope includes ``employee`` (usually the 客服部经理)."""
    user_model = get_user_model()
    candidates = (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="decide_appeal")
            | Q(user_permissions__codename="decide_appeal")
        )
        .distinct()
    )
    return [u for u in candidates if u.has_perm(DECIDE) and in_scope(u, employee.pk)]


# --- recording and confirming ------------------------------------------------------------------
@transaction.atomic
def incident_record(
    *,
    actor: Any,
    employee: Employee,
    day: dt.date,
    rule_code: str,
    points: Decimal | None = None,
    money: Decimal | None = None,
    quantity: Decimal | None = None,
    description: str = "",
    evidence_link: str = "",
    propose_only: bool = False,
) -> Incident:
    """登记奖惩事件 (PERF-5, PERF-6): a 组长/主管/经理 records a catalogue rule for someone in scope.

    Amounts are magnitudes within the rule's range (None = the catalogue's default). A holder of
    确认 books it confirmed at once unless ``propose_only`` (仅提议); otherwise it is proposed.
    """
    _require(actor, RECORD)
    _require_scope(actor, employee.pk, what="登记奖惩")
    rule = performance_policy(day).rule(rule_code)
    if rule is not None and rule.per_unit and quantity is not None and quantity <= 0:
        raise DomainError(
            "quantity_required", f"请填写数量（{rule.per_unit}）", fields={"quantity": "须大于0"}
        )
    if len(evidence_link) > 300:
        raise DomainError("link_too_long", "证据链接过长", fields={"evidence_link": "最多300字"})
    confirm = actor.has_perm(CONFIRM) and not propose_only
    return booking.incident_book(
        actor=actor,
        employee=employee,
        day=day,
        rule_code=rule_code,
        source=IncidentSource.MANUAL,
        points=points,
        money=money,
        quantity=quantity,
        description=description.strip(),
        evidence_link=evidence_link.strip(),
        confirm=confirm,
    )


@transaction.atomic
def incident_confirm(*, actor: Any, incident: Incident) -> Incident:
    """确认: a proposal of someone in the actor's scope starts to count."""
    _require(actor, CONFIRM)
    _require_scope(actor, incident.employee_id, what="确认奖惩")
    return booking.incident_confirm(actor=actor, incident=incident)


@transaction.atomic
def incident_reject(*, actor: Any, incident: Incident, reason: str) -> Incident:
    """驳回提议: a proposal (e.g. an imported line a lead finds wrong) is set aside with a reason by
    whoever may confirm it. It never counted, so nothing is reversed; it becomes 已撤销."""
    _require(actor, CONFIRM)
    _require_scope(actor, incident.employee_id, what="驳回奖惩提议")
    if incident.status != IncidentStatus.PROPOSED or incident.reverses_id:
        raise ConflictError("not_proposed", "只有“待确认”的事件可以驳回；已确认的请由经理撤销")
    if not reason.strip():
        raise DomainError("reason_required", "请填写驳回理由", fields={"reason": "必填"})
    booking.incident_reverse(actor=actor, incident=incident, reason=reason)
    incident.refresh_from_db()
    return incident


@transaction.atomic
def incidents_confirm_bulk(*, actor: Any, incident_ids: Iterable[int]) -> int:
    """批量确认: every proposal among ``incident_ids`` in the actor's scope; the count confirmed.
    Anything else in the list (not proposed, out of scope, own) is left unchanged."""
    _require(actor, CONFIRM)
    me = employee_of(actor)
    scope = employees_for_user(actor).values("pk")
    qs = Incident.objects.filter(
        pk__in=list(incident_ids), status=IncidentStatus.PROPOSED, employee_id__in=scope
    )
    if me is not None:
        qs = qs.exclude(employee_id=me.pk)
    done = 0
    for incident in qs.order_by("day", "id"):
        booking.incident_confirm(actor=actor, incident=incident)
        done += 1
    return done


def _signed_correction(
    incident: Incident, points: Decimal | None, money: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    for value, name in ((points, "corrected_points"), (money, "corrected_money")):
        if value is not None and value < 0:
            raise DomainError(
                "negative_amount", "请填写正数（扣减或奖励由条目决定）", fields={name: "须≥0"}
            )
    return (
        None if points is None else signed(incident.category, points),
        None if money is None else signed(incident.category, money),
    )


def _close_pending_appeal(
    *, actor: Any, incident: Incident, status: str, note: str, points: Any, money: Any
) -> Appeal | None:
    appeal = (
        Appeal.objects.select_for_update()
        .filter(incident=incident, status=AppealStatus.PENDING)
        .first()
    )
    if appeal is None:
        return None
    appeal.status = status
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.decision_note = note
    appeal.corrected_points = points
    appeal.corrected_money = money
    appeal.save()
    return appeal


@transaction.atomic
def incident_revoke(
    *,
    actor: Any,
    incident: Incident,
    reason: str,
    corrected_points: Decimal | None = None,
    corrected_money: Decimal | None = None,
) -> tuple[Incident | None, Incident | None]:
    """撤销 / 更正 by the 客服部经理: a reversal entry in the first open month (and the corrected
    line when corrected amounts — magnitudes — are given). A pending appeal is decided with it."""
    _require(actor, DECIDE)
    _require_scope(actor, incident.employee_id, what="撤销或更正奖惩")
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销或更正的理由", fields={"reason": "必填"})
    pts, mny = _signed_correction(incident, corrected_points, corrected_money)
    reversal, corrected = booking.incident_reverse(
        actor=actor,
        incident=incident,
        reason=reason,
        corrected_points=pts,
        corrected_money=mny,
    )
    status = AppealStatus.CORRECTED if corrected else AppealStatus.REVOKED
    appeal = _close_pending_appeal(
        actor=actor, incident=incident, status=status, note=reason.strip(), points=pts, money=mny
    )
    if appeal is not None:
        audit.record(
            actor=actor,
            action="performance.appeal_decided",
            obj=appeal,
            after={"status": appeal.status, "incident": incident.pk},
            reason=reason.strip(),
        )
    employee = Employee.objects.select_related("user").get(pk=incident.employee_id)
    if employee.user_id:
        label = "更正" if corrected else "撤销"
        _notify(
            [employee.user],
            title=f"奖惩事件已{label}：{incident.rule_name}",
            body=reason.strip(),
            link=_detail_link(incident),
        )
    return reversal, corrected


# --- appeals -----------------------------------------------------------------------------------
@transaction.atomic
def appeal_file(*, actor: Any, incident: Incident, reason: str) -> Appeal:
    """申诉: the incident's own employee contests a confirmed line within the policy's window
    (``appeal_window_days`` after confirmation). The line becomes 申诉中 and the managers in
    scope are notified."""
    _require(actor, ADD_APPEAL)
    me = employee_of(actor)
    if me is None or me.pk != incident.employee_id:
        raise PermissionDeniedError("只能对本人的奖惩事件申诉", code="not_own_incident")
    if not reason.strip():
        raise DomainError("reason_required", "请填写申诉理由", fields={"reason": "必填"})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == IncidentStatus.APPEALED:
        raise ConflictError("appeal_pending", "该事件已有待处理的申诉")
    if incident.status != IncidentStatus.CONFIRMED or incident.reverses_id:
        raise ConflictError("not_appealable", "只有“已确认”的奖惩事件可以申诉")
    deadline = appeal_deadline(incident)
    if deadline is None or timezone.localdate() > deadline:
        raise ConflictError(
            "appeal_window_passed",
            f"申诉期限已过（须在确认后{performance_policy(incident.day).appeal_window_days}天内）",
        )
    now = timezone.now()
    appeal = Appeal.objects.create(
        incident=incident, employee=me, reason=reason.strip(), filed_at=now
    )
    incident.status = IncidentStatus.APPEALED
    incident.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="performance.appeal_filed",
        obj=appeal,
        after={"incident": incident.pk, "status": appeal.status},
        reason=appeal.reason,
    )
    audit.record(
        actor=actor,
        action="performance.incident_appealed",
        obj=incident,
        before={"status": IncidentStatus.CONFIRMED},
        after={"status": incident.status, "appeal": appeal.pk},
        reason=appeal.reason,
    )
    _notify(
        deciders_for(me),
        title=f"新的申诉：{me.name}（{incident.rule_name}）",
        body=appeal.reason,
        link=_detail_link(incident),
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    actor: Any,
    appeal: Appeal,
    decision: str,
    reason: str,
    corrected_points: Decimal | None = None,
    corrected_money: Decimal | None = None,
) -> Appeal:
    """处理申诉 (客服部经理): 维持原判 (the line counts again as confirmed), 撤销 (reversal entry)
    or 更正 (reversal + the corrected line). A reason is required; the employee is notified."""
    _require(actor, DECIDE)
    appeal = Appeal.objects.select_for_update().select_related("incident").get(pk=appeal.pk)
    incident = appeal.incident
    _require_scope(actor, incident.employee_id, what="处理申诉")
    if appeal.status != AppealStatus.PENDING:
        raise ConflictError("appeal_decided", "该申诉已处理")
    if decision not in DECISIONS:
        raise DomainError(
            "decision_invalid", "请选择处理结果", fields={"decision": "维持原判、撤销或更正"}
        )
    if not reason.strip():
        raise DomainError("reason_required", "请填写处理意见", fields={"reason": "必填"})
    if decision == AppealStatus.CORRECTED:
        if corrected_points is None and corrected_money is None:
            raise DomainError(
                "correction_required",
                "更正须填写更正后的分值或金额",
                fields={"corrected_points": "请填写", "corrected_money": "请填写"},
            )
        incident_revoke(
            actor=actor,
            incident=incident,
            reason=reason,
            corrected_points=corrected_points,
            corrected_money=corrected_money,
        )
    elif decision == AppealStatus.REVOKED:
        incident_revoke(actor=actor, incident=incident, reason=reason)
    else:
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        locked.status = IncidentStatus.CONFIRMED
        locked.save(update_fields=["status"])
        _close_pending_appeal(
            actor=actor,
            incident=locked,
            status=AppealStatus.UPHELD,
            note=reason.strip(),
            points=None,
            money=None,
        )
        audit.record(
            actor=actor,
            action="performance.appeal_decided",
            obj=appeal,
            after={"status": AppealStatus.UPHELD, "incident": incident.pk},
            reason=reason.strip(),
        )
        audit.record(
            actor=actor,
            action="performance.appeal_upheld",
            obj=locked,
            before={"status": IncidentStatus.APPEALED},
            after={"status": locked.status},
            reason=reason.strip(),
        )
        employee = Employee.objects.select_related("user").get(pk=incident.employee_id)
        if employee.user_id:
            _notify(
                [employee.user],
                title=f"申诉已处理：维持原判（{incident.rule_name}）",
                body=reason.strip(),
                link=_detail_link(incident),
            )
    appeal.refresh_from_db()
    return appeal
