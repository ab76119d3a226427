"""责任认定 — what a closed complaint finds against whom (CMP-8..11), pure.

``draft_findings`` turns the approved report's responsibility shares into findings: each unit's
share of the loss (split so the parts add up to the loss exactly), the proposed sanction (the
report's, or the policy's default), and for a service complaint against a 客服 (CMP-11) the
occurrence in the month and its fine — 50 yuan the first time, doubled the second, dismissal on
the third (numbers from ``fines.service_complaint``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from .choices import Sanction

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class ShareInput:
    """One responsibility share of the approved report."""

    department_id: int
    percent: Decimal
    team_id: int | None = None
    employee_id: int | None = None
    sanction_trigger: str = ""
    sanction: str = ""


@dataclass(frozen=True)
class FindingDraft:
    """FindingDraft — 责任认定草稿: one row of ``ResponsibilityFinding`` before it is stored."""

    department_id: int
    team_id: int | None
    employee_id: int | None
    percent: Decimal
    loss_share: Decimal
    sanction_trigger: str
    sanction: str
    is_service_attitude: bool
    occurrence: int | None
    fine_amount: Decimal


def split_loss(loss: Decimal, percents: Iterable[Decimal]) -> list[Decimal]:
    """Each share's part of ``loss`` in cents; the parts add up to ``loss`` exactly.

    Largest remainder: every part is rounded down, then the cents left over go one by one to
    the parts that lost most to the rounding (earlier shares first on a tie), so nobody is
    charged a cent that another person's rounding produced.
    """
    percents = list(percents)
    total_percent = sum(percents, Decimal("0"))
    if not percents or total_percent == 0:
        return [Decimal("0.00") for _ in percents]
    exact = [loss * p / total_percent for p in percents]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int(((loss - sum(parts, Decimal("0"))) / CENT).to_integral_value())
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += CENT
    return parts


def service_complaint_outcome(
    occurrence: int, *, first: Decimal, multiplier: Decimal, dismissal_on: int
) -> tuple[str, Decimal]:
    """CMP-11: the sanction and fine of the ``occurrence``-th service complaint in a month.

    1st → ``first``; each later one ``multiplier`` times the one before; from ``dismissal_on``
    on → 开除 (no fine: the person leaves).
    """
    if occurrence < 1:
        raise ValueError("occurrence starts at 1")
    if occurrence >= dismissal_on:
        return Sanction.DISMISSAL.value, Decimal("0.00")
    amount = (first * multiplier ** (occurrence - 1)).quantize(CENT)
    return Sanction.FINE.value, amount


def draft_findings(
    *,
    shares: Iterable[ShareInput],
    loss_amount: Decimal,
    service_complaint: bool,
    service_people: frozenset[int],
    prior_occurrences: Mapping[int, int],
    fine_first: Decimal,
    fine_multiplier: Decimal,
    dismissal_on: int,
    default_sanction: str,
) -> list[FindingDraft]:
    """The findings of a closed complaint (one per share), in the shares' order.

    ``service_people`` are the employees who count as 客服 for CMP-11; ``prior_occurrences`` how
    many service findings each already has in the counting month. A person named twice in one
    report is not possible (shares are unique per person), so each share is one occurrence.
    """
    shares = list(shares)
    parts = split_loss(loss_amount, [s.percent for s in shares])
    drafts: list[FindingDraft] = []
    for share, part in zip(shares, parts, strict=True):
        is_service = (
            service_complaint
            and share.employee_id is not None
            and share.employee_id in service_people
        )
        sanction = share.sanction or default_sanction
        occurrence: int | None = None
        fine = Decimal("0.00")
        if is_service:
            assert share.employee_id is not None
            occurrence = prior_occurrences.get(share.employee_id, 0) + 1
            sanction, fine = service_complaint_outcome(
                occurrence, first=fine_first, multiplier=fine_multiplier, dismissal_on=dismissal_on
            )
        drafts.append(
            FindingDraft(
                department_id=share.department_id,
                team_id=share.team_id,
                employee_id=share.employee_id,
                percent=share.percent,
                loss_share=part,
                sanction_trigger=share.sanction_trigger,
                sanction=sanction,
                is_service_attitude=is_service,
                occurrence=occurrence,
                fine_amount=fine,
            )
        )
    return drafts
