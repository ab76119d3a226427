"""Statistics from the month summaries (满意度月汇总) equal the answers grouped directly.

Pure parts (range split, merging) with hypothesis; then the database: random answers, random
filters (date range, channel, questionnaire) and scopes (全部, 本部门) — the page's figures must
equal ``aggregate`` over the answers themselves, and the summaries kept answer by answer must
equal a rebuild from scratch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.aftersales.models import Product
from kefu.core.errors import DomainError
from kefu.customers.tests.factories import CustomerFactory
from kefu.surveys import selectors, services
from kefu.surveys.choices import Channel, Source
from kefu.surveys.models import (
    Answer,
    Invitation,
    SurveyMonthByAgent,
    SurveyMonthByProduct,
    SurveyResponse,
)
from kefu.surveys.rules import (
    ResponseRow,
    merge_stats,
    month_end,
    month_of,
    split_range,
    stats_from_rows,
)

from .factories import answers_for, make_invitation, make_questionnaire

# --- pure -----------------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))
any_dates = st.one_of(st.none(), st.dates())


def _covered(split: Any, day: dt.date) -> int:
    """How many parts of the split contain ``day``."""
    n = sum(1 for lo, hi in split.edges if lo <= day <= hi)
    if split.months:
        m = month_of(day)
        n += int(
            (split.first is None or split.first <= m) and (split.last is None or m <= split.last)
        )
    return n


@given(any_dates, any_dates, dates)
def test_split_range_covers_every_day_once(
    date_from: dt.date | None, date_to: dt.date | None, day: dt.date
) -> None:
    split = split_range(date_from, date_to)
    inside = (date_from is None or date_from <= day) and (date_to is None or day <= date_to)
    assert _covered(split, day) == int(inside)
    for lo, hi in split.edges:
        assert lo <= hi
        # An edge never spans a whole month: it is a month's head or tail (or the whole range).
        assert (hi - lo).days < 62
    if split.months and split.first is not None:
        assert split.first.day == 1
    if split.months and split.last is not None:
        assert split.last.day == 1


def test_split_range_examples() -> None:
    d = dt.date
    s = split_range(d(2025, 3, 15), d(2025, 6, 10))
    assert (s.months, s.first, s.last) == (True, d(2025, 4, 1), d(2025, 5, 1))
    assert s.edges == ((d(2025, 3, 15), d(2025, 3, 31)), (d(2025, 6, 1), d(2025, 6, 10)))
    s = split_range(d(2025, 3, 1), d(2025, 3, 31))
    assert (s.months, s.first, s.last, s.edges) == (True, d(2025, 3, 1), d(2025, 3, 1), ())
    s = split_range(d(2025, 3, 2), d(2025, 4, 10))
    assert not s.months and s.edges == ((d(2025, 3, 2), d(2025, 4, 10)),)
    assert split_range(None, None) == split_range(None, None)
    assert split_range(None, None).months and not split_range(None, None).edges
    assert split_range(d(2025, 5, 1), d(2025, 4, 1)).edges == ()
    assert month_end(d(2024, 2, 1)) == d(2024, 2, 29) and month_end(d(2025, 12, 1)).day == 31


row = st.builds(
    lambda r, a, dep, p, m: ResponseRow(r, r >= 4, a, dep, p, m),
    st.integers(1, 5),
    st.one_of(st.none(), st.integers(1, 4)),
    st.one_of(st.none(), st.integers(1, 3)),
    st.one_of(st.none(), st.integers(1, 3)),
    st.sampled_from([dt.date(2026, m, 1) for m in (1, 2, 3)]),
)


@given(st.lists(st.lists(row, max_size=20), max_size=4))
def test_merging_parts_equals_the_whole(parts: list[list[ResponseRow]]) -> None:
    whole = [r for p in parts for r in p]
    assert merge_stats(stats_from_rows(p) for p in parts) == stats_from_rows(whole)


# --- database -------------------------------------------------------------------------------------
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org: dict[str, Any]) -> dict[str, Any]:
    sup = org["supervisor"].user
    q1 = make_questionnaire(sup)
    q2 = make_questionnaire(sup, name="安装满意度调查")
    products = [Product.objects.create(code=f"SV{i}", name=f"测试产品{i}") for i in range(1, 3)]
    return {
        "org": org,
        "versions": [q1.versions.get(), q2.versions.get()],
        "customer": CustomerFactory(),
        # (agent, department): the department's own agents, the supervisor credited to another
        # department (本部门 must still count them), nobody at all.
        "credits": [
            (org["agent_a1"], org["cs"]),
            (org["after_sales"], org["cs_sub"]),
            (org["supervisor"], org["hr_dept"]),
            (org["hr"], org["hr_dept"]),
            (None, None),
            (org["agent_b1"], None),
        ],
        "products": [None, *products],
    }


answer_spec = st.tuples(
    st.integers(0, 1),  # questionnaire
    st.integers(0, 5),  # credit (agent, department)
    st.integers(0, 2),  # product
    st.sampled_from(Channel.values),
    st.dates(min_value=dt.date(2025, 11, 1), max_value=dt.date(2026, 3, 31)),
    st.integers(1, 5),  # overall rating
    st.booleans(),  # 满意 as judged that day (policy may have differed)
)
filters_spec = st.fixed_dictionaries(
    {
        "date_from": st.one_of(
            st.none(), st.dates(min_value=dt.date(2025, 10, 20), max_value=dt.date(2026, 4, 5))
        ),
        "date_to": st.one_of(
            st.none(), st.dates(min_value=dt.date(2025, 10, 20), max_value=dt.date(2026, 4, 5))
        ),
        "channel": st.sampled_from(["", Channel.PHONE, Channel.WEB]),
        "questionnaire": st.sampled_from([None, 0, 1]),
    }
)


def _store(world: dict[str, Any], specs: list[tuple[Any, ...]]) -> None:
    """Answers as the response service stores them (invitation, answer, summaries)."""
    for qi, ci, pi, channel, day, rating, satisfied in specs:
        version = world["versions"][qi]
        agent, dept = world["credits"][ci]
        product = world["products"][pi]
        inv = Invitation.objects.create(
            customer=world["customer"],
            version=version,
            channel=channel,
            source=Source.MANUAL,
            agent=agent,
            department=dept,
            product=product,
        )
        at = dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC)
        response = SurveyResponse.objects.create(
            invitation=inv,
            version=version,
            questionnaire_id=version.questionnaire_id,
            customer=world["customer"],
            submitted_at=at,
            submitted_on=day,
            month=month_of(day),
            overall_rating=rating,
            satisfied=satisfied,
            channel=channel,
            agent=agent,
            department=dept,
            product=product,
        )
        services.stats_record(response)


def _summaries() -> tuple[list[Any], list[Any]]:
    return (
        sorted(SurveyMonthByAgent.objects.values_list(
            "month", "questionnaire_id", "channel", "department_id", "agent_id",
            "answers", "satisfied", "r1", "r2", "r3", "r4", "r5",
        )),
        sorted(SurveyMonthByProduct.objects.values_list(
            "month", "questionnaire_id", "channel", "department_id", "product_id",
            "answers", "satisfied",
        )),
    )  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(answer_spec, max_size=25), cases=st.lists(filters_spec, min_size=1, max_size=4)
)
def test_summary_statistics_equal_the_answers(
    world: dict[str, Any], specs: list[tuple[Any, ...]], cases: list[dict[str, Any]]
) -> None:
    org = world["org"]
    viewers = [org["gm"].user, org["supervisor"].user, org["manager"].user]
    with transaction.atomic():
        _store(world, specs)
        for case in cases:
            qi = case["questionnaire"]
            filters = {
                "date_from": case["date_from"],
                "date_to": case["date_to"],
                "channel": case["channel"],
                "questionnaire_id": None if qi is None else world["versions"][qi].questionnaire_id,
            }
            for user in viewers:
                fast = selectors.survey_stats(user, **filters)
                slow = selectors.aggregate(
                    selectors.filtered_responses(selectors.stats_scope(user), **filters)
                )
                assert fast == slow, (user.username, filters)
        # The summaries kept answer by answer equal a rebuild from the answers.
        kept = _summaries()
        services.stats_rebuild()
        assert _summaries() == kept
        transaction.set_rollback(True)


def test_scoped_statistics_by_hand(world: dict[str, Any]) -> None:
    """A worked example: 本部门 counts the supervisor's own answer credited to 行政人事部."""
    org = world["org"]
    d = dt.date
    _store(
        world,
        [
            (0, 0, 1, Channel.PHONE, d(2026, 1, 10), 5, True),
            (0, 1, 2, Channel.WEB, d(2026, 1, 20), 3, False),
            (0, 2, 1, Channel.PHONE, d(2026, 2, 3), 4, True),  # the supervisor, 行政人事部
            (0, 3, 0, Channel.PHONE, d(2026, 2, 4), 1, False),  # 行政人事部, someone else
            (1, 4, 0, Channel.EMAIL, d(2026, 2, 28), 2, False),
        ],
    )
    gm = selectors.survey_stats(org["gm"].user)
    assert (gm.count, gm.satisfied) == (5, 2)
    assert gm.distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    sup = selectors.survey_stats(org["supervisor"].user, date_from=d(2026, 1, 15))
    assert (sup.count, sup.satisfied) == (2, 1)
    assert {g.key: g.count for g in sup.by_department} == {
        org["cs_sub"].pk: 1,
        org["hr_dept"].pk: 1,
    }
    product = world["products"][1].pk
    assert {g.key: g.count for g in sup.by_product} == {product: 1, world["products"][2].pk: 1}
    assert [(g.key, g.count) for g in sup.by_month] == [(d(2026, 1, 1), 1), (d(2026, 2, 1), 1)]
    phone = selectors.survey_stats(org["gm"].user, channel=Channel.PHONE, date_to=d(2026, 1, 31))
    assert (phone.count, phone.rate) == (1, 100.0)


def test_answers_through_the_services_keep_the_summaries(
    world: dict[str, Any], monkeypatch: Any
) -> None:
    org = world["org"]
    agent = org["agent_a1"].user
    inv, raw = make_invitation(agent, customer=world["customer"])
    services.response_submit_public(token=raw, answers=answers_for(inv, overall=5))
    inv2, _ = make_invitation(agent, customer=world["customer"], link=False)
    services.response_enter(
        actor=agent, invitation=inv2, answers=answers_for(inv2, overall=2), channel=Channel.PHONE
    )
    # An answer whose storing fails after the summaries were counted rolls them back too.
    inv3, raw3 = make_invitation(agent, customer=world["customer"])
    with pytest.raises(DomainError):
        services.response_submit_public(token=raw3, answers={})

    def broken(*args: Any, **kwargs: Any) -> None:
        raise DomainError("boom", "写入失败")

    monkeypatch.setattr(Answer.objects, "bulk_create", broken)
    with pytest.raises(DomainError):
        services.response_submit_public(token=raw3, answers=answers_for(inv3, overall=5))
    monkeypatch.undo()
    row = SurveyMonthByAgent.objects.get(channel=Channel.WEB)
    assert (row.answers, row.satisfied, row.r5, row.agent_id) == (1, 1, 1, org["agent_a1"].pk)
    assert row.department_id == org["agent_a1"].department_id
    phone = SurveyMonthByAgent.objects.get(channel=Channel.PHONE)
    assert (phone.answers, phone.satisfied, phone.r2) == (1, 0, 1)
    assert SurveyMonthByProduct.objects.get(channel=Channel.WEB).product_id == 0
    stats = selectors.survey_stats(org["gm"].user)
    assert (stats.count, stats.satisfied) == (2, 1)


def test_rebuild_command_restores_drifted_summaries(world: dict[str, Any]) -> None:
    _store(world, [(0, 0, 1, Channel.PHONE, dt.date(2026, 1, 10), 5, True)])
    kept = _summaries()
    SurveyMonthByAgent.objects.update(answers=99, r5=99)  # drift (e.g. a bulk load)
    SurveyMonthByProduct.objects.all().delete()
    call_command("surveys_rebuild_stats", verbosity=0)
    assert _summaries() == kept


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrent writers")
def test_two_concurrent_answers_on_one_summary_row_both_count(org: dict[str, Any]) -> None:
    """Two customers answer at the same moment, same month/agent/product/channel: the second
    UPSERT waits for the first's row lock and adds to it — neither answer is lost."""
    import threading

    make_questionnaire(org["supervisor"].user)
    agent = org["agent_a1"]
    pairs = [make_invitation(agent.user, agent=agent) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(inv: Any, raw: str) -> None:
        from django.db import connections

        barrier.wait()
        try:
            services.response_submit_public(token=raw, answers=answers_for(inv, overall=5))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    row = SurveyMonthByAgent.objects.get()
    assert (row.answers, row.satisfied, row.r5) == (2, 2, 2)
    assert SurveyMonthByProduct.objects.get().answers == 2
