"""投诉统计 — the monthly complaint statistics (CMP-7, RPT-1), pure.

``compute_stats(records, close_days=7)`` counts one month's complaints by ground (投诉范围), by
responsible department and person, accepted/rejected, and the closure times: how many closed
within the limit (CMP-6), the average and the longest. The selector ``complaint_stats`` feeds it
the complaints received in the month; pages and the Excel export render its result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .choices import Ground


@dataclass(frozen=True)
class Responsible:
    """One responsibility finding of a complaint, as the statistics need it."""

    department: str
    person: str = ""
    loss_share: Decimal = Decimal("0")
    fine: Decimal = Decimal("0")


@dataclass(frozen=True)
class ComplaintRecord:
    """ComplaintRecord — 统计用投诉记录: one complaint of the month, flattened."""

    complaint_id: int
    label: str  # 受理编号, or the ticket number of a complaint not (yet) accepted
    ground: str
    accepted: bool | None
    received_at: dt.datetime
    closed_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    responsible: tuple[Responsible, ...] = field(default_factory=tuple)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 86400, 2)


def closure_limit(
    received_at: dt.datetime, due_at: dt.datetime | None, *, close_days: int
) -> dt.datetime:
    """By when a complaint had to be closed (CMP-6): its ticket's stored deadline (the policy's
    calendar basis and pauses), or ``close_days`` after receipt for one without a deadline."""
    return due_at or (received_at + dt.timedelta(days=close_days))


def closure_days(received_at: dt.datetime, closed_at: dt.datetime) -> float:
    """How long a complaint took to close, in days (two decimals), as the statistics show it."""
    return _days(closed_at - received_at)


def compute_stats(records: Iterable[ComplaintRecord], *, close_days: int) -> dict[str, Any]:
    """The month's figures. Percentages are of the closed complaints; times are in days.

    A complaint closed on time is one closed by its ticket's deadline (``due_at``: CMP-6's limit
    with the policy's calendar basis and pauses); without one, within ``close_days`` of receipt.
    A complaint with several responsible units counts once for each department and person.
    """
    records = list(records)
    closed = [r for r in records if r.closed_at is not None]
    on_time = 0
    durations: list[tuple[dt.timedelta, ComplaintRecord]] = []
    for r in closed:
        assert r.closed_at is not None
        if r.closed_at <= closure_limit(r.received_at, r.due_at, close_days=close_days):
            on_time += 1
        durations.append((r.closed_at - r.received_at, r))
    by_ground = Counter(r.ground for r in records)
    departments: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "loss": Decimal("0"), "fines": Decimal("0")}
    )
    people: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "loss": Decimal("0"), "fines": Decimal("0")}
    )
    for r in records:
        seen_departments: set[str] = set()
        seen_people: set[tuple[str, str]] = set()
        for item in r.responsible:
            dept = departments[item.department]
            if item.department not in seen_departments:
                dept["count"] += 1
                seen_departments.add(item.department)
            dept["loss"] += item.loss_share
            dept["fines"] += item.fine
            if item.person:
                key = (item.person, item.department)
                person = people[key]
                if key not in seen_people:
                    person["count"] += 1
                    seen_people.add(key)
                person["loss"] += item.loss_share
                person["fines"] += item.fine
    longest = max(durations, key=lambda d: d[0], default=None)
    average = (
        _days(sum((d for d, _ in durations), dt.timedelta()) / len(durations))
        if durations
        else None
    )
    accepted = sum(1 for r in records if r.accepted is True)
    rejected = sum(1 for r in records if r.accepted is False)
    return {
        "total": len(records),
        "accepted": accepted,
        "rejected": rejected,
        "undecided": len(records) - accepted - rejected,
        "closed": len(closed),
        "open": len(records) - len(closed),
        "closed_on_time": on_time,
        "closed_on_time_rate": _rate(on_time, len(closed)),
        "close_days": close_days,
        "average_closure_days": average,
        "longest_closure_days": _days(longest[0]) if longest else None,
        "longest_closure_label": longest[1].label if longest else "",
        "by_ground": [
            {"ground": g.value, "label": g.label, "count": by_ground.get(g.value, 0)}
            for g in Ground
        ],
        "by_department": sorted(
            ({"department": name, **values} for name, values in departments.items()),
            key=lambda row: (-row["count"], row["department"]),
        ),
        "by_person": sorted(
            (
                {"person": person, "department": dept, **values}
                for (person, dept), values in people.items()
            ),
            key=lambda row: (-row["count"], row["person"]),
        ),
    }
