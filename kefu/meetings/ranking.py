"""Fastest learners — 上手最快排名, pure (WFM-10): mentors of the fastest newcomers are rewarded.

Newcomers whose mentoring started in the period and who passed the qualifying exam are ranked by
the days from the start to passing (fewer is faster), then the better exam score, then the
earlier date; the mentors of the first places get the policy's rewards in order (150/100/50).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Learner:
    """One newcomer's mentoring: when it started, when they qualified, their best score."""

    mentorship_id: int
    mentor_id: int
    newcomer_id: int
    start: dt.date
    qualified_on: dt.date | None
    score: Decimal


@dataclass(frozen=True)
class Ranked:
    learner: Learner
    rank: int
    days: int
    amount: Decimal


def rank_learners(learners: Iterable[Learner], rewards: Sequence[Decimal]) -> list[Ranked]:
    """The qualified learners in order; ``amount`` is the reward of their place or 0."""
    qualified = [x for x in learners if x.qualified_on is not None and x.qualified_on >= x.start]
    ordered = sorted(
        qualified,
        key=lambda x: ((x.qualified_on - x.start).days, -x.score, x.qualified_on, x.mentorship_id),
    )
    return [
        Ranked(
            learner=x,
            rank=i,
            days=(x.qualified_on - x.start).days,
            amount=Decimal(rewards[i - 1]) if i <= len(rewards) else Decimal(0),
        )
        for i, x in enumerate(ordered, start=1)
    ]
