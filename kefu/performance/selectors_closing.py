"""Month-close reads — 月结查询: the months with their status, due day and pending counts, and one
month's summary (from the PayrollLine snapshot once closed, from the ledger before)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from .choices import COUNTED_STATUSES, AppealStatus, IncidentStatus, MonthCloseStatus
from .models import Appeal, Incident, MonthClose, PayrollLine
from .periods import month_end, month_start, next_month, previous_month
from .policy import DOMAIN, PerformancePolicy
from .services.closing import close_due, month_label

ZERO = Decimal("0")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2000


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-10" → 2026-10-01; None for anything else."""
    match = MONTH_RE.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def _close_by_days(months: set[dt.date]) -> dict[dt.date, dt.date]:
    """The due day of each month (``close_by_day`` of the policy in force on the first day of
    the next month), with one query for all the policy versions instead of one per month."""
    from kefu.core.models import Policy

    versions = list(
        Policy.objects.filter(domain=DOMAIN)
        .order_by("effective_from")
        .values_list("effective_from", "body")
    )
    parsed: dict[dt.date, int] = {}
    due: dict[dt.date, dt.date] = {}
    for month in months:
        nxt = next_month(month)
        live = [v for v in versions if v[0] <= nxt]
        if not live:
            due[month] = close_due(month)  # no version in force: the usual error path
            continue
        start, body = live[-1]
        if start not in parsed:
            parsed[start] = PerformancePolicy.model_validate(body).close_by_day
        due[month] = nxt.replace(day=parsed[start])
    return due


@dataclass
class MonthRow:
    """One month of the 月结 list."""

    month: dt.date
    status: str
    status_label: str
    due: dt.date
    proposals: int = 0
    appeals: int = 0
    over: bool = False  # the month has ended
    overdue: bool = False
    close: MonthClose | None = None

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        return month_label(self.month)


def month_rows(*, today: dt.date) -> list[MonthRow]:
    """Every month that has a close row or ledger lines, plus last and this month; newest first.
    Four queries whatever the number of months."""
    closes = {
        c.month: c
        for c in MonthClose.objects.select_related("reviewed_by__employee", "approved_by__employee")
    }
    months = set(closes)
    months.update(Incident.objects.order_by().values_list("month", flat=True).distinct())
    current = month_start(today)
    months.update({current, previous_month(current)})
    months = {m for m in months if m <= current}
    proposals = dict(
        Incident.objects.filter(status=IncidentStatus.PROPOSED)
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    appeals = dict(
        Appeal.objects.filter(status=AppealStatus.PENDING)
        .order_by()
        .values_list("incident__month")
        .annotate(n=Count("pk"))
    )
    dues = _close_by_days(months)
    rows = []
    for month in sorted(months, reverse=True):
        close = closes.get(month)
        status = close.status if close else MonthCloseStatus.OPEN
        due = dues[month]
        closed = status == MonthCloseStatus.CLOSED
        rows.append(
            MonthRow(
                month=month,
                status=status,
                status_label=MonthCloseStatus(status).label,
                due=due,
                proposals=proposals.get(month, 0),
                appeals=appeals.get(month, 0),
                over=today > month_end(month),
                overdue=not closed and today > due,
                close=close,
            )
        )
    return rows


@dataclass
class MonthSummary:
    """The figures of one month — 月结汇总."""

    month: dt.date
    status: str
    people: int = 0
    incidents: int = 0
    fines_total: Decimal = ZERO
    rewards_total: Decimal = ZERO
    net_total: Decimal | None = None
    flagged: int = 0
    proposals: int = 0
    appeals: int = 0
    flags: list[tuple[str, str]] = field(default_factory=list)  # (name, flag)

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "incidents": self.incidents,
            "fines_total": self.fines_total,
            "rewards_total": self.rewards_total,
            "net_total": self.net_total,
            "flagged": self.flagged,
            "proposals": self.proposals,
            "appeals": self.appeals,
        }


def _cents(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def month_summary(month: dt.date) -> MonthSummary:
    """Summary numbers of ``month``: the closed snapshot's when closed, else the live ledger's."""
    close = MonthClose.objects.filter(month=month).first()
    status = close.status if close else MonthCloseStatus.OPEN
    counted = Incident.objects.filter(month=month, status__in=COUNTED_STATUSES)
    agg = counted.aggregate(
        n=Count("pk"),
        people=Count("employee", distinct=True),
        fines=Sum("money", filter=Q(money__lt=0)),
        rewards=Sum("money", filter=Q(money__gt=0)),
    )
    summary = MonthSummary(
        month=month,
        status=status,
        people=agg["people"] or 0,
        incidents=agg["n"] or 0,
        fines_total=_cents(agg["fines"]),
        rewards_total=_cents(agg["rewards"]),
    )
    summary.proposals = Incident.objects.filter(month=month, status=IncidentStatus.PROPOSED).count()
    summary.appeals = Appeal.objects.filter(
        status=AppealStatus.PENDING, incident__month=month
    ).count()
    if status == MonthCloseStatus.CLOSED:
        lines = PayrollLine.objects.filter(month=month)
        pl = lines.aggregate(n=Count("pk"), net=Sum("net"))
        summary.people = pl["n"] or 0
        summary.net_total = _cents(pl["net"])
        flagged = list(
            lines.exclude(flags=[])
            .select_related("employee")
            .only("flags", "employee__name")
            .order_by("employee__employee_no")
        )
        summary.flagged = len(flagged)
        summary.flags = [(p.employee.name, "、".join(p.flags)) for p in flagged]
    else:
        dismissals = (
            counted.filter(dismissal_proposed=True, reverses__isnull=True)
            .exclude(status=IncidentStatus.REVOKED)
            .select_related("employee")
            .only("employee__name", "rule_name")
        )
        summary.flags = [(i.employee.name, f"建议辞退（{i.rule_name}）") for i in dismissals]
        summary.flagged = len(summary.flags)
    return summary


def payroll_lines(month: dt.date, scope: Q) -> Any:
    """The frozen payroll rows of a closed month for the employees in ``scope`` (a Q over
    Employee), by 工号."""
    return (
        PayrollLine.objects.filter(month=month)
        .filter(employee__in=_employees(scope))
        .select_related("employee")
        .order_by("employee__employee_no")
    )


def _employees(scope: Q) -> Any:
    from kefu.org.models import Employee

    return Employee.objects.filter(scope).values("pk")
