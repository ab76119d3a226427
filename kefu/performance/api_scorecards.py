"""绩效奖惩·计分卡 API — /api/v1/scorecards (PERF-4), mounted in config/api.py.

``GET /scorecards?month=YYYY-MM&team=&department=`` — the month's cards of the people the caller
may see (paginated); ``GET /scorecards/{employee_id}?month=`` — one card with its ledger lines.
An open month is computed from the ledger, a closed month is its PayrollLine snapshot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kefu.core.apikit import ErrorOut, Page, paginate, require_perm

from . import selectors_scorecards as sel
from .selectors_carddetail import card_detail
from .selectors_scorecards import PersonCard

router = Router(tags=["绩效奖惩·计分卡"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CardOut(Schema):
    employee_id: int
    employee_no: str
    name: str
    department: str
    team: str
    month: dt.date
    scheme: str
    frozen: bool
    base: Decimal | None
    score: Decimal | None
    band_deduction: Decimal
    full_attendance_bonus: Decimal
    performance_bonus: Decimal
    high_score_bonus: Decimal
    supervisor_adjust: Decimal
    total: Decimal
    flags: list[str]
    lost_full_attendance: bool
    is_supervisor: bool


class LineOut(Schema):
    id: int
    day: dt.date
    rule: str
    rule_name: str
    category: str
    description: str
    points: Decimal
    money: Decimal
    status: str
    counted: bool
    reverses_id: int | None


class RuleGroupOut(Schema):
    rule: str
    rule_name: str
    points: Decimal
    money: Decimal
    lines: list[LineOut]


class HistoryOut(Schema):
    month: dt.date
    scheme: str
    score: Decimal | None
    frozen: bool
    low: bool
    streak: int


class CardDetailOut(CardOut):
    groups: list[RuleGroupOut]
    history: list[HistoryOut]


class CardFilters(Schema):
    month: str = ""
    team: int | None = None
    department: int | None = None
    q: str = ""
    page: int = 1
    page_size: int = 20


def _card_out(employee, month: dt.date, pc: PersonCard | None) -> dict:  # type: ignore[no-untyped-def]
    zero = Decimal("0")
    card = pc.card if pc else None
    return {
        "employee_id": employee.pk,
        "employee_no": employee.employee_no,
        "name": employee.name,
        "department": employee.department.name,
        "team": employee.team.name if employee.team_id else "",
        "month": month,
        "scheme": card.scheme if card else "",
        "frozen": bool(pc and pc.frozen),
        "base": card.base if card else None,
        "score": card.score if card else None,
        "band_deduction": card.band_deduction if card else zero,
        "full_attendance_bonus": card.full_attendance_bonus if card else zero,
        "performance_bonus": card.performance_bonus if card else zero,
        "high_score_bonus": card.high_score_bonus if card else zero,
        "supervisor_adjust": card.supervisor_adjust if card else zero,
        "total": card.total if card else zero,
        "flags": list(card.flags) if card else [],
        "lost_full_attendance": bool(card and card.lost_full_attendance),
        "is_supervisor": bool(pc and pc.is_supervisor),
    }


@router.get("", response={200: Page[CardOut], **ERRORS})
def scorecard_list(request: HttpRequest, filters: Query[CardFilters]) -> dict:
    """考核计分卡 of the month (default: the current one) for the people in the caller's scope."""
    require_perm(request, sel.VIEW_OWN)
    month = sel.month_or_error(filters.month)
    qs = sel.scorecard_people_for_user(
        request.user,
        month=month,
        team_id=filters.team,
        department_id=filters.department,
        q=filters.q.strip()[:40],
    ).order_by("employee_no")
    page = paginate(qs, filters.page, filters.page_size)
    employees = page["items"]
    cards = sel.cards_for(month, [sel.Person.of(e) for e in employees])
    page["items"] = [_card_out(e, month, cards.get(e.pk)) for e in employees]
    return page


@router.get("/{int:employee_id}", response={200: CardDetailOut, **ERRORS})
def scorecard_detail(request: HttpRequest, employee_id: int, month: str = "") -> dict:
    """One card with every ledger line behind it (grouped by rule) and the last 6 months."""
    require_perm(request, sel.VIEW_OWN)
    employee = sel.scorecard_employee_for_user(request.user, employee_id)  # 404 outside scope
    the_month = sel.month_or_error(month)
    detail = card_detail(employee, the_month)
    out = _card_out(employee, the_month, detail.person)
    out["groups"] = [
        {
            "rule": g.rule,
            "rule_name": g.rule_name,
            "points": g.points,
            "money": g.money,
            "lines": [
                {
                    "id": inc.pk,
                    "day": inc.day,
                    "rule": inc.rule,
                    "rule_name": inc.rule_name,
                    "category": inc.category,
                    "description": inc.description,
                    "points": inc.points,
                    "money": inc.money,
                    "status": inc.status,
                    "counted": inc.counted,
                    "reverses_id": inc.reverses_id,
                }
                for inc in g.lines
            ],
        }
        for g in detail.groups
    ]
    out["history"] = [
        {
            "month": h.month,
            "scheme": h.scheme,
            "score": h.score,
            "frozen": h.frozen,
            "low": h.low,
            "streak": h.streak,
        }
        for h in detail.history
    ]
    return out
