"""The policy of a day — 当日制度参数: the workforce and attendance versions in force on each day,
their version numbers, and the classifier's ``Rules`` built from them (reads only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.core.models import Policy
from kefu.core.policy import workforce_policy
from kefu.core.policy.schemas import WorkforcePolicy

from .classify import LateBandRule, Rules
from .policy import DOMAIN, AttendancePolicy, attendance_policy


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class DayPolicy:
    """The two policies in force on one day, their version numbers and the classifier's Rules."""

    workforce: WorkforcePolicy
    attendance: AttendancePolicy
    workforce_version: int | None
    attendance_version: int | None
    rules: Rules


def rules_from(wf: WorkforcePolicy, att: AttendancePolicy) -> Rules:
    """The classifier's numbers from the workforce and attendance policies of one day."""
    return Rules(
        grace_minutes=att.grace_minutes,
        early_leave_grace_minutes=att.early_leave_grace_minutes,
        late_as_absence_minutes=wf.late_as_absence_minutes,
        early_leave_as_absence_minutes=att.early_leave_as_absence_minutes,
        late_points=_dec(wf.late_points),
        late_money=att.late_money,
        late_bands=tuple(
            LateBandRule(b.max_minutes, _dec(b.points), b.money) for b in att.late_bands
        ),
        early_leave_points=_dec(att.early_leave_points),
        early_leave_money=att.early_leave_money,
        absence_points=_dec(wf.absence_points),
        absence_money=att.absence_money,
        absence_pay_days=_dec(att.absence_pay_days),
        truancy_points=_dec(wf.truancy_points),
        truancy_money=att.truancy_money,
        truancy_pay_days=_dec(att.truancy_pay_days),
        no_show_as=att.no_show_as,
        missed_clock_points=_dec(att.missed_clock_points),
        missed_clock_money=att.missed_clock_money,
        clock_fix_within_days=wf.clock_fix_within_days,
        swap_empty_shift_both=att.swap_empty_shift_both,
    )


class PolicyBook:
    """The policy of each day, read once per day and kept for one computation."""

    def __init__(self) -> None:
        self._days: dict[dt.date, DayPolicy] = {}
        self._versions: dict[str, list[tuple[dt.date, int]]] = {}

    def _version(self, domain: str, day: dt.date) -> int | None:
        if domain not in self._versions:
            self._versions[domain] = list(
                Policy.objects.filter(domain=domain)
                .order_by("-effective_from")
                .values_list("effective_from", "version")
            )
        return next((v for start, v in self._versions[domain] if start <= day), None)

    def day(self, day: dt.date) -> DayPolicy:
        found = self._days.get(day)
        if found is None:
            wf, att = workforce_policy(day), attendance_policy(day)
            found = DayPolicy(
                workforce=wf,
                attendance=att,
                workforce_version=self._version("workforce", day),
                attendance_version=self._version(DOMAIN, day),
                rules=rules_from(wf, att),
            )
            self._days[day] = found
        return found
