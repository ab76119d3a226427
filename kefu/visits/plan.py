"""Visit-plan rules — 回访计划生成规则 (AS-4): installation facts in, planned visit dates out.

A pure function with no database: ``plan_dates`` walks an installation's life from its
acceptance date, one visit after another, and keeps the dates that fall in the generation
window. Each step's interval is the shortest one any rule active on that day asks for:

* 保修期内 (date ≤ warranty end): at most ``warranty_interval_months`` (2);
* 工程项目, first year after acceptance: ``project_first_year_interval_months`` (1);
* 工程项目, later, up to ``project_years`` after acceptance: ``project_later_interval_months`` (3);
* 客户等级 (重点客户…): at most ``grade_interval_months[grade]`` while any of the above applies.

A step's date is kept only when some rule is still active on it, so nothing is planned after the
warranty end unless the project rule asks for it. Walking one visit at a time (rather than
"acceptance + k months") keeps every gap at most the interval even when month ends clamp
(31 Aug → 31 Oct → 31 Dec → 28 Feb → 28 Apr …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .choices import Source

PRODUCT = "product"
PROJECT = "project"

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = _DAYS_IN_MONTH[month0]
    if month0 == 1 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        last = 29
    return dt.date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True)
class PlanRuleSet:
    """The numbers of the ``visits`` policy the generator needs (see policy.PlanRules)."""

    warranty_interval_months: int = 2
    project_first_year_months: int = 12
    project_first_year_interval_months: int = 1
    project_later_interval_months: int = 3
    project_years: int = 5
    grade_interval_months: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_policy(cls, plan: object) -> PlanRuleSet:
        return cls(
            warranty_interval_months=plan.warranty_interval_months,  # type: ignore[attr-defined]
            project_first_year_months=plan.project_first_year_months,  # type: ignore[attr-defined]
            project_first_year_interval_months=plan.project_first_year_interval_months,  # type: ignore[attr-defined]
            project_later_interval_months=plan.project_later_interval_months,  # type: ignore[attr-defined]
            project_years=plan.project_years,  # type: ignore[attr-defined]
            grade_interval_months=dict(plan.grade_interval_months),  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class PlannedVisit:
    """One wanted visit: its date, the rule that asked for it, whether the date is in warranty."""

    due_date: dt.date
    source: str
    in_warranty: bool


def plan_dates(
    *,
    kind: str,
    acceptance_date: dt.date,
    warranty_end: dt.date,
    grade: str,
    rules: PlanRuleSet,
    start: dt.date,
    end: dt.date,
) -> list[PlannedVisit]:
    """The visits wanted for one installation with ``start`` ≤ date ≤ ``end``, in date order.

    ``start``/``end`` is the generation window (today … today + horizon); dates before it are
    not generated (a visit in the past cannot be planned any more).
    """
    is_project = kind == PROJECT
    project_first_end = add_months(acceptance_date, rules.project_first_year_months)
    project_end = add_months(acceptance_date, 12 * rules.project_years) if is_project else None
    last_active = warranty_end if project_end is None else max(warranty_end, project_end)
    if last_active < start:
        return []  # quick exit: most old installations have no rule left
    grade_cap = rules.grade_interval_months.get(grade)
    out: list[PlannedVisit] = []
    day = acceptance_date
    while True:
        in_warranty = day <= warranty_end
        interval = 0
        if in_warranty:
            interval = rules.warranty_interval_months
        if is_project and day <= project_end:  # type: ignore[operator]
            iv = (
                rules.project_first_year_interval_months
                if day < project_first_end
                else rules.project_later_interval_months
            )
            interval = iv if not interval else min(interval, iv)
        if not interval:
            return out
        if grade_cap:
            interval = min(interval, grade_cap)
        nxt = add_months(day, interval)
        if nxt > end:
            return out
        nxt_warranty = nxt <= warranty_end
        nxt_project = is_project and nxt <= project_end  # type: ignore[operator]
        if not (nxt_warranty or nxt_project):
            return out  # no rule asks for a visit on that day: the plan ends
        if nxt >= start:
            source = Source.PROJECT.value if nxt_project else Source.WARRANTY.value
            out.append(PlannedVisit(nxt, source, nxt_warranty))
        day = nxt


def retry_due(
    *, visited_on: dt.date, attempt: int, max_attempts: int, spacing_days: int
) -> dt.date | None:
    """The next attempt's date after no answer, or None when ``attempt`` was the last allowed."""
    if attempt >= max_attempts:
        return None
    return visited_on + dt.timedelta(days=max(spacing_days, 0))


def after_close_due(*, closed_on: dt.date, days: int) -> dt.date:
    """The date of the visit ``days`` days after a request was closed (AS-4)."""
    return closed_on + dt.timedelta(days=days)
