"""带教 (WFM-10): pairs, training (new products before launch), exams → 出师, ranking rewards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.meetings import services
from kefu.meetings.incidents import meetings_incidents
from kefu.meetings.models import MentorReward
from kefu.meetings.selectors import ranking
from kefu.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _pair(org, newcomer, mentor, start=LAST_MONTH):
    return services.mentorship_create(
        actor=org["lead_a"].user, newcomer=newcomer, mentor=mentor, start_date=start
    )


def _qualify(org, pair, days, score=90):
    return services.exam_record(
        actor=org["lead_a"].user,
        employee=pair.newcomer,
        subject="上岗考试",
        date=pair.start_date + dt.timedelta(days=days),
        score=score,
        qualifying=True,
    )


def test_pair_rules(org) -> None:
    a1, a2 = org["agent_a1"], org["agent_a2"]
    with pytest.raises(DomainError) as err:
        _pair(org, a1, a1)
    assert "mentor" in err.value.fields
    with pytest.raises(PermissionDeniedError):  # 客服乙一 is not in 组长甲's team
        _pair(org, org["agent_b1"], a1)
    with pytest.raises(PermissionDeniedError):
        services.mentorship_create(actor=a1.user, newcomer=a2, mentor=a1, start_date=TODAY)
    pair = _pair(org, a2, a1)
    with pytest.raises(ConflictError):
        _pair(org, a2, org["lead_a"])
    services.mentorship_end(
        actor=org["lead_a"].user, mentorship=pair, end_date=TODAY, reason="调岗"
    )
    pair.refresh_from_db()
    assert pair.status == "ended"
    _pair(org, a2, org["lead_a"])  # a new pair after the first ended


def test_training_hours_product_before_launch_and_qualifying_exam(org) -> None:
    pair = _pair(org, org["agent_a2"], org["agent_a1"])
    record = services.training_record(
        actor=org["lead_a"].user,
        kind="mentoring",
        topic="上机操作",
        date=pair.start_date,
        hours="2.5",
        mentorship=pair,
    )
    assert record.trainer == org["agent_a1"] and list(record.attendees.all()) == [org["agent_a2"]]
    with pytest.raises(DomainError) as err:
        services.training_record(
            actor=org["lead_a"].user,
            kind="product",
            topic="新品讲解",
            date=TODAY,
            hours=1,
            trainer=org["lead_a"],
            attendees=[org["agent_a1"]],
            product="X2",
            launch_date=TODAY - dt.timedelta(days=1),
        )
    assert "date" in err.value.fields  # 新产品须在上架前培训
    for bad in ({"hours": 0}, {"kind": "mentoring", "mentorship": None}):
        with pytest.raises(DomainError):
            services.training_record(
                actor=org["lead_a"].user,
                **{
                    "kind": "other",
                    "topic": "t",
                    "date": TODAY,
                    "hours": 1,
                    "attendees": [org["agent_a1"]],
                    **bad,
                },
            )
    practice = services.exam_record(
        actor=org["lead_a"].user, employee=org["agent_a2"], subject="测验", date=TODAY, score=55
    )
    assert practice.passed is False and practice.mentorship == pair
    _qualify(org, pair, 10)
    pair.refresh_from_db()
    assert (pair.status, pair.qualified_on) == (
        "qualified",
        pair.start_date + dt.timedelta(days=10),
    )
    with pytest.raises(DomainError):
        services.exam_record(
            actor=org["lead_a"].user, employee=org["agent_a1"], subject="x", date=TODAY, score=101
        )


def test_fastest_learners_rewards_are_frozen_once_and_are_positive_incidents(org) -> None:
    newcomers = [
        EmployeeFactory(department=org["cs"], team=org["team_a"], superior=org["lead_a"])
        for _ in range(4)
    ]
    mentors = [org["agent_a1"], org["agent_a2"], org["lead_a"], org["agent_a1"]]
    pairs = [_pair(org, n, m) for n, m in zip(newcomers, mentors, strict=True)]
    for pair, days in zip(pairs, (15, 9, 12, 20), strict=True):
        _qualify(org, pair, days)
    view = ranking(org["supervisor"].user, LAST_MONTH)
    assert [(r.learner.mentorship_id, r.amount) for r in view.rows] == [
        (pairs[1].pk, Decimal("150")),
        (pairs[2].pk, Decimal("100")),
        (pairs[0].pk, Decimal("50")),
        (pairs[3].pk, Decimal("0")),
    ]
    with pytest.raises(PermissionDeniedError):
        services.mentor_rewards_award(actor=org["lead_a"].user, period_start=LAST_MONTH)
    with pytest.raises(DomainError):  # this month has not ended
        services.mentor_rewards_award(actor=org["supervisor"].user, period_start=TODAY)
    made = services.mentor_rewards_award(actor=org["supervisor"].user, period_start=LAST_MONTH)
    assert [(r.rank, r.mentor, r.amount) for r in made] == [
        (1, org["agent_a2"], Decimal("150")),
        (2, org["lead_a"], Decimal("100")),
        (3, org["agent_a1"], Decimal("50")),
    ]
    with pytest.raises(ConflictError):
        services.mentor_rewards_award(actor=org["supervisor"].user, period_start=LAST_MONTH)
    end = made[0].period_end
    found = [i for i in meetings_incidents(end, end) if i.source == "mentoring"]
    assert sorted((i.employee_id, i.money) for i in found) == sorted(
        (r.mentor_id, r.amount) for r in MentorReward.objects.all()
    )
    assert all(i.money > 0 for i in found)
