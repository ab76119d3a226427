"""Demo handovers and presence — 演示交接班与在线 for ``manage.py seed_demo``.

Made through the services by the people who would act. With a published roster, the last days'
shifts are kept as the regulations want (sign-in at the start, a handover at the end confirmed
by the next shift) with a few exceptions the scan then flags: one shift without a handover, the
latest handover unconfirmed, one agent offline for 40 minutes. Without a roster three agents of
one team keep the book by hand (a confirmed 白班 handover, an unconfirmed 晚班 one) and set their
status during the day. Idempotent: nothing is written when handovers or presence events exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kefu.core.errors import DomainError
from kefu.org.choices import EmployeeStatus, Role
from kefu.org.models import Employee, Team
from kefu.tickets.selectors import my_open_tickets

from . import services
from .models import Handover, PresenceEvent
from .rules import Cell
from .schedule import WindowCache, cell_of, team_cells
from .services.scan import LOOKBACK_DAYS

logger = logging.getLogger(__name__)


def _team_agents() -> list[Employee]:
    agents = Q(
        members__status=EmployeeStatus.ACTIVE,
        members__user__is_active=True,
        members__user__groups__name=Role.AGENT.label,
    )
    team = (
        Team.objects.annotate(n=Count("members", filter=agents, distinct=True))
        .filter(n__gte=3)
        .order_by("-n", "id")
        .first()
    )
    if team is None:
        return []
    return list(
        Employee.objects.filter(
            team=team,
            status=EmployeeStatus.ACTIVE,
            user__is_active=True,
            user__groups__name=Role.AGENT.label,
        )
        .select_related("user")
        .order_by("employee_no")
        .distinct()[:3]
    )


def _write(
    person: Employee, day: dt.date, code: str, pending: str, **extra: Any
) -> Handover | None:
    cell = cell_of(person.pk, day)
    if cell is not None:
        code = cell[1]
        if code in ("rest", "leave"):
            return None
    tickets = [t.pk for t in my_open_tickets(person.user)[:3]]
    try:
        return services.handover_create(
            actor=person.user,
            day=day,
            shift_code=code,
            ticket_ids=tickets,
            pending_work=pending,
            **extra,
        )
    except DomainError as exc:
        logger.info("demo handover skipped: %s", exc.message)
        return None


def _acknowledge(handover: Handover, colleagues: list[Employee]) -> None:
    expected = [a.employee for a in handover.acks.select_related("employee__user")]
    for person in expected or colleagues:
        try:
            services.handover_acknowledge(
                actor=person.user, handover=handover, remark="已阅，客户问题已接手"
            )
            return
        except DomainError:
            continue


def _seed_without_roster(people: list[Employee]) -> None:
    """No published roster: three agents of one team keep the book by hand."""
    a, b, c = people
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first = _write(
        a,
        yesterday,
        "day",
        "1. 客户王先生的退货单等待仓库签收，到货后请电话告知。\n2. 下午的批量订单已打印，尚未发货。",
        staffing="客服甲二与客服甲三调班一天（已经组长批准）",
        notes="经理要求本周内回访所有投诉客户。",
    )
    if first is not None:
        _acknowledge(first, [b, c])
    _write(
        c,
        yesterday,
        "night",
        "晚班留言3条已回复，1条需白班电话联系客户确认地址。",
        equipment_ok=False,
        equipment_notes="2号座席耳机有杂音，已报信息中心",
    )
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    def at(hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(today, dt.time(hour, minute), tzinfo=tz)

    steps = [
        (a, "online", "", at(8, 25)),
        (b, "online", "", at(8, 28)),
        (a, "away", "午休", at(12, 0)),
        (a, "online", "", at(12, 40)),
        (c, "offline", "", at(8, 0)),
    ]
    _presence(steps)


def _presence(steps: list[tuple[Employee, str, str, dt.datetime]]) -> None:
    now = timezone.now()
    for person, status, reason, when in sorted(steps, key=lambda s: (s[3], s[0].pk)):
        if when > now:
            continue
        try:
            services.presence_set(actor=person.user, status=status, reason=reason, now=when)
        except DomainError as exc:
            logger.info("demo presence skipped: %s", exc.message)


PENDING_TEXTS = (
    "晚班留言已全部回复；1位客户需白班电话确认收货地址。",
    "客户王先生的退货单等待仓库签收，到货后请电话告知。",
    "下午的批量订单已打印，尚未发货，请跟进物流单号。",
    "无",
)


def _seed_from_roster(cells: dict[int | None, list[Cell]]) -> None:
    """A published roster: everyone on it signs in at the start of their shift and out at the end
    (one agent drops offline for 40 minutes once); each ended shift of the window is handed over
    by its first member and confirmed by the next shift — except the earliest shift of one team
    (未交班) and the latest handover (still waiting, or 超时未接班 once its deadline passed)."""
    now = timezone.now()
    people = {
        e.pk: e
        for e in Employee.objects.filter(
            pk__in={c.employee_id for cs in cells.values() for c in cs}
        ).select_related("user")
    }
    steps: list[tuple[Employee, str, str, dt.datetime]] = []
    ended: dict[tuple[int, dt.date, str], list[Cell]] = {}
    dropped = False
    for team_id, team_cells_ in cells.items():
        for cell in team_cells_:
            person = people.get(cell.employee_id)
            if person is None or person.user_id is None or cell.start > now:
                continue
            steps.append((person, "online", "", cell.start))
            if cell.end <= now:
                steps.append((person, "offline", "", cell.end))
                if team_id is not None:
                    ended.setdefault((team_id, cell.day, cell.code), []).append(cell)
                if not dropped and cell.end - cell.start >= dt.timedelta(hours=3):
                    middle = cell.start + dt.timedelta(hours=2)
                    steps.append((person, "offline", "网络故障", middle))
                    steps.append((person, "online", "", middle + dt.timedelta(minutes=40)))
                    dropped = True
    _presence(steps)
    groups = sorted(ended.items(), key=lambda kv: (kv[1][0].end, kv[0][0]))
    skipped_team = groups[0][0][0] if groups else None
    written: list[Handover] = []
    for n, ((team_id, day, code), members) in enumerate(groups):
        if n == 0 and team_id == skipped_team:
            continue  # 未交班: the scan flags everyone on this shift
        author = people[min(members, key=lambda c: people[c.employee_id].employee_no).employee_id]
        h = _write(
            author,
            day,
            code,
            PENDING_TEXTS[n % len(PENDING_TEXTS)],
            staffing="无",
            now=members[0].end - dt.timedelta(minutes=10),
        )
        if h is not None:
            written.append(h)
    for h in written[:-1]:
        for ack in h.acks.select_related("employee__user"):
            try:
                services.handover_acknowledge(
                    actor=ack.employee.user,
                    handover=h,
                    remark="已阅",
                    now=min(h.ack_due_at - dt.timedelta(minutes=10), now),
                )
            except DomainError as exc:
                logger.info("demo acknowledgement skipped: %s", exc.message)


def seed_demo_duty(actor: Any) -> None:
    if Handover.objects.exists() or PresenceEvent.objects.exists():
        return
    today = timezone.localdate()
    days = [today - dt.timedelta(days=i) for i in range(LOOKBACK_DAYS, -1, -1)]
    cells = {k: v for k, v in team_cells(days, windows=WindowCache()).items() if v}
    if cells:
        _seed_from_roster(cells)
    else:
        people = _team_agents()
        if len(people) < 3:
            return
        _seed_without_roster(people)
    services.duty_scan()
