"""Demo complaints — 演示投诉 for ``manage.py seed_demo``: a few cases at different steps.

Made through the services by the demo people who would act (客服 KF011/KF012 record and reply,
客服主管 KF002 decides and reviews, 行政人事部 HR001 routes, 仓库 CK002/CK001 and 技术服务部
JS002/JS001 investigate and approve, 总经理 G001 approves, 副总经理 G002 decides), so numbers,
deadlines, steps, findings and the audit trail are what real use produces. Three were received
last month and are closed (one investigated, with its responsibility findings; one refused; one
answered by the sales procedure), so last month's 投诉统计 — the page's default — has content.
The clock cannot be turned back: they close today, i.e. late.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.customers.models import Customer
from kefu.org.models import Department, Employee
from kefu.tickets.choices import Channel

from . import services
from .choices import ComplainantType, Demand, Ground, Route
from .models import Complaint
from .report import InvestigationData, ShareData

PEOPLE = ("KF011", "KF012", "KF002", "HR001", "CK001", "CK002", "JS001", "JS002", "G001", "G002")


def _report(
    *, cause: str, course: str, shares: tuple[ShareData, ...], loss: str
) -> InvestigationData:
    return InvestigationData(
        scope_true=True,
        reasons_sound=True,
        demand_legitimate=True,
        aim="要求换货并赔偿运费",
        cause=cause,
        course=course,
        conclusion="投诉属实，责任已查明",
        countermeasures="为客户换货，运费由公司承担",
        prevention="出库前逐件检查包装，易碎品加护角",
        loss_amount=Decimal(loss),
        shares=shares,
    )


def seed_demo_complaints(actor: Any) -> int:
    """Create the demo complaints once (idempotent); returns how many were made."""
    if Complaint.objects.exists():
        return 0
    people = {
        e.employee_no: e
        for e in Employee.objects.filter(employee_no__in=PEOPLE).select_related("user")
    }
    departments = {d.code: d for d in Department.objects.filter(code__in=("WH", "LOG", "TECH"))}
    customers = list(Customer.objects.order_by("id")[:8])
    if len(people) < len(PEOPLE) or len(departments) < 3 or len(customers) < 7:
        return 0

    def user(no: str) -> Any:
        return people[no].user

    now = timezone.now()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    def last_month_at(day: int, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(last_month.replace(day=day), dt.time(hour)))

    def open_(no: str, customer: Customer, received: dt.datetime, **card: Any) -> Complaint:
        return services.complaint_open(
            actor=user(no),
            customer=customer,
            channel=card.pop("channel", Channel.HOTLINE),
            received_at=received,
            contact_phone=card.pop("contact_phone", ""),
            **card,
        )

    # 1. Last month, investigated by the warehouse, approved up the chain, replied and closed.
    c = open_(
        "KF011",
        customers[0],
        last_month_at(12, 10),
        complainant_type=ComplainantType.DISTRIBUTOR,
        ground=Ground.PACKING_DAMAGE,
        demands=[Demand.EXCHANGE, Demand.COMPENSATION],
        amount_involved=Decimal("2400"),
        title="到货外箱压扁，地暖分水器断裂",
        description="代理商收货时发现两箱外包装破损，内有三只分水器断裂",
        contact_phone="13900000001",
    )
    c = services.complaint_decide_acceptance(actor=user("KF002"), complaint=c, accept=True)
    c = services.complaint_route(
        actor=user("HR001"),
        complaint=c,
        route=Route.INVESTIGATION,
        investigating_department=departments["WH"],
    )
    c = services.complaint_submit_investigation(
        actor=user("CK002"),
        complaint=c,
        report=_report(
            cause="出库时未按易碎品加护角，物流组装车时重压",
            course="10月11日出库，12日送达，客户签收时拍照留证",
            shares=(
                ShareData(
                    department_id=departments["WH"].pk,
                    employee_id=people["CK002"].pk,
                    percent=Decimal("60"),
                    sanction_trigger="storage_transport",
                    sanction="warning",
                ),
                ShareData(
                    department_id=departments["LOG"].pk,
                    percent=Decimal("40"),
                    sanction_trigger="storage_transport",
                    sanction="circulated_criticism",
                ),
            ),
            loss="1800",
        ),
    )
    for approver in ("CK001", "HR001", "G001"):
        c = services.complaint_approve(actor=user(approver), complaint=c, comment="同意")
    c = services.complaint_record_handling_opinion(
        actor=user("CK002"), complaint=c, text="三日内为客户换发三只分水器，往返运费由公司承担"
    )
    c = services.complaint_review(actor=user("KF002"), complaint=c, approve=True)
    services.complaint_reply(
        actor=user("KF011"), complaint=c, via="phone", text="已电话告知客户换货安排，客户表示认可"
    )

    # 2. Last month, caused by the customer: not accepted, the reason told in the reply.
    c = open_(
        "KF012",
        customers[1],
        last_month_at(18, 15),
        complainant_type=ComplainantType.CONSUMER,
        ground=Ground.QUALITY_DEFECT,
        demands=[Demand.RETURN],
        amount_involved=Decimal("560"),
        title="热水器使用一年后不加热要求退货",
        contact_phone="13900000002",
    )
    c = services.complaint_decide_acceptance(
        actor=user("KF002"), complaint=c, accept=False, reason="客户自行改装线路导致故障"
    )
    services.complaint_reply(
        actor=user("KF012"),
        complaint=c,
        via="written",
        text="经核实属非正常使用，可为您提供有偿维修",
    )

    # 3. Last month, a delivery-time case answered by the sales procedure.
    c = open_(
        "KF011",
        customers[2],
        last_month_at(25, 9),
        complainant_type=ComplainantType.FRANCHISEE,
        ground=Ground.DELIVERY_TIME,
        demands=[Demand.CRITICISM_SUGGESTION],
        title="加盟店订货晚到五天",
        channel=Channel.EMAIL,
    )
    c = services.complaint_decide_acceptance(actor=user("KF002"), complaint=c, accept=True)
    c = services.complaint_route(actor=user("KF002"), complaint=c, route=Route.SALES_PROCEDURE)
    services.complaint_reply(
        actor=user("KF011"), complaint=c, via="written", text="已按内销办法补偿运费并致歉"
    )

    # 4. Nine days ago, still being investigated: on the 超期投诉 list.
    c = open_(
        "KF012",
        customers[3],
        now - dt.timedelta(days=9),
        complainant_type=ComplainantType.CONSUMER,
        ground=Ground.TRANSPORT_DAMAGE,
        demands=[Demand.EXCHANGE],
        amount_involved=Decimal("320"),
        title="阀门运输途中碰坏",
        contact_phone="13900000004",
    )
    c = services.complaint_decide_acceptance(actor=user("KF002"), complaint=c, accept=True)
    services.complaint_route(
        actor=user("HR001"),
        complaint=c,
        route=Route.INVESTIGATION,
        investigating_department=departments["WH"],
    )

    # 5. Two days ago, investigated by 技术服务部; waiting for 行政人事部's review.
    c = open_(
        "KF011",
        customers[4],
        now - dt.timedelta(days=2),
        complainant_type=ComplainantType.DISTRIBUTOR,
        ground=Ground.QUALITY_DEFECT,
        demands=[Demand.PRICE_REDUCTION],
        amount_involved=Decimal("5200"),
        title="一批地暖管壁厚不达标",
        contact_phone="13900000005",
    )
    c = services.complaint_decide_acceptance(actor=user("KF002"), complaint=c, accept=True)
    c = services.complaint_route(
        actor=user("HR001"),
        complaint=c,
        route=Route.INVESTIGATION,
        investigating_department=departments["TECH"],
    )
    c = services.complaint_submit_investigation(
        actor=user("JS002"),
        complaint=c,
        report=_report(
            cause="供应商来料批次壁厚偏差，进货检验漏检",
            course="抽检同批次10卷，3卷壁厚低于标准",
            shares=(
                ShareData(
                    department_id=departments["TECH"].pk,
                    employee_id=people["JS002"].pk,
                    percent=Decimal("100"),
                    sanction_trigger="materials_not_per_spec",
                    sanction="warning",
                ),
            ),
            loss="1500",
        ),
    )
    services.complaint_approve(actor=user("JS001"), complaint=c, comment="情况属实")

    # 6. Three days ago, a contract dispute waiting for the leadership's decision.
    c = open_(
        "KF012",
        customers[5],
        now - dt.timedelta(days=3),
        complainant_type=ComplainantType.DISTRIBUTOR,
        ground=Ground.OTHER,
        demands=[Demand.COMPENSATION],
        amount_involved=Decimal("12000"),
        title="代理商认为返利未按合同结算",
    )
    c = services.complaint_decide_acceptance(actor=user("KF002"), complaint=c, accept=True)
    services.complaint_route(actor=user("KF002"), complaint=c, route=Route.LEADERSHIP)

    # 7. Just received: waiting for the acceptance decision.
    open_(
        "KF011",
        customers[6],
        now - dt.timedelta(hours=1),
        complainant_type=ComplainantType.CONSUMER,
        ground=Ground.SERVICE,
        demands=[Demand.CRITICISM_SUGGESTION],
        title="客户投诉客服态度生硬",
        description="客户称昨晚咨询时客服回答不耐烦",
        contact_phone="13900000007",
    )
    return 7
