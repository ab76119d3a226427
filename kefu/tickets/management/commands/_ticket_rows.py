"""Row maker for ``seed_tickets`` — 工单测试数据生成: one plain tuple per row, in column order.

Every row satisfies ``Ticket.Meta.constraints`` and ``statemachine.state_problems`` by
construction: a request has an owner unless it is 新建 and unassigned, an owner always has a
首问负责人, only 已转交 requests have exactly one transfer target, 已解决/已关闭 ones have been
answered, a 重大故障 closes only with its report. The command's tests check this on the rows.

The column orders, distributions and the SQL for the derived rows are ``_ticket_shape``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from kefu.core.calendar import SHANGHAI, calendar_for_range
from kefu.core.policy import sla_policy

from ...choices import CLOCK_PAUSED_STATUSES, OPEN_STATUSES, SUBKINDS_BY_KIND, SlaStage
from ...offline_messages import is_offline_message
from ...policy import tickets_policy
from ...services.clock import _next_check  # the services' own rule for the next check instant
from ...sla import Pause, SlaSubject, clock_at, compute_due, escalation_step, plan_for
from . import _ticket_vocab as vocab
from ._ticket_shape import (
    CHANNELS,
    DAY,
    HOURS,
    KINDS,
    PRIORITIES,
    UNATTENDED,
    fault_report_row,
    finished_sla,
    wall_clock_budgets,
)


@dataclass(frozen=True)
class Staff:
    """A front-line employee who may hold requests."""

    pk: int
    user_id: int
    department_id: int
    team_id: int | None
    active: bool


class _Picker:
    """Weighted choice by bisecting cumulative weights (faster than random.choices per call)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _at(day: dt.date, seconds: float) -> dt.datetime:
    return (
        dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + dt.timedelta(seconds=seconds)
    ).astimezone(dt.UTC)


class TicketMaker:
    """Makes the ticket rows day by day (and the few 故障分析报告 rows in ``faults``).

    Pauses and replies are derived from the stored requests afterwards in SQL (``CHILD_SQL``):
    formatting three million small rows in Python would double the time of the whole run.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        staff: Sequence[Staff],
        customers: Sequence[tuple[int, str, str, str]],
        first_id: int,
        counters: dict[dt.date, int],
    ) -> None:
        self.rng, self.now, self.customers = rng, now, customers
        self.next_id = first_id
        self.counters = counters
        self.faults: list[tuple[Any, ...]] = []
        self.last_numbers: dict[dt.date, int] = {}
        self.open_count = 0
        self.all_staff = list(staff)
        self.active = [s for s in staff if s.active] or self.all_staff
        self.by_department: dict[int, list[Staff]] = {}
        for s in self.active:
            self.by_department.setdefault(s.department_id, []).append(s)
        self.departments = sorted(self.by_department)
        self.channel, self.kind, self.priority = (
            _Picker(CHANNELS),
            _Picker(KINDS),
            _Picker(PRIORITIES),
        )
        self.hour = _Picker({str(h): w for h, w in enumerate(HOURS)})
        self._policies: dict[dt.date, tuple[Any, Any]] = {}
        self._calendar: Any = None

    def prepare(self, plan: Sequence[tuple[dt.date, int]]) -> None:
        """Read the policies and the calendar now: while the tickets stream into COPY, the
        connection is busy and a query from the row maker would wait for ever."""
        for day, _n in plan:
            self._policies[day] = (tickets_policy(day), sla_policy(day))
        if plan:
            today = self.now.astimezone(SHANGHAI).date()
            self._calendar = calendar_for_range(plan[0][0], today + 400 * DAY)

    # --- the days ---------------------------------------------------------------------------
    def rows(self, plan: Sequence[tuple[dt.date, int]]) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        local_now = self.now.astimezone(SHANGHAI)
        for day, n in plan:
            if day == local_now.date():  # today: only the part of the day that has passed
                passed = (local_now - _at(day, 0)).total_seconds()
                seconds = sorted(rng.random() * passed for _ in range(n))
            else:
                seconds = sorted(int(self.hour(rng)) * 3600 + rng.random() * 3600 for _ in range(n))
            start = self.counters.get(day, 0)
            for k, second in enumerate(seconds, start=1):
                received = min(_at(day, second), self.now - dt.timedelta(microseconds=n - k + 1))
                yield self._ticket(self.next_id, f"KF{day:%Y%m%d}-{start + k:04d}", received)
                self.next_id += 1
            self.last_numbers[day] = start + len(seconds)

    # --- one request ------------------------------------------------------------------------
    def _ticket(self, pk: int, number: str, received: dt.datetime) -> tuple[Any, ...]:
        rng, now = self.rng, self.now
        channel, kind = self.channel(rng), self.kind(rng)
        subkinds = SUBKINDS_BY_KIND.get(kind, ())
        subkind = rng.choice(subkinds) if subkinds else ""
        priority = self.priority(rng)
        if kind == "complaint" and priority == "normal" and rng.random() < 0.3:
            priority = "high"
        customer_id, grade, contact, phone = self.customers[
            int(len(self.customers) * rng.random() ** 1.3)
        ]
        title, description, demand = vocab.ticket_text(rng, kind, subkind, channel)
        platform, courier = rng.choice(vocab.PLATFORMS), rng.choice(vocab.COURIERS)
        wants_order = {"after_sales": 0.9, "order_issue": 1.0, "complaint": 0.5}.get(kind, 0.15)
        order_no = vocab.order_no(rng, platform) if rng.random() < wants_order else ""
        wants_tracking = {"order_issue": 0.8, "after_sales": 0.4}.get(kind, 0.0)
        tracking_no = vocab.tracking_no(rng, courier) if rng.random() < wants_tracking else ""
        purchase_date = (
            (received.astimezone(SHANGHAI).date() - dt.timedelta(days=rng.randint(3, 400)))
            if kind == "after_sales"
            else None
        )

        age = (now - received) / DAY
        status = self._status(age)
        is_open = status in OPEN_STATUSES

        # Who holds it. Web forms and e-mails may wait, unassigned, for someone to claim them.
        owner: Staff | None
        first: Staff | None
        eligible = True
        if status == "new" and channel in UNATTENDED and rng.random() < 0.7:
            owner = first = None
            department_id, team_id = rng.choice(self.departments), None
        else:
            owner = rng.choice(self.active if is_open else self.all_staff)
            first = owner
            department_id, team_id = owner.department_id, owner.team_id
            r = rng.random()
            if status != "new" and r < 0.15:  # handed over (transfer accepted, 改派) on the way
                first = rng.choice(self.by_department.get(owner.department_id) or self.active)
                eligible = False
            elif status in ("resolved", "closed") and r < 0.2:  # reopened once
                eligible = False
        received_by = first.user_id if first is not None and channel not in UNATTENDED else None

        pending_owner = pending_department = None
        if status == "transferred":
            eligible = False
            colleagues = [s for s in self.by_department.get(department_id, []) if s != owner]
            others = [d for d in self.departments if d != department_id]
            if colleagues and (rng.random() < 0.6 or not others):
                pending_owner = rng.choice(colleagues).pk
            elif others:
                pending_department = rng.choice(others)
            else:  # a one-person company: transfer to anyone but the owner
                pending_owner = next(s.pk for s in self.all_staff if s != owner)

        # Times: the first answer, the resolution, the closing.
        fr_budget, res_budget = wall_clock_budgets(channel, kind, priority, grade)
        responded = (
            status in ("waiting_customer", "resolved", "closed")
            or (status == "in_progress" and rng.random() < 0.75)
            or (status == "transferred" and rng.random() < 0.5)
        )
        first_responded_at = resolved_at = closed_at = paused_since = None
        if responded:
            delay = dt.timedelta(seconds=rng.expovariate(1 / (fr_budget.total_seconds() * 0.35)))
            first_responded_at = min(received + delay, received + (now - received) * rng.random())
        if status in ("resolved", "closed"):
            quick = channel in ("hotline", "online_chat", "visit") and kind == "inquiry"
            if quick and rng.random() < 0.6:
                delay = dt.timedelta(minutes=rng.uniform(1, 15))
            else:
                delay = dt.timedelta(
                    seconds=rng.expovariate(1 / (res_budget.total_seconds() * 0.35))
                )
            resolved_at = max(first_responded_at, received + delay)  # type: ignore[type-var]
            if resolved_at >= now:
                resolved_at = first_responded_at + (now - first_responded_at) * rng.random()  # type: ignore[operator]
            paused_since = resolved_at
            if status == "closed":
                closed_at = resolved_at + dt.timedelta(seconds=rng.uniform(600, 3 * 86400))
                if closed_at >= now:
                    status, closed_at = "resolved", None
        elif status == "waiting_customer":
            paused_since = first_responded_at + (now - first_responded_at) * rng.random()  # type: ignore[operator]

        finished = status in ("resolved", "closed")
        followed_up = finished and rng.random() < 0.35
        satisfied = (rng.random() < 0.9) if followed_up else None
        major_fault = rng.random() < 0.0003
        fault_report_complete = major_fault and (
            status == "closed" or (status == "resolved" and rng.random() < 0.5)
        )

        if is_open:
            self.open_count += 1
            due = self._open_sla(
                received,
                channel,
                kind,
                subkind,
                priority,
                grade,
                status,
                responded,
                first_responded_at,
                paused_since,
            )
        else:
            due = finished_sla(
                received, fr_budget, res_budget, kind, channel, first_responded_at, resolved_at
            )
        first_response_due, resolution_due, sla_level, fr_breached, res_breached, next_check = due

        updated_at = closed_at or resolved_at or paused_since or first_responded_at or received
        owner_user = owner.user_id if owner else None
        if fault_report_complete:
            self.faults.append(fault_report_row(rng, pk, title, received, owner_user, resolved_at))
        # TKT-8: repairs climb to 远程服务 or 上门服务 now and then; TKT-7 小红旗 on a few.
        service_mode = "hotline"
        if subkind in ("repair", "repair_report") and status != "new":
            r = rng.random()
            service_mode = "onsite" if r < 0.15 else "remote" if r < 0.35 else "hotline"
        red_flag = rng.random() < 0.01
        red_flag_note = rng.choice(vocab.RED_FLAG_NOTES) if red_flag else ""
        hours = self._policies[received.astimezone(SHANGHAI).date()][1].business_hours
        offline_message = is_offline_message(channel, received, hours)

        return (
            pk,
            number,
            channel,
            kind,
            subkind,
            priority,
            status,
            title,
            description,
            demand,
            customer_id,
            grade,
            contact if rng.random() < 0.6 else "",
            phone if rng.random() < 0.85 else "",
            order_no,
            purchase_date,
            tracking_no,
            received,
            received_by,
            owner.pk if owner else None,
            first.pk if first else None,
            pending_owner,
            pending_department,
            department_id,
            team_id,
            responded,
            first_responded_at,
            followed_up,
            satisfied,
            major_fault,
            fault_report_complete,
            eligible,
            finished and eligible,
            resolved_at,
            closed_at,
            first_response_due,
            resolution_due,
            paused_since,
            sla_level,
            fr_breached,
            res_breached,
            next_check,
            received,
            updated_at,
            service_mode,
            red_flag,
            red_flag_note,
            offline_message,
        )

    def _status(self, age: float) -> str:
        """Older requests are settled; the last days' are mostly open."""
        rng = self.rng
        p_open = (
            0.85 if age < 1 else 0.5 if age < 3 else 0.2 if age < 7 else 0.03 if age < 30 else 0.002
        )
        r = rng.random()
        if r < p_open:
            s = rng.random()
            if s < 0.18 and age < 3:
                return "new"
            if s < 0.25:
                return "transferred"
            if s < 0.43:
                return "waiting_customer"
            return "in_progress"
        if age < 5 and rng.random() < 0.5:
            return "resolved"
        return "closed" if rng.random() < 0.97 else "resolved"

    # --- deadlines of open requests: the real rules ------------------------------------------
    def _open_sla(
        self,
        received: dt.datetime,
        channel: str,
        kind: str,
        subkind: str,
        priority: str,
        grade: str,
        status: str,
        responded: bool,
        first_responded_at: dt.datetime | None,
        paused_since: dt.datetime | None,
    ) -> tuple[Any, ...]:
        tickets, sla = self._policies[received.astimezone(SHANGHAI).date()]
        subject = SlaSubject(received, channel, kind, priority, subkind, grade)
        plan = plan_for(subject, tickets=tickets, sla=sla, calendar=self._calendar)
        pauses = [Pause(paused_since, None)] if paused_since else []
        due = compute_due(plan, pauses, as_of=self.now)
        step = escalation_step(
            clock_at(plan.start, plan.resolution, pauses, self.now), plan.resolution
        )
        level = step.reached[-1] + 1 if step.reached else 0
        if responded:
            fr_breached = first_responded_at > due.first_response_due  # type: ignore[operator]
        else:
            fr_breached = self.now > due.first_response_due
        state = SimpleNamespace(
            status=status, responded=responded, first_response_breached=fr_breached, sla_level=level
        )
        next_check = None if status in CLOCK_PAUSED_STATUSES else _next_check(state, due)  # type: ignore[arg-type]
        return (
            due.first_response_due,
            due.resolution_due,
            level,
            fr_breached,
            step.stage == SlaStage.OVERDUE,
            next_check,
        )
