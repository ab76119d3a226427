"""Pure rules of the complaint app: the report's checks (CMP-5, CMP-8), the findings and CMP-11's
fine, the monthly statistics (CMP-7, RPT-1), the policy schema. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import DomainError
from kefu.core.policy import validate_body

from ..choices import Ground, Route, Sanction, SanctionTrigger
from ..findings import ShareInput, draft_findings, service_complaint_outcome, split_loss
from ..policy import DEFAULTS_FILE, ComplaintsPolicy
from ..report import InvestigationData, ShareData, report_problems
from ..stats import ComplaintRecord, Responsible, compute_stats

D = Decimal
REPORT = InvestigationData(
    scope_true=True,
    reasons_sound=True,
    demand_legitimate=True,
    aim="换货",
    cause="包装不良",
    course="运输挤压",
    conclusion="属实",
    countermeasures="换货",
    prevention="加固包装",
    loss_amount=D("100"),
    shares=(
        ShareData(department_id=1, percent=D("60")),
        ShareData(department_id=2, team_id=3, employee_id=4, percent=D("40")),
    ),
)


# --- the report ---------------------------------------------------------------------------------
def test_a_complete_report_has_no_problems() -> None:
    assert report_problems(REPORT) == {}


def test_every_missing_item_is_named() -> None:
    empty = InvestigationData()
    problems = report_problems(empty)
    assert {"scope_true", "reasons_sound", "demand_legitimate"} <= set(problems)
    assert {"aim", "cause", "course", "conclusion", "countermeasures", "prevention"} <= set(
        problems
    )
    assert problems["shares"].startswith("请划分责任")


def test_shares_must_add_up_to_100() -> None:
    short = dataclasses.replace(REPORT, shares=(ShareData(department_id=1, percent=D("60")),))
    assert report_problems(short)["shares"] == "责任比例合计须为100%，现为60%"
    over = dataclasses.replace(
        REPORT,
        shares=(
            ShareData(department_id=1, percent=D("60")),
            ShareData(department_id=2, percent=D("40.01")),
        ),
    )
    assert "100.01" in report_problems(over)["shares"]


def test_share_checks() -> None:
    bad = dataclasses.replace(
        REPORT,
        loss_amount="-1",
        shares=(
            ShareData(department_id=None, percent="abc"),
            ShareData(department_id=1, percent=D("0"), sanction="fine"),
            ShareData(department_id=1, percent=D("33.333"), sanction_trigger="x"),
            ShareData(department_id=1, percent=D("50")),
        ),
    )
    problems = report_problems(bad)
    assert problems["loss_amount"]
    assert problems["shares.0.department"] == "请选择责任部门"
    assert problems["shares.0.percent"] == "责任比例须是数字"
    assert problems["shares.1.percent"] == "责任比例须大于0且不超过100"
    assert problems["shares.1.sanction"] == "处分建议不在可选范围内"
    assert problems["shares.2.percent"] == "责任比例最多两位小数"
    assert problems["shares.2.sanction_trigger"]
    assert problems["shares.3.department"] == "同一责任单位只能列一次"


def test_an_unfounded_complaint_may_name_nobody() -> None:
    unfounded = dataclasses.replace(REPORT, scope_true=False, shares=())
    assert report_problems(unfounded) == {}


# --- findings -----------------------------------------------------------------------------------
@given(
    loss=st.decimals(min_value=0, max_value=10**6, places=2),
    percents=st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=8),
)
def test_loss_parts_add_up_exactly(loss: Decimal, percents: list[int]) -> None:
    parts = split_loss(loss, [D(p) / 100 for p in percents])
    assert sum(parts) == loss
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)


def test_loss_split_example() -> None:
    assert split_loss(D("100"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]
    assert split_loss(D("0.10"), [D("50"), D("50")]) == [D("0.05"), D("0.05")]
    assert split_loss(D("0.01"), [D("50"), D("50")]) == [D("0.01"), D("0.00")]


@pytest.mark.parametrize(
    ("occurrence", "expected"),
    [
        (1, (Sanction.FINE, D("50.00"))),
        (2, (Sanction.FINE, D("100.00"))),
        (3, (Sanction.DISMISSAL, D("0.00"))),
        (4, (Sanction.DISMISSAL, D("0.00"))),
    ],
)
def test_cmp11_fifty_doubled_dismissal_on_third(
    occurrence: int, expected: tuple[str, Decimal]
) -> None:
    assert (
        service_complaint_outcome(occurrence, first=D("50"), multiplier=D("2"), dismissal_on=3)
        == expected
    )


def test_cmp11_the_thirty_yuan_variant() -> None:
    # [001] "一次罚款30元,第二次翻倍,第三次将予以开除" — a policy edit, not a code change.
    assert service_complaint_outcome(2, first=D("30"), multiplier=D("2"), dismissal_on=3) == (
        Sanction.FINE,
        D("60.00"),
    )
    with pytest.raises(ValueError):
        service_complaint_outcome(0, first=D("30"), multiplier=D("2"), dismissal_on=3)


def test_draft_findings() -> None:
    shares = [
        ShareInput(department_id=1, percent=D("50"), employee_id=10, sanction="minor_demerit"),
        ShareInput(department_id=1, percent=D("30"), employee_id=11),
        ShareInput(
            department_id=2, percent=D("20"), sanction_trigger=SanctionTrigger.LATE_DELIVERY
        ),
    ]
    common = {
        "fine_first": D("50"),
        "fine_multiplier": D("2"),
        "dismissal_on": 3,
        "default_sanction": Sanction.WARNING,
    }
    plain = draft_findings(
        shares=shares,
        loss_amount=D("999.99"),
        service_complaint=False,
        service_people=frozenset({10, 11}),
        prior_occurrences={},
        **common,
    )
    # 499.995, 299.997, 199.998: the two cents left go to the largest remainders
    assert [f.loss_share for f in plain] == [D("499.99"), D("300.00"), D("200.00")]
    assert [f.sanction for f in plain] == ["minor_demerit", "warning", "warning"]
    assert not any(f.is_service_attitude for f in plain)
    service = draft_findings(
        shares=shares,
        loss_amount=D("0"),
        service_complaint=True,
        service_people=frozenset({10}),  # 11 is not a 客服 (e.g. a warehouse clerk)
        prior_occurrences={10: 1},
        **common,
    )
    assert (service[0].is_service_attitude, service[0].occurrence) == (True, 2)
    assert (service[0].sanction, service[0].fine_amount) == (Sanction.FINE, D("100.00"))
    assert not service[1].is_service_attitude and service[1].fine_amount == 0
    assert not service[2].is_service_attitude  # a department is not a person


# --- statistics ---------------------------------------------------------------------------------
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_stats_by_ground_department_person_and_closure() -> None:
    records = [
        ComplaintRecord(
            complaint_id=1,
            label="TS2026-0001",
            ground=Ground.QUALITY_DEFECT,
            accepted=True,
            received_at=T0,
            closed_at=T0 + dt.timedelta(days=3),
            due_at=T0 + dt.timedelta(days=7),
            responsible=(
                Responsible("生产部", "张三", D("60"), D("0")),
                Responsible("生产部", "李四", D("40"), D("0")),
            ),
        ),
        ComplaintRecord(
            complaint_id=2,
            label="TS2026-0002",
            ground=Ground.SERVICE,
            accepted=True,
            received_at=T0,
            closed_at=T0 + dt.timedelta(days=9),
            due_at=None,  # no ticket deadline: the 7 days from receipt decide
            responsible=(Responsible("客服部", "张三", D("0"), D("50")),),
        ),
        ComplaintRecord(
            complaint_id=3,
            label="KF20260302-0003",
            ground=Ground.QUALITY_DEFECT,
            accepted=False,
            received_at=T0,
            closed_at=T0 + dt.timedelta(days=1),
        ),
        ComplaintRecord(
            complaint_id=4, label="KF1", ground=Ground.OTHER, accepted=None, received_at=T0
        ),
    ]
    stats = compute_stats(records, close_days=7)
    assert (stats["total"], stats["accepted"], stats["rejected"], stats["undecided"]) == (
        4,
        2,
        1,
        1,
    )
    assert (stats["closed"], stats["open"], stats["closed_on_time"]) == (3, 1, 2)
    assert stats["closed_on_time_rate"] == 66.7
    assert stats["average_closure_days"] == pytest.approx((3 + 9 + 1) / 3, abs=0.01)
    assert (stats["longest_closure_days"], stats["longest_closure_label"]) == (9, "TS2026-0002")
    by_ground = {row["ground"]: row["count"] for row in stats["by_ground"]}
    assert by_ground[Ground.QUALITY_DEFECT] == 2 and by_ground[Ground.PACKING_DAMAGE] == 0
    departments = {row["department"]: row for row in stats["by_department"]}
    assert departments["生产部"] == {
        "department": "生产部",
        "count": 1,
        "loss": D("100"),
        "fines": D("0"),
    }
    people = {(r["person"], r["department"]): r for r in stats["by_person"]}
    assert people[("张三", "生产部")]["count"] == 1
    assert people[("张三", "客服部")]["fines"] == D("50")


def test_stats_of_an_empty_month() -> None:
    stats = compute_stats([], close_days=7)
    assert stats["total"] == 0 and stats["closed_on_time_rate"] is None
    assert stats["average_closure_days"] is None and stats["longest_closure_label"] == ""


# --- policy -------------------------------------------------------------------------------------
def _defaults() -> dict:
    return tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))


def test_default_policy_is_valid_and_routes_per_cmp4() -> None:
    policy = ComplaintsPolicy.model_validate(_defaults())
    assert policy.numbering.prefix == "TS" and policy.numbering.digits == 4
    assert policy.routing.route_for(Ground.QUALITY_DEFECT) == Route.INVESTIGATION
    assert policy.routing.route_for(Ground.SPEC_MISMATCH) == Route.INVESTIGATION
    assert policy.routing.route_for(Ground.OTHER) == Route.LEADERSHIP
    assert policy.routing.route_for(Ground.DELIVERY_TIME) == Route.SALES_PROCEDURE
    assert policy.routing.route_for("unknown") == ""


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("routing", "by_ground", "quality_defect"), "nowhere", "routing.by_ground"),
        (("numbering", "prefix"), "ts", "numbering.prefix"),
        (("default_sanction",), "fine", "default_sanction"),
        (("service_complaint", "roles"), ["boss"], "service_complaint.roles"),
        (("service_complaint", "month_basis"), "week", "service_complaint.month_basis"),
    ],
)
def test_bad_policy_values_are_refused_in_chinese(
    path: tuple[str, ...], value: object, field: str
) -> None:
    body = _defaults()
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(DomainError) as caught:
        validate_body("complaints", body)
    assert field in caught.value.fields


def test_every_ground_needs_a_route() -> None:
    body = _defaults()
    del body["routing"]["by_ground"]["service"]
    with pytest.raises(DomainError) as caught:
        validate_body("complaints", body)
    assert "因服务原因投诉客服" in caught.value.fields["routing.by_ground"]
