"""Plan generator rules (AS-4) — pure function, exhaustive examples and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.visits.plan import (
    PlanRuleSet,
    add_months,
    after_close_due,
    plan_dates,
    retry_due,
)

RULES = PlanRuleSet(grade_interval_months={"key": 1, "major": 2})
FAR = dt.date(2100, 1, 1)
EARLY = dt.date(1990, 1, 1)


def dates(**kw):
    base = {"grade": "normal", "rules": RULES, "start": EARLY, "end": FAR}
    base.update(kw)
    return [v.due_date for v in plan_dates(**base)]


def test_add_months_clamps_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_product_in_warranty_every_two_months_until_warranty_end() -> None:
    got = dates(
        kind="product", acceptance_date=dt.date(2026, 1, 10), warranty_end=dt.date(2027, 1, 10)
    )
    assert got == [dt.date(2026, m, 10) for m in (3, 5, 7, 9, 11)] + [dt.date(2027, 1, 10)]


def test_key_customer_monthly() -> None:
    got = dates(
        kind="product",
        acceptance_date=dt.date(2026, 1, 10),
        warranty_end=dt.date(2026, 7, 10),
        grade="key",
    )
    assert got == [dt.date(2026, m, 10) for m in range(2, 8)]


def test_project_monthly_first_year_then_quarterly() -> None:
    rules = PlanRuleSet(project_years=2)
    got = dates(
        kind="project",
        acceptance_date=dt.date(2026, 1, 5),
        warranty_end=dt.date(2026, 7, 5),
        rules=rules,
    )
    first_year = [add_months(dt.date(2026, 1, 5), k) for k in range(1, 13)]
    assert got[:12] == first_year
    assert got[12:] == [
        dt.date(2027, 4, 5),
        dt.date(2027, 7, 5),
        dt.date(2027, 10, 5),
        dt.date(2028, 1, 5),
    ]


def test_window_limits_dates_and_out_of_warranty_has_none() -> None:
    got = dates(
        kind="product",
        acceptance_date=dt.date(2026, 1, 10),
        warranty_end=dt.date(2027, 1, 10),
        start=dt.date(2026, 6, 1),
        end=dt.date(2026, 10, 1),
    )
    assert got == [dt.date(2026, 7, 10), dt.date(2026, 9, 10)]
    assert (
        dates(
            kind="product",
            acceptance_date=dt.date(2020, 1, 1),
            warranty_end=dt.date(2021, 1, 1),
            start=dt.date(2026, 1, 1),
        )
        == []
    )


def test_retry_and_after_close() -> None:
    assert retry_due(
        visited_on=dt.date(2026, 3, 1), attempt=1, max_attempts=3, spacing_days=1
    ) == dt.date(2026, 3, 2)
    assert (
        retry_due(visited_on=dt.date(2026, 3, 1), attempt=3, max_attempts=3, spacing_days=1) is None
    )
    assert after_close_due(closed_on=dt.date(2026, 3, 30), days=3) == dt.date(2026, 4, 2)


# --- properties (issue #4: "every in-warranty installation has a visit at most 2 months apart,
# none after the warranty ends unless another rule asks for it") ---------------------------------
acceptances = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
warranty_months = st.integers(min_value=1, max_value=60)
kinds = st.sampled_from(["product", "project"])
grades = st.sampled_from(["normal", "key", "major", "unknown"])


@settings(max_examples=400, deadline=None)
@given(acceptance=acceptances, months=warranty_months, kind=kinds, grade=grades)
def test_in_warranty_gap_at_most_two_months(acceptance, months, kind, grade) -> None:
    end = add_months(acceptance, months)
    got = dates(kind=kind, acceptance_date=acceptance, warranty_end=end, grade=grade)
    assert got == sorted(set(got))
    # From acceptance to the warranty end, no gap longer than 2 months.
    points = [acceptance, *[d for d in got if d <= end]]
    for prev, nxt in pairwise(points):
        assert nxt <= add_months(prev, 2)
    assert add_months(points[-1], 2) > end  # the last in-warranty visit covers the rest


@settings(max_examples=400, deadline=None)
@given(acceptance=acceptances, months=warranty_months, grade=grades)
def test_products_none_after_warranty_end(acceptance, months, grade) -> None:
    end = add_months(acceptance, months)
    got = dates(kind="product", acceptance_date=acceptance, warranty_end=end, grade=grade)
    assert all(acceptance < d <= end for d in got)


@settings(max_examples=300, deadline=None)
@given(acceptance=acceptances, months=warranty_months, grade=grades)
def test_projects_after_warranty_only_by_project_rule(acceptance, months, grade) -> None:
    end = add_months(acceptance, months)
    visits = plan_dates(
        kind="project",
        acceptance_date=acceptance,
        warranty_end=end,
        grade=grade,
        rules=RULES,
        start=EARLY,
        end=FAR,
    )
    project_end = add_months(acceptance, 12 * RULES.project_years)
    first_year_end = add_months(acceptance, 12)
    prev = acceptance
    for v in visits:
        assert v.due_date <= max(end, project_end)
        if v.due_date > end:
            assert v.source == "project" and not v.in_warranty
        # first year: monthly at most; later: quarterly at most
        limit = 1 if prev < first_year_end else 3
        assert v.due_date <= add_months(prev, limit)
        prev = v.due_date


@settings(max_examples=300, deadline=None)
@given(acceptance=acceptances, months=warranty_months, kind=kinds)
def test_key_customers_monthly_while_planned(acceptance, months, kind) -> None:
    end = add_months(acceptance, months)
    got = dates(kind=kind, acceptance_date=acceptance, warranty_end=end, grade="key")
    points = [acceptance, *got]
    for prev, nxt in pairwise(points):
        assert nxt <= add_months(prev, 1)


@settings(max_examples=200, deadline=None)
@given(
    acceptance=acceptances,
    months=warranty_months,
    kind=kinds,
    start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 1, 1)),
    horizon=st.integers(min_value=1, max_value=24),
)
def test_window_is_a_slice_of_the_whole_plan(acceptance, months, kind, start, horizon) -> None:
    """Generating by windows (today + horizon) gives exactly the whole plan's dates in them."""
    end = add_months(acceptance, months)
    whole = dates(kind=kind, acceptance_date=acceptance, warranty_end=end)
    stop = add_months(start, horizon)
    part = dates(kind=kind, acceptance_date=acceptance, warranty_end=end, start=start, end=stop)
    assert part == [d for d in whole if start <= d <= stop]
