"""导入责任认定 and 分期扣款 (CMP-9, CMP-11, PERF-10) against the database: exact yuan, idempotency,
the ledger lines, the payroll source and the query counts of the month booking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.compensation.choices import Basis, CompensationStatus
from kefu.compensation.models import Compensation, CompensationInstalment
from kefu.compensation.selectors import compensation_payroll_lines, compensation_schedule
from kefu.compensation.services import compensation_book_month, compensation_import_month
from kefu.core.errors import ConflictError, DomainError
from kefu.core.models import AuditEvent
from kefu.org.tests.factories import EmployeeFactory
from kefu.performance.choices import MonthCloseStatus
from kefu.performance.models import Incident, MonthClose
from kefu.performance.payroll import payroll_sources, run_close_preparers
from kefu.performance.periods import next_month

from .factories import add_qc, complaint, finding, this_month

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def qc(org):
    return add_qc(org)


def _amounts(month=None):
    qs = Compensation.objects.order_by("employee__employee_no", "amount")
    return [(c.employee.employee_no, c.amount, c.basis) for c in qs]


def test_department_loss_by_base_points_and_named_person(qc):
    c = complaint(qc)
    finding(c, department=qc["qc"], loss_share="3000")
    finding(c, department=qc["qc"], employee=qc["qc1"], loss_share="250.50")
    summary = compensation_import_month(month=this_month(), actor=qc["supervisor"].user)
    assert _amounts() == [
        ("QC1", D("250.50"), Basis.FINDING_SHARE),
        ("QC1", D("500.00"), Basis.BASE_POINTS),
        ("QC2", D("1000.00"), Basis.BASE_POINTS),
        ("QC3", D("1500.00"), Basis.BASE_POINTS),
    ]
    qc3 = Compensation.objects.get(employee=qc["qc3"])
    assert (qc3.unit_name, qc3.unit_base_points, qc3.base_points) == ("质检部", D("6"), D("3"))
    assert qc3.month == this_month() and qc3.status == CompensationStatus.OPEN
    assert "新增赔偿 4 人次 ¥3,250.50" in summary


def test_team_finding_charges_only_the_team_and_skips_leavers(qc):
    qc["qc2"].status = "left"
    qc["qc2"].left_on = this_month()
    qc["qc2"].save()
    finding(complaint(qc), department=qc["qc"], team=qc["qc_team"], loss_share="99.99")
    compensation_import_month(month=this_month(), actor=None)
    # only QC1 is an active member of 质检一组
    assert _amounts() == [("QC1", D("99.99"), Basis.BASE_POINTS)]


def test_unit_without_people_is_reported_not_charged(qc):
    from kefu.org.tests.factories import DepartmentFactory

    empty = DepartmentFactory(name="空部门", code="EMPTY", parent=qc["hq"])
    finding(complaint(qc), department=empty, loss_share="10")
    summary = compensation_import_month(month=this_month(), actor=None)
    assert Compensation.objects.count() == 0
    assert "空部门无在职人员或基点数为0" in summary


def test_import_is_idempotent(qc):
    c = complaint(qc)
    finding(c, department=qc["qc"], loss_share="3000")
    finding(c, department=qc["qc"], employee=qc["qc2"], sanction="minor_demerit")
    user = qc["supervisor"].user
    compensation_import_month(month=this_month(), actor=user)
    events = AuditEvent.objects.count()
    summary = compensation_import_month(month=this_month(), actor=user)
    assert Compensation.objects.count() == 3
    assert Incident.objects.filter(source="complaint").count() == 1
    assert AuditEvent.objects.count() == events
    assert "新增赔偿 0 人次" in summary


def test_service_complaint_books_the_cmp11_fine(qc):
    f = finding(
        complaint(qc),
        department=qc["cs"],
        employee=qc["agent_a2"],
        service=True,
        occurrence=2,
        fine="100",
        sanction="fine",
    )
    compensation_import_month(month=this_month(), actor=qc["supervisor"].user)
    line = Incident.objects.get(evidence_ref=f"complaints.finding:{f.pk}:fine")
    assert (line.rule, line.money, line.occurrence, line.source) == (
        "service_complaint",
        D("-100.00"),
        2,
        "complaint",
    )
    assert line.employee == qc["agent_a2"]
    assert line.evidence_link == f"/complaints/{f.complaint_id}/"
    assert not Incident.objects.filter(evidence_ref__endswith=":sanction").exists()


@pytest.mark.parametrize(
    ("sanction", "money"),
    [
        ("warning", D("0.00")),
        ("circulated_criticism", D("0.00")),
        ("minor_demerit", D("-300.00")),
        ("major_demerit", D("-1000.00")),
        ("dismissal", D("-1000.00")),
    ],
)
def test_sanction_conversion(qc, sanction, money):
    person = qc["agent_a2"]  # 月绩效奖金 1,000
    f = finding(complaint(qc), department=qc["cs"], employee=person, sanction=sanction)
    compensation_import_month(month=this_month(), actor=qc["supervisor"].user)
    line = Incident.objects.get(evidence_ref=f"complaints.finding:{f.pk}:sanction")
    assert (line.rule, line.category, line.money) == (sanction, "sanction", money)


def test_sanction_without_a_named_person_books_nothing(qc):
    finding(complaint(qc), department=qc["qc"], sanction="major_demerit")
    compensation_import_month(month=this_month(), actor=None)
    assert not Incident.objects.exists()


def test_future_month_refused(qc):
    with pytest.raises(DomainError) as exc:
        compensation_import_month(month=next_month(this_month()), actor=None)
    assert exc.value.code == "future_month"


def _book_through(months):
    for m in months:
        compensation_book_month(month=m, actor=None)


def test_instalments_400_a_month_then_paid(qc):
    # QC3's 1,500 of a 3,000 loss, 月绩效奖金 800 → 400/400/400/300
    finding(complaint(qc), department=qc["qc"], loss_share="3000")
    compensation_import_month(month=this_month(), actor=None)
    m1 = this_month()
    m2, m3, m4 = next_month(m1), next_month(next_month(m1)), next_month(next_month(next_month(m1)))
    comp = Compensation.objects.get(employee=qc["qc3"])
    assert [(r.month, r.amount, r.projected) for r in compensation_schedule(comp)] == [
        (m1, D("400.00"), True),
        (m2, D("400.00"), True),
        (m3, D("400.00"), True),
        (m4, D("300.00"), True),
    ]
    assert compensation_book_month(month=m1, actor=None) == 3
    assert compensation_book_month(month=m1, actor=None) == 3  # idempotent
    assert list(comp.instalments.values_list("month", "amount")) == [(m1, D("400.00"))]
    # QC1's 500: 400 + 100; QC2's 1,000: 400 + 400 + 200
    _book_through([m2, m3, m4])
    by_person = {
        c.employee.employee_no: (c.status, [i.amount for i in c.instalments.order_by("month")])
        for c in Compensation.objects.all()
    }
    assert by_person == {
        "QC1": ("paid", [D("400.00"), D("100.00")]),
        "QC2": ("paid", [D("400.00"), D("400.00"), D("200.00")]),
        "QC3": ("paid", [D("400.00"), D("400.00"), D("400.00"), D("300.00")]),
    }
    schedule = compensation_schedule(Compensation.objects.get(employee=qc["qc3"]))
    assert [r.projected for r in schedule] == [False] * 4
    assert schedule[-1].remaining == D("0.00")


def test_all_compensations_share_one_cap_oldest_first(qc):
    c = complaint(qc)
    finding(c, department=qc["qc"], employee=qc["qc1"], loss_share="300")
    compensation_import_month(month=this_month(), actor=None)
    finding(c, department=qc["qc"], employee=qc["qc1"], loss_share="300")
    compensation_import_month(month=this_month(), actor=None)
    compensation_book_month(month=this_month(), actor=None)
    first, second = Compensation.objects.order_by("id")
    assert [i.amount for i in first.instalments.all()] == [D("300.00")]
    assert [i.amount for i in second.instalments.all()] == [D("100.00")]
    first.refresh_from_db()
    assert first.status == CompensationStatus.PAID


def test_payroll_source_projected_then_booked(qc):
    finding(complaint(qc), department=qc["qc"], employee=qc["qc3"], loss_share="1500")
    compensation_import_month(month=this_month(), actor=None)
    assert "compensation" in payroll_sources()
    pid = qc["qc3"].pk
    expect = {(pid, "compensation", D("-400.00")), (pid, "carry_over", D("-1100.00"))}
    lines = compensation_payroll_lines(this_month(), None)
    assert {(ln.employee_id, ln.column, ln.amount) for ln in lines} == expect
    compensation_book_month(month=this_month(), actor=None)
    lines = compensation_payroll_lines(this_month(), [pid])
    assert {(ln.employee_id, ln.column, ln.amount) for ln in lines} == expect
    # the next month: 400 more, 700 carried
    lines = compensation_payroll_lines(next_month(this_month()), None)
    assert {(ln.column, ln.amount) for ln in lines} == {
        ("compensation", D("-400.00")),
        ("carry_over", D("-700.00")),
    }
    assert compensation_payroll_lines(this_month(), [qc["qc1"].pk]) == []


def test_close_preparer_imports(qc):
    finding(complaint(qc), department=qc["qc"], employee=qc["qc1"], loss_share="10")
    summaries = run_close_preparers(this_month(), qc["manager"].user)
    assert any("新增赔偿 1 人次 ¥10.00" in s for s in summaries)
    assert Compensation.objects.count() == 1


def test_book_refused_for_a_closed_month_or_before_a_booked_one(qc):
    finding(complaint(qc), department=qc["qc"], employee=qc["qc1"], loss_share="1000")
    compensation_import_month(month=this_month(), actor=None)
    compensation_book_month(month=next_month(this_month()), actor=None)
    with pytest.raises(ConflictError):
        compensation_book_month(month=this_month(), actor=None)
    MonthClose.objects.create(
        month=next_month(this_month()),
        status=MonthCloseStatus.CLOSED,
        approved_by=qc["gm"].user,
        closed_at=timezone.now(),
    )
    with pytest.raises(ConflictError):
        compensation_book_month(month=next_month(this_month()), actor=None)


def _people_with_debts(qc, n):
    c = complaint(qc)
    for _ in range(n):
        person = EmployeeFactory(department=qc["qc"], monthly_bonus=D("600"), roles=[])
        finding(c, department=qc["qc"], employee=person, loss_share="500")
    compensation_import_month(month=this_month(), actor=None)


@pytest.mark.parametrize("n", [3, 40])
def test_booking_takes_a_constant_number_of_queries(qc, n, django_assert_max_num_queries):
    _people_with_debts(qc, n)
    with django_assert_max_num_queries(14):
        assert compensation_book_month(month=this_month(), actor=None) == n
    assert CompensationInstalment.objects.filter(amount=D("300.00")).count() == n
    with django_assert_max_num_queries(6):
        lines = compensation_payroll_lines(this_month(), None)
    assert len(lines) == 2 * n
