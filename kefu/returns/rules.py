"""Pure rules of the returns app — 退换货规则: freight, shipping deadlines, ages, ledger totals.

Plain functions of data (no database, no clock) so they are tested exhaustively; the services
call them with the policy version in force on the case's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .choices import CaseType, LedgerKind, Payer

ZERO = Decimal("0.00")
# Types whose goods travel back to the company (a return leg exists).
RETURN_LEG_TYPES = frozenset(
    {CaseType.RETURN, CaseType.EXCHANGE, CaseType.DAMAGED, CaseType.INTERCEPT}
)
# Types that may send goods out again (a reship leg exists).
RESHIP_LEG_TYPES = frozenset(
    {
        CaseType.EXCHANGE,
        CaseType.DAMAGED,
        CaseType.MISSING,
        CaseType.LOST,
        CaseType.FORWARD,
        CaseType.OUT_OF_STOCK,
    }
)


@dataclass(frozen=True)
class FreightTerms:
    """Who pays which leg (AS-5) and whether the customer's advance is refunded after receipt."""

    company_fault: bool
    return_payer: str  # Payer
    reship_payer: str  # Payer
    customer_advances_return: bool
    refund_return_freight_after_receipt: bool

    @property
    def summary(self) -> str:
        parts = []
        if self.return_payer != Payer.NONE:
            parts.append(f"退回运费：{Payer(self.return_payer).label}")
        if self.reship_payer != Payer.NONE:
            parts.append(f"寄出运费：{Payer(self.reship_payer).label}")
        if self.refund_return_freight_after_receipt:
            parts.append("客户先垫付退回运费，收到退货后返还")
        return "；".join(parts) or "无运费"


def freight_terms(
    *,
    case_type: str,
    quality_fault: bool,
    company_fault_types: Iterable[str],
    non_quality_reship_payer: str,
    intercept_return_payer: str,
) -> FreightTerms:
    """The freight terms of a case.

    质量问题 (or a type the policy counts as the company's doing: 破损/少件/丢件) → the company pays
    both ways; the customer advances the return freight and gets it back once the return arrives.
    Otherwise the customer pays the one-way return; the reship leg follows the policy.
    """
    company_fault = quality_fault or case_type in set(company_fault_types)
    has_return = case_type in RETURN_LEG_TYPES
    has_reship = case_type in RESHIP_LEG_TYPES
    if not has_return:
        return_payer = Payer.NONE.value
    elif case_type == CaseType.INTERCEPT and not company_fault:
        return_payer = intercept_return_payer
    else:
        return_payer = Payer.COMPANY.value if company_fault else Payer.CUSTOMER.value
    if not has_reship:
        reship_payer = Payer.NONE.value
    else:
        reship_payer = Payer.COMPANY.value if company_fault else non_quality_reship_payer
    # The customer sends the parcel back, so the customer pays the courier first; an intercepted
    # parcel is returned by the courier on the original waybill (nothing advanced).
    advances = return_payer == Payer.COMPANY and has_return and case_type != CaseType.INTERCEPT
    return FreightTerms(
        company_fault=company_fault,
        return_payer=return_payer,
        reship_payer=reship_payer,
        customer_advances_return=advances,
        refund_return_freight_after_receipt=advances,
    )


def freight_refund_due(
    terms: FreightTerms, *, advanced: Decimal, already_refunded: Decimal, cap: Decimal
) -> Decimal:
    """How much return freight the company still owes the customer (never negative).

    ``cap`` 0 means no cap. Only when the company pays the return leg and the customer advanced it.
    """
    if not terms.refund_return_freight_after_receipt or advanced <= 0:
        return ZERO
    owed = advanced if cap <= 0 else min(advanced, cap)
    return max(owed - already_refunded, ZERO).quantize(Decimal("0.01"))


# --- 发货时限 (AS-8) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ShipClock:
    """换货/补发 deadline: ``due`` (24 h), ``latest`` (48 h) and where ``now`` stands."""

    due: dt.datetime
    latest: dt.datetime
    state: str  # on_time / late (past 24 h) / breached (past 48 h) / shipped_on_time / shipped_late
    seconds_left: int | None


def ship_clock(
    *,
    start: dt.datetime,
    target_hours: float,
    max_hours: float,
    now: dt.datetime,
    shipped_at: dt.datetime | None = None,
) -> ShipClock:
    """The shipping clock from ``start`` (when the reship became possible)."""
    due = start + dt.timedelta(hours=target_hours)
    latest = start + dt.timedelta(hours=max_hours)
    if shipped_at is not None:
        state = "shipped_on_time" if shipped_at <= latest else "shipped_late"
        return ShipClock(due=due, latest=latest, state=state, seconds_left=None)
    if now <= due:
        state = "on_time"
    elif now <= latest:
        state = "late"
    else:
        state = "breached"
    return ShipClock(
        due=due, latest=latest, state=state, seconds_left=int((latest - now).total_seconds())
    )


# The two notices of the shipping clock: past the 24 h target (to the case's owner) and past the
# 48 h limit (the breach: to the owner and escalated to the 主管). Each is sent once.
SHIP_LATE = "late"
SHIP_BREACH = "breach"
SHIP_EVENTS = (SHIP_LATE, SHIP_BREACH)


def ship_events_due(
    *,
    start: dt.datetime,
    target_hours: float,
    max_hours: float,
    now: dt.datetime,
    sent: Iterable[str] = (),
) -> list[str]:
    """The notices ``now`` has reached on an unshipped case and not yet sent, in order.

    Same instants as ``ship_clock``: late strictly after ``due``, breached strictly after
    ``latest``.
    """
    clock = ship_clock(start=start, target_hours=target_hours, max_hours=max_hours, now=now)
    reached = {"on_time": (), "late": (SHIP_LATE,), "breached": SHIP_EVENTS}[clock.state]
    done = set(sent)
    return [e for e in reached if e not in done]


def ship_next_check(
    *, start: dt.datetime, target_hours: float, max_hours: float, sent: Iterable[str] = ()
) -> dt.datetime | None:
    """The first instant a notice not yet sent becomes due (None once both are sent)."""
    done = set(sent)
    clock = ship_clock(start=start, target_hours=target_hours, max_hours=max_hours, now=start)
    for event, at in ((SHIP_LATE, clock.due), (SHIP_BREACH, clock.latest)):
        if event not in done:
            # Reached just *after* its instant: look a microsecond later.
            return at + dt.timedelta(microseconds=1)
    return None


# --- 账龄 (AS-9) ---------------------------------------------------------------------------------
def days_open(created_on: dt.date, today: dt.date) -> int:
    """Whole days since registration (0 on the day itself; never negative)."""
    return max((today - created_on).days, 0)


def age_level(
    *, days: int, stage: str, warn_days: int, late_days: int, by_stage: dict[str, int]
) -> str:
    """``ok`` / ``warn`` / ``late`` for an open case; a stage may have its own late threshold."""
    late = by_stage.get(stage, late_days)
    warn = min(warn_days, late)
    if days >= late:
        return "late"
    if days >= warn:
        return "warn"
    return "ok"


# --- 差价与运费台账 (AS-9) ---------------------------------------------------------------------
# + : money the company pays out (to the customer or the courier); − : money coming in.
LEDGER_SIGNS: dict[str, int] = {
    LedgerKind.FREIGHT_CUSTOMER: 0,  # paid by the customer to the courier: recorded, not ours
    LedgerKind.FREIGHT_COMPANY: 1,
    LedgerKind.FREIGHT_REFUND: 1,
    LedgerKind.PRICE_DIFFERENCE: -1,  # + customer pays the difference; negative = we pay it back
    LedgerKind.REFUND: 1,
    LedgerKind.CLAIM: -1,  # courier's compensation
}


@dataclass(frozen=True)
class LedgerTotals:
    by_kind: dict[str, Decimal]
    company_net: Decimal  # what the case cost the company (positive = paid out)
    to_customer: Decimal  # refunds + freight refunds − price difference collected


def ledger_totals(entries: Iterable[tuple[str, Decimal]]) -> LedgerTotals:
    """Totals per kind and the net, from ``(kind, amount)`` pairs."""
    by_kind = {k: ZERO for k in LedgerKind.values}
    for kind, amount in entries:
        by_kind[kind] = by_kind.get(kind, ZERO) + amount
    net = sum((by_kind[k] * s for k, s in LEDGER_SIGNS.items()), ZERO)
    to_customer = (
        by_kind[LedgerKind.REFUND]
        + by_kind[LedgerKind.FREIGHT_REFUND]
        - by_kind[LedgerKind.PRICE_DIFFERENCE]
    )
    return LedgerTotals(
        by_kind=by_kind,
        company_net=net.quantize(Decimal("0.01")),
        to_customer=to_customer.quantize(Decimal("0.01")),
    )
