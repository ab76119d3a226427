"""One score card in full — 考核计分卡明细 (PERF-4): every ledger line behind the score grouped by
rule, the money, the last months' scores, and the 客服主管's ± lines of a list page. Builds on
``selectors_scorecards`` (the cards of a month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kefu.org.models import Employee

from .choices import COUNTED_STATUSES
from .models import Incident
from .periods import month_end
from .scorecard import POINTS10, POINTS100, ZERO, CardRules, is_low_month
from .selectors_scorecards import (
    HISTORY_MONTHS,
    Memo,
    Person,
    PersonCard,
    cards_for,
    department_standings,
    in_month,
    month_rules,
    months_back,
    scheme_scores,
)


# --- one card in full ---------------------------------------------------------------------------
def incident_url(pk: int) -> str:
    """The ledger's incident page, once it exists (its page is built by the ledger module)."""
    try:
        return reverse("performance:incident_detail", args=[pk])
    except NoReverseMatch:
        return ""


@dataclass
class RuleGroup:
    """The card's lines of one rule: every ledger line, and what counts of them."""

    rule: str
    rule_name: str
    lines: list[Incident]
    points: Decimal = ZERO
    money: Decimal = ZERO


@dataclass
class HistoryMonth:
    month: dt.date
    scheme: str
    score: Decimal | None
    frozen: bool
    low: bool = False
    streak: int = 0


@dataclass
class CardDetail:
    employee: Employee
    month: dt.date
    person: PersonCard | None
    rules: CardRules
    groups: list[RuleGroup]
    history: list[HistoryMonth]
    uncounted: int = 0
    policy_month_end: dt.date = field(default_factory=timezone.localdate)


def card_lines(employee_id: int, month: dt.date) -> tuple[list[RuleGroup], int]:
    """Every ledger line of the person booked in ``month``, grouped by rule (catalogue order of
    first appearance); totals over the counted ones. Also how many are not counted (待确认)."""
    groups: dict[str, RuleGroup] = {}
    uncounted = 0
    linked = bool(incident_url(1))  # a failed reverse is slow: try it once, not per line
    rows = Incident.objects.filter(employee_id=employee_id, month=month).order_by("day", "pk")
    for inc in rows:
        inc.counted = inc.status in COUNTED_STATUSES  # type: ignore[attr-defined]
        inc.url = incident_url(inc.reverses_id or inc.pk) if linked else ""  # type: ignore[attr-defined]
        group = groups.setdefault(inc.rule, RuleGroup(inc.rule, inc.rule_name, []))
        group.lines.append(inc)
        if inc.counted:  # type: ignore[attr-defined]
            group.points += inc.points
            group.money += inc.money
        else:
            uncounted += 1
    return sorted(groups.values(), key=lambda g: (g.points, g.rule_name)), uncounted


def card_history(person: Person, month: dt.date, cache: Memo) -> list[HistoryMonth]:
    """The last HISTORY_MONTHS months' scores (oldest first) with the 十分制 low-month streak."""
    extra = max(r.low_months_for_severe for r in month_rules(month, cache).rules.values())
    months = months_back(month, HISTORY_MONTHS + max(extra - 1, 0))
    closed = cache.closed_months(months)
    scores = scheme_scores([person], months, closed, cache)
    history: list[HistoryMonth] = []
    streak = 0
    for m in months:
        got = scores.get((person.id, m))
        if got is None:
            streak = 0
            history.append(HistoryMonth(m, "", None, m in closed))
            continue
        scheme, score = got
        low = scheme == POINTS10 and is_low_month(score, month_rules(m, cache).rules[POINTS10])
        streak = streak + 1 if low else 0
        history.append(HistoryMonth(m, scheme, score, m in closed, low, streak))
    return history[-HISTORY_MONTHS:]


def card_detail(employee: Employee, month: dt.date) -> CardDetail:
    """A card with every point behind it, its money and the last months' scores."""
    cache = Memo()
    person = Person.of(employee)
    found = cards_for(month, [person], cache=cache)
    groups, uncounted = card_lines(employee.pk, month)
    mr = month_rules(month, cache)
    pc = found.get(employee.pk)
    return CardDetail(
        employee=employee,
        month=month,
        person=pc,
        rules=mr.rules[pc.card.scheme]
        if pc
        else mr.rules_of(in_month([person], month, cache)[0].department_code),
        groups=groups,
        history=card_history(person, month, cache),
        uncounted=uncounted,
        policy_month_end=month_end(month),
    )


def list_standings(month: dt.date, people: QuerySet[Employee], cache: Memo) -> list[dict[str, Any]]:
    """The supervisors' ± lines of the departments in ``people`` (the list page's summary)."""
    sup_ids = cache.supervisors()
    if not sup_ids:
        return []
    supervisors = list(
        people.filter(pk__in=sup_ids).select_related("department").order_by("employee_no")
    )
    if not supervisors:
        return []
    mr = month_rules(month, cache)
    closed = month in cache.closed_months([month])
    # The department each supervisor led in that month (PERF-4), not necessarily today's.
    depts = {p.id: p for p in in_month([Person.of(s) for s in supervisors], month, cache)}
    supervisors = [s for s in supervisors if mr.scheme_of(depts[s.pk].department_code) == POINTS100]
    standings = department_standings(
        month, {depts[s.pk].department_id for s in supervisors}, mr=mr, closed=closed, memo=cache
    )
    return [
        {"supervisor": s, "standing": standings[depts[s.pk].department_id], "month": month}
        for s in supervisors
        if depts[s.pk].department_id in standings
    ]
