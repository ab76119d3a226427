"""The department of a month — 考核月份的所属部门 (PERF-4).

A score card's scheme (百分制 / 十分制) is chosen per department, and the 客服主管's ± counts the
department's people. For an earlier month still open, that must be the department the person
belonged to *in that month* — at its last day, like the policy versions — not the one they are in
today. ``kefu.org`` keeps no department history of its own, but every change of an employee's
record goes through ``employee_update`` and is written to the audit trail with the department
before and after (``employee.update``). So the department on a day is the ``before`` of the first
department change saved after that day, or the current one when there is none.

``department_history(since)`` reads those changes once (one query, two when there are moves; none
for the current month, which nothing can have changed after yet); ``department_on`` is the pure
rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

EMPLOYEE_OBJECT = "org.employee"
UPDATE_ACTION = "employee.update"


@dataclass(frozen=True)
class DepartmentMove:
    """DepartmentMove — 调动部门: one change of a person's department, on the (local) day saved."""

    day: dt.date
    before: int | None
    after: int | None


def department_on(moves: Sequence[DepartmentMove], current: int | None, day: dt.date) -> int | None:
    """The department on ``day`` (at its end): the ``before`` of the first move saved on a later
    day, else ``current``. ``moves`` are one person's, oldest first."""
    for move in moves:
        if move.day > day:
            return move.before
    return current


@dataclass
class DepartmentHistory:
    """Department moves saved after ``since``, per employee, with the departments' codes/names."""

    since: dt.date
    moves: dict[int, list[DepartmentMove]] = field(default_factory=dict)
    departments: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (code, name)

    def moved_ids(self) -> set[int]:
        return set(self.moves)

    def department_id_on(self, employee_id: int, current: int | None, day: dt.date) -> int | None:
        if day < self.since:
            raise ValueError("history read from a later day")
        return department_on(self.moves.get(employee_id, ()), current, day)

    def on(
        self, employee_id: int, current: int | None, current_code: str, day: dt.date
    ) -> tuple[int | None, str]:
        """(department id, code) of the person on ``day``."""
        dept = self.department_id_on(employee_id, current, day)
        if dept == current:
            return current, current_code
        code = self.departments.get(dept, ("", ""))[0] if dept is not None else ""
        return dept, code

    def name_on(
        self, employee_id: int, current: int | None, current_name: str, day: dt.date
    ) -> str:
        dept = self.department_id_on(employee_id, current, day)
        if dept == current:
            return current_name
        return self.departments.get(dept, ("", ""))[1] if dept is not None else ""


def _as_id(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def moves_from_events(
    rows: Iterable[tuple[str, dt.datetime, object, object]],
) -> dict[int, list[DepartmentMove]]:
    """(object id, at, before, after) of ``employee.update`` events, oldest first → the
    department moves per employee (events that left the department alone are skipped)."""
    found: dict[int, list[DepartmentMove]] = defaultdict(list)
    for object_id, at, before, after in rows:
        if not (isinstance(before, dict) and isinstance(after, dict)):
            continue
        if "department" not in before or "department" not in after:
            continue
        old, new = _as_id(before["department"]), _as_id(after["department"])
        emp = _as_id(object_id)
        if old == new or emp is None:
            continue
        found[emp].append(DepartmentMove(timezone.localtime(at).date(), old, new))
    return dict(found)


def department_history(
    since: dt.date, employee_ids: Iterable[int] | None = None
) -> DepartmentHistory:
    """The department moves saved after the day ``since`` (of ``employee_ids`` or everyone)."""
    history = DepartmentHistory(since=since)
    if since >= timezone.localdate():
        return history  # nothing can have been saved after today yet
    from kefu.core.models import AuditEvent
    from kefu.org.models import Department

    start = timezone.make_aware(dt.datetime.combine(since + dt.timedelta(days=1), dt.time.min))
    events = AuditEvent.objects.filter(
        object_type=EMPLOYEE_OBJECT, action=UPDATE_ACTION, at__gte=start
    )
    if employee_ids is not None:
        events = events.filter(object_id__in=[str(i) for i in employee_ids])
    history.moves = moves_from_events(
        events.order_by("seq").values_list("object_id", "at", "before", "after")
    )
    wanted = {m.before for ms in history.moves.values() for m in ms if m.before is not None}
    if wanted:
        history.departments = {
            pk: (code, name)
            for pk, code, name in Department.objects.filter(pk__in=wanted).values_list(
                "pk", "code", "name"
            )
        }
    return history
