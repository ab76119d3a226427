"""Demo service requests — 演示工单 for ``manage.py seed_demo``: every kind, every status.

Made through the services as the demo agents, so numbers, deadlines, messages and the audit
trail are what real use produces. Some were received days ago and are overdue, so the 工作台's
countdowns and the SLA scan have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from kefu.customers.models import Customer
from kefu.org.models import Employee

from .choices import Channel, Kind, Priority, Subkind
from .models import Ticket
from .services import ticket_act, ticket_create, ticket_escalate_service_mode

# (kind, subkind, channel, title, description, demand)
# Complaints are not here: a complaint is opened with its 记录卡 by the complaints app (its demo).
SAMPLES: list[tuple[str, str, str, str, str, str]] = [
    (
        Kind.INQUIRY,
        "",
        Channel.HOTLINE,
        "咨询地暖管保修期",
        "客户询问地暖管保修年限及保修范围",
        "告知保修政策",
    ),
    (
        Kind.INQUIRY,
        "",
        Channel.ONLINE_CHAT,
        "询问批量采购价格",
        "旺旺咨询 200 米以上的批量价格",
        "报价",
    ),
    (
        Kind.AFTER_SALES,
        Subkind.REPAIR,
        Channel.HOTLINE,
        "热水器不加热报修",
        "使用半年后不加热，显示 E3",
        "上门维修",
    ),
    (
        Kind.AFTER_SALES,
        Subkind.RETURN,
        Channel.ONLINE_CHAT,
        "收到商品尺寸不符要求退货",
        "订购 DN20 收到 DN25",
        "退货退款",
    ),
    (
        Kind.AFTER_SALES,
        Subkind.EXCHANGE,
        Channel.EMAIL,
        "阀门漏水要求换货",
        "安装后接口处渗水",
        "换新",
    ),
    (Kind.ORDER_ISSUE, Subkind.CHASE, Channel.ONLINE_CHAT, "催发货", "付款三天未发货", "尽快发货"),
    (
        Kind.ORDER_ISSUE,
        Subkind.SHORT_SHIPPED,
        Channel.HOTLINE,
        "少发两个弯头",
        "清点时少了两个弯头",
        "补发",
    ),
    (
        Kind.ORDER_ISSUE,
        Subkind.DAMAGED,
        Channel.WEB_FORM,
        "快递破损",
        "外箱压坏，管件断裂",
        "补发或退款",
    ),
    (
        Kind.ORDER_ISSUE,
        Subkind.ADDRESS_CHANGE,
        Channel.ONLINE_CHAT,
        "修改收货地址",
        "搬家，需改到新地址",
        "改地址",
    ),
    (
        Kind.SUGGESTION,
        "",
        Channel.LETTER,
        "建议增加夜间热线",
        "晚上十点后打不通热线",
        "延长服务时间",
    ),
    (Kind.PRAISE, "", Channel.HOTLINE, "表扬安装师傅", "师傅安装细致，主动清理现场", "转达表扬"),
]


def seed_demo_tickets(actor: Any, count: int = 36) -> int:
    """Create demo requests until ``count`` exist; returns how many were made (idempotent)."""
    if Ticket.objects.exists():
        return 0
    rng = random.Random(20261122)
    agents = list(
        Employee.objects.filter(
            user__groups__name="客服代表", department__code="CS", team__isnull=False
        )
        .select_related("user")
        .order_by("employee_no")[:12]
    )
    customers = list(Customer.objects.order_by("id")[:40])
    if not agents or not customers:
        return 0
    now = timezone.now()
    made = 0
    for index in range(count):
        kind, subkind, channel, title, description, demand = SAMPLES[index % len(SAMPLES)]
        agent = agents[index % len(agents)]
        ticket = ticket_create(
            actor=agent.user,
            channel=channel,
            kind=kind,
            subkind=subkind,
            customer=rng.choice(customers),
            title=title,
            description=description,
            demand=demand,
            priority=rng.choice([Priority.NORMAL] * 4 + [Priority.HIGH, Priority.URGENT]),
            order_no=f"TB{2026110000 + index}" if kind == Kind.ORDER_ISSUE else "",
            received_at=now - dt.timedelta(hours=rng.randint(1, 120)),
            # TKT-9: a special demand now and then (小红旗).
            red_flag=index % 7 == 3,
            red_flag_note="客户要求周末送货上门" if index % 7 == 3 else "",
        )
        made += 1
        _work(ticket, agent, agents, index)
    return made


def _work(ticket: Ticket, agent: Employee, agents: list[Employee], index: int) -> None:
    """Move a demo request along a path depending on its index (new, in progress, closed …)."""
    stage = index % 6
    user = agent.user
    if stage == 0:
        return  # 新建
    ticket = ticket_act(actor=user, ticket=ticket, action="accept")
    if stage == 1:
        if ticket.kind == Kind.AFTER_SALES:
            # TKT-8: the hotline could not clear it — a technician goes on site.
            ticket_escalate_service_mode(
                actor=user, ticket=ticket, mode="onsite", reason="电话指导后仍无法排除故障"
            )
        return  # 处理中
    ticket = ticket_act(
        actor=user,
        ticket=ticket,
        action="reply",
        note="您好，已收到您的问题，正在处理。",
        via="phone",
    )
    if stage == 2:
        ticket_act(
            actor=user, ticket=ticket, action="wait_customer", note="请提供商品照片", via="online"
        )
        return
    if stage == 3:
        other = agents[(index + 1) % len(agents)]
        ticket_act(
            actor=user, ticket=ticket, action="transfer", target=other, reason="需售后组处理"
        )
        return
    ticket = ticket_act(actor=user, ticket=ticket, action="resolve", note="已按客户要求处理完毕")
    if stage == 5:
        ticket_act(actor=user, ticket=ticket, action="close")
