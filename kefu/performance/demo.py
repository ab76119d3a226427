"""Demo data of the incident ledger — 演示奖惩台账 for ``manage.py seed_demo``.

For the 售前组 (or the first team with a leader and three agents): last month and this month a
few lines recorded by the team lead through the services — fines (PERF-6), deductions (PERF-5), a
customer praise (加分), an adopted suggestion (奖励), one proposal waiting for confirmation and one
pending appeal — then whatever the workforce modules found in those two months is imported.
Idempotent: the manual part is skipped once the team has manual lines; the import never books an
incident twice. The month before last is then reviewed by the 客服部经理, approved by the 总经理 and
closed (once), so the 月结 page, the notices and the payroll Excel have a closed month to show.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.org.choices import EmployeeStatus
from kefu.org.models import Employee, Team

from .choices import IncidentSource
from .models import Incident, MonthClose
from .periods import previous_month
from .services import ledger
from .services.imports import import_workforce_incidents

logger = logging.getLogger(__name__)

TEAM = "售前组"
# (member index, months back, day of month, rule, kwargs, description)
PLANS: tuple[tuple[int, int, int, str, dict[str, Any], str], ...] = (
    (0, 1, 8, "contact_leaked", {}, "将同事手机号告知客户"),
    (1, 1, 12, "posture", {}, "值班时趴在桌上"),
    (2, 1, 15, "customer_praise", {"points": Decimal("8")}, "客户来电表扬耐心细致"),
    (1, 1, 20, "slow_greeting", {"quantity": Decimal("2")}, "顾客进门约1分钟后才招呼"),
    (0, 0, 2, "unrelated_activity", {}, "上班时间玩手机游戏"),
    (1, 0, 3, "chatting", {"points": Decimal("2")}, "值班时与同事闲聊"),
    (2, 0, 4, "suggestion_money", {"money": Decimal("30")}, "建议增加夜间快捷回复模板，已采纳"),
    (1, 0, 5, "cleaning_duty_skipped", {"propose_only": True}, "周一值日未打扫"),
)
APPEAL = (4, "当时在帮客户查物流，不是玩游戏，有聊天记录为证")


def _team() -> Team | None:
    team = Team.objects.filter(name=TEAM, leader__isnull=False).first()
    if team is not None:
        return team
    active = Q(members__status=EmployeeStatus.ACTIVE)
    return (
        Team.objects.filter(leader__isnull=False)
        .annotate(n=Count("members", filter=active))
        .filter(n__gte=4)
        .order_by("id")
        .first()
    )


def _seed_manual(team: Team) -> None:
    lead = team.leader
    if lead is None or lead.user_id is None:
        return
    members = list(
        Employee.objects.filter(team=team, status=EmployeeStatus.ACTIVE, user__isnull=False)
        .exclude(pk=lead.pk)
        .select_related("user")
        .order_by("employee_no")[:3]
    )
    if len(members) < 3:
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    booked: list[Incident | None] = []
    for index, back, day_of_month, rule, kwargs, description in PLANS:
        month = previous_month(this_month) if back else this_month
        day = min(month.replace(day=day_of_month), today)
        try:
            booked.append(
                ledger.incident_record(
                    actor=lead.user,
                    employee=members[index],
                    day=day,
                    rule_code=rule,
                    description=description,
                    **kwargs,
                )
            )
        except DomainError as exc:
            logger.info("demo incident %s skipped: %s", rule, exc.message)
            booked.append(None)
    position, reason = APPEAL
    incident = booked[position] if position < len(booked) else None
    if incident is not None:
        try:
            ledger.appeal_file(actor=incident.employee.user, incident=incident, reason=reason)
        except DomainError as exc:
            logger.info("demo appeal skipped: %s", exc.message)


def seed_demo_performance(actor: Any) -> None:
    """Seed demo incidents and an appeal, then import the workforce incidents (idempotent)."""
    team = _team()
    if (
        team is not None
        and not Incident.objects.filter(employee__team=team, source=IncidentSource.MANUAL).exists()
    ):
        _seed_manual(team)
    today = timezone.localdate()
    start = previous_month(today.replace(day=1))
    try:
        import_workforce_incidents(actor=actor, start=start, end=today)
    except DomainError as exc:  # pragma: no cover - the range is always valid
        logger.info("demo import skipped: %s", exc.message)
    seed_demo_closed_month(today)


def _demo_user_with(perm: str) -> Any:
    from .services.closing import holders_of

    return holders_of(perm).filter(is_superuser=False, employee__isnull=False).first()


def seed_demo_closed_month(today: Any = None) -> MonthClose | None:
    """Close the month before last through the real workflow (经理审核 → 总经理批准 → 结账),
    unless that month already has a close row. Returns its row, or None without the people."""
    from .services import closing

    month = previous_month(previous_month((today or timezone.localdate()).replace(day=1)))
    if MonthClose.objects.filter(month=month).exists():
        return None
    manager = _demo_user_with(closing.REVIEW_PERM)
    gm = _demo_user_with(closing.APPROVE_PERM)
    if manager is None or gm is None:
        return None
    try:
        closing.month_review(actor=manager, month=month, note="演示：已核对当月奖惩与计分卡")
        closing.month_approve(actor=gm, month=month)
        # The queued job would do the same when the worker starts; run it now so the demo has
        # the closed month at once (the job then finds it closed and changes nothing).
        closing.month_close_run(actor=gm, month=month)
    except DomainError as exc:
        logger.info("demo month close skipped: %s", exc.message)
    return MonthClose.objects.filter(month=month).first()
