"""Imports — 汇总各模块奖惩事件: the workforce modules' incidents (考勤, 交接班, 在线状态, 例会, 带教)
booked in the incident ledger (WFM-5..10 → PERF).

``kefu.workforce.incidents.workforce_incidents(start, end)`` lists what the modules found; each is
booked through ``booking.incident_book`` with its own amounts (magnitudes; the catalogue's category
gives the sign), except escalating rules (未交班, WFM-7), whose fine the ledger escalates by the
person's occurrence in the month (10 → 20 → 建议辞退). ``source`` + ``ref`` make it idempotent: an
incident read again is counted as already booked. Rules the catalogue does not know are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.jobs import Progress
from kefu.org.models import Employee
from kefu.workforce.incidents import WorkforceIncident, workforce_incidents

from ..choices import IncidentSource
from ..models import Incident
from ..periods import month_end
from ..policy import performance_policy
from . import booking
from .ledger import IMPORT

# WorkforceIncident.source → IncidentSource
SOURCES: dict[str, str] = {
    "attendance": IncidentSource.ATTENDANCE,
    "handover": IncidentSource.HANDOVER,
    "presence": IncidentSource.PRESENCE,
    "meetings": IncidentSource.MEETINGS,
    "mentoring": IncidentSource.MENTORING,
}
MAX_DAYS = 92
_CHUNK = 500


@dataclass
class ImportSummary:
    """What one import did — 导入结果."""

    start: dt.date
    end: dt.date
    read: int = 0
    booked: int = 0
    already: int = 0
    skipped_rules: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_rules.values())

    @property
    def summary(self) -> str:
        text = (
            f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}：读取 {self.read} 条，"
            f"新入账 {self.booked} 条，已入账 {self.already} 条"
        )
        if self.skipped:
            text += f"，条目不在制度中跳过 {self.skipped} 条"
        if self.errors:
            text += f"，未能入账 {len(self.errors)} 条"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "read": self.read,
            "booked": self.booked,
            "already": self.already,
            "skipped": self.skipped,
            "skipped_rules": dict(sorted(self.skipped_rules.items())),
            "errors": self.errors,
            "summary": self.summary,
        }


def _already_booked(found: list[WorkforceIncident]) -> set[tuple[str, str]]:
    """(source, ref) pairs of ``found`` already in the ledger (one query per 500 refs)."""
    refs = sorted({i.ref for i in found if i.ref})
    booked: set[tuple[str, str]] = set()
    for n in range(0, len(refs), _CHUNK):
        booked.update(
            Incident.objects.filter(
                evidence_ref__in=refs[n : n + _CHUNK], reverses__isnull=True
            ).values_list("source", "evidence_ref")
        )
    return booked


def _check_range(start: dt.date, end: dt.date) -> dt.date:
    if end < start:
        raise DomainError(
            "range_invalid", "结束日期不能早于开始日期", fields={"end": "早于开始日期"}
        )
    if (end - start).days >= MAX_DAYS:
        raise DomainError(
            "range_too_long", f"一次最多导入{MAX_DAYS}天", fields={"end": "日期范围过长"}
        )
    return min(end, timezone.localdate())


def import_workforce_incidents(
    *, actor: Any, start: dt.date, end: dt.date, progress: Progress | None = None
) -> ImportSummary:
    """Book the workforce incidents of ``start``..``end`` (the system's read; no permission check —
    callers are ``incidents_import``, the month close and the daily task). Each line is its own
    transaction, so one refused line does not undo the others."""
    end = _check_range(start, end)
    result = ImportSummary(start=start, end=end)
    if end < start:
        return result
    found = workforce_incidents(start, end)
    result.read = len(found)
    done = _already_booked(found)
    people = Employee.objects.in_bulk({i.employee_id for i in found})
    policies: dict[dt.date, Any] = {}
    for n, item in enumerate(found, 1):
        if progress is not None and n % 50 == 0:
            progress(n, len(found))
        source = SOURCES.get(item.source, item.source)
        if (source, item.ref) in done:
            result.already += 1
            continue
        if item.day not in policies:
            policies[item.day] = performance_policy(item.day)
        rule = policies[item.day].rule(item.rule)
        employee = people.get(item.employee_id)
        if rule is None or source not in IncidentSource.values:
            result.skipped_rules[item.rule] += 1
            continue
        if employee is None:
            result.errors.append({"ref": item.ref, "message": "员工不存在"})
            continue
        try:
            booking.incident_book(
                actor=actor,
                employee=employee,
                day=item.day,
                rule_code=rule.code,
                source=source,
                points=abs(item.points),
                money=None if rule.escalation else abs(item.money),
                quantity=abs(item.quantity) or None,
                evidence_ref=item.ref,
                evidence_link=item.link[:300],
                description=item.description,
            )
        except DomainError as exc:
            result.errors.append({"ref": item.ref, "message": exc.message})
            continue
        done.add((source, item.ref))
        result.booked += 1
    if progress is not None:
        progress(len(found), len(found))
    return result


def incidents_import(
    *, actor: Any, start: dt.date, end: dt.date, progress: Progress | None = None
) -> ImportSummary:
    """导入各模块事件 — for holders of performance.import_incidents (page, API, job)."""
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(IMPORT)):
        raise PermissionDeniedError()
    return import_workforce_incidents(actor=actor, start=start, end=end, progress=progress)


def prepare_month(month: dt.date, actor: object) -> str:
    """Close preparer (``register_close_preparer("ledger", …)``): import the whole month again
    before the manager's review and the close; idempotent."""
    month = month.replace(day=1)
    end = min(month_end(month), timezone.localdate())
    if end < month:
        return "汇总各模块奖惩事件：本月尚未开始"
    result = import_workforce_incidents(actor=actor, start=month, end=end)
    return f"汇总各模块奖惩事件 {result.summary}"


def incident_import_submit(*, actor: Any, start: dt.date, end: dt.date) -> Any:
    """Start 导入各模块事件 as a background job (``JobKind.INCIDENT_IMPORT``); the job page shows
    the progress and the summary. Returns the BackgroundJob."""
    from kefu.core.choices import JobKind
    from kefu.core.jobs import job_submit

    from ..tasks import incident_import_task

    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(IMPORT)):
        raise PermissionDeniedError()
    _check_range(start, end)
    return job_submit(
        actor=actor,
        kind=JobKind.INCIDENT_IMPORT,
        task=incident_import_task,
        payload={"start": start.isoformat(), "end": end.isoformat()},
        description=f"汇总各模块奖惩事件 {start:%Y-%m-%d}～{end:%Y-%m-%d}",
    )
