"""Pure rules: answer checking, publish checks, statistics (hypothesis), policy validation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError
from kefu.core.policy import default_bodies, validate_body
from kefu.surveys.rules import (
    QuestionSpec,
    ResponseRow,
    check_answers,
    clean_options,
    hash_token,
    new_token,
    publish_problems,
    rate,
    stats_from_rows,
)

QS = [
    QuestionSpec(1, "rating", "总体", True, is_overall=True),
    QuestionSpec(2, "single", "单选", True, options=("甲", "乙")),
    QuestionSpec(3, "multiple", "多选", False, options=("A", "B", "C")),
    QuestionSpec(4, "text", "建议", False),
]


def test_check_answers_accepts_and_orders_choices() -> None:
    out = check_answers(QS, {1: "4", 2: "乙", 3: ["C", "A"], 4: "  好  "})
    assert out.errors == {}
    assert out.overall_rating == 4
    by_q = {a.question_id: a for a in out.answers}
    assert by_q[3].choices == ("A", "C")
    assert by_q[4].text == "好"


@pytest.mark.parametrize(
    ("raw", "key", "message"),
    [
        ({2: "甲"}, "q1", "请选择评分"),
        ({1: "6", 2: "甲"}, "q1", "评分必须是1到5之间的整数"),
        ({1: "x", 2: "甲"}, "q1", "评分必须是1到5之间的整数"),
        ({1: 5}, "q2", "请选择"),
        ({1: 5, 2: ["甲", "乙"]}, "q2", "只能选择一项"),
        ({1: 5, 2: "丙"}, "q2", "所选项不在选项中"),
        ({1: 5, 2: "甲", 4: "字" * 2001}, "q4", "不能超过2000字"),
    ],
)
def test_check_answers_refuses(raw: dict, key: str, message: str) -> None:
    assert check_answers(QS, raw).errors[key] == message


def test_optional_empty_answers_leave_no_row() -> None:
    out = check_answers(QS, {1: 5, 2: "甲", 3: [], 4: ""})
    assert [a.question_id for a in out.answers] == [1, 2]


def test_publish_problems() -> None:
    assert publish_problems(QS) == {}
    assert "questions" in publish_problems([])
    assert "is_overall" in publish_problems([QuestionSpec(1, "rating", "x", True)])
    bad = [QS[0], QuestionSpec(9, "single", "少", True, options=("一",))]
    assert "q9" in publish_problems(bad)


def test_clean_options() -> None:
    assert clean_options("甲\n\n 乙 \n甲") == ["甲", "乙"]


def test_tokens_are_hashed_and_unique() -> None:
    raw, digest = new_token()
    assert hash_token(raw) == digest and raw not in digest and len(digest) == 64
    assert new_token()[0] != raw


def test_rate() -> None:
    assert rate(0, 0) is None
    assert rate(49, 50) == 98.0
    assert rate(2, 3) == 66.7


rows_strategy = st.lists(
    st.builds(
        lambda r, a, d, p, m, t: ResponseRow(r, r >= t, a, d, p, m),
        st.integers(1, 5),
        st.one_of(st.none(), st.integers(1, 4)),
        st.one_of(st.none(), st.integers(1, 3)),
        st.one_of(st.none(), st.integers(1, 3)),
        st.sampled_from([dt.date(2026, m, 1) for m in (1, 2, 3)]),
        st.just(4),
    ),
    max_size=60,
)


@given(rows_strategy)
def test_stats_totals_agree_across_breakdowns(rows: list[ResponseRow]) -> None:
    s = stats_from_rows(rows)
    assert s.count == len(rows) == sum(s.distribution.values())
    assert s.satisfied == sum(1 for r in rows if r.satisfied)
    assert s.satisfied == s.distribution[4] + s.distribution[5]
    for groups in (s.by_agent, s.by_department, s.by_product, s.by_month):
        assert sum(g.count for g in groups) == s.count
        assert sum(g.satisfied for g in groups) == s.satisfied
        assert all(0 <= g.satisfied <= g.count for g in groups)
    months = [g.key for g in s.by_month]
    assert months == sorted(months)
    assert set(s.distribution) == {1, 2, 3, 4, 5}


def test_default_policy_is_valid_and_refuses_nonsense() -> None:
    body = default_bodies()["surveys"]
    policy = validate_body("surveys", body)
    assert policy.is_satisfied(4) and not policy.is_satisfied(3)  # type: ignore[attr-defined]
    assert policy.target_rate_percent == 98.0  # type: ignore[attr-defined]
    assert policy.campaign_months == [6, 12]  # type: ignore[attr-defined]
    for change in (
        {"satisfied_min_rating": 6},
        {"campaign_months": [6, 13]},
        {"channels": ["pigeon"]},
        {"after_close": {**body["after_close"], "kinds": ["nope"]}},
        {"channels": ["phone"]},  # after_close.channel "web" no longer enabled
    ):
        with pytest.raises(DomainError):
            validate_body("surveys", {**body, **change})
