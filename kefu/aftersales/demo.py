"""Demo after-sales data for ``manage.py seed_demo`` (idempotent, through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.customers.models import Customer
from kefu.org.choices import Role
from kefu.org.models import Employee

from . import services
from .models import Installation, PriceItem, Product, RepairOrder

PRODUCTS = [
    ("CAM-200", "高清网络摄像机", "DS-2CD", "安防监控", "海康", 24),
    ("NVR-16", "16路网络硬盘录像机", "NVR-7816", "安防监控", "海康", 12),
    ("ACC-300", "门禁一体机", "AC-300", "门禁", "中控", 12),
    ("SW-24", "24口交换机", "S1724", "网络", "华为", 36),
    ("UPS-3K", "在线式UPS 3kVA", "C3K", "电源", "山特", 24),
    ("PBX-64", "程控交换机", "PBX-64", "通信", "国威", 12),
    ("LED-P3", "室内LED显示屏", "P3", "显示", "洲明", 6),
    ("BRD-1", "会议广播系统", "BRD-1", "音视频", "ITC", 12),
]


def seed_demo_aftersales(actor: Any) -> None:
    if Product.objects.exists():
        return
    products = []
    for code, name, model_no, cat, maker, months in PRODUCTS:
        p = services.product_create(
            actor=actor,
            code=code,
            name=name,
            model_no=model_no,
            category=cat,
            manufacturer=maker,
            manufacturer_warranty_months=months,
        )
        products.append(p)
        services.price_item_create(
            actor=actor,
            code=f"{code}-P1",
            name=f"{name}主板",
            kind="part",
            product=p,
            unit="块",
            unit_price=Decimal("380.00"),
        )
    services.price_item_create(
        actor=actor,
        code="LAB-VISIT",
        name="上门服务工时",
        kind="labour",
        unit="次",
        unit_price=Decimal("150.00"),
    )
    services.price_item_create(
        actor=actor,
        code="PART-CABLE",
        name="网线及水晶头",
        kind="part",
        unit="米",
        unit_price=Decimal("3.50"),
    )
    customers = list(Customer.objects.order_by("id")[:30])
    if not customers:
        return
    tech = Employee.objects.filter(user__groups__name=Role.AFTER_SALES.label).first()
    today = timezone.localdate()
    installs = []
    for i in range(30):
        c = customers[i % len(customers)]
        accepted = today - dt.timedelta(days=10 + i * 23)
        inst = services.installation_create(
            actor=actor,
            customer=c,
            product=products[i % len(products)],
            serial_number=f"SN{2026000 + i:08d}",
            order_no=f"DD{20260000 + i}",
            address=c.region or "海口市",
            acceptance_date=accepted,
            responsible=tech,
            department=tech.department if tech else None,
        )
        installs.append(inst)
        if i % 3 == 0 and i > 0:
            services.warranty_card_issue(
                actor=actor,
                installation=inst,
                issued_on=min(accepted + dt.timedelta(days=20), today),
            )
    now = timezone.now()
    for i in range(10):
        inst = installs[i]
        order = services.repair_create(
            actor=actor,
            customer=inst.customer,
            installation=inst,
            fault=["设备无法开机", "图像卡顿", "网络不通", "屏幕花屏"][i % 4],
            reported_at=now - dt.timedelta(hours=6 + i * 9),
        )
        if i == 0 or tech is None:
            continue
        order = services.repair_assign(actor=actor, order=order, technician=tech)
        if i >= 2:
            order = services.repair_arrive(
                actor=actor, order=order, arrived_at=order.reported_at + dt.timedelta(hours=3 * i)
            )
        if i >= 4:
            order = (
                services.repair_spare(
                    actor=actor, order=order, spare_at=order.arrived_at + dt.timedelta(hours=2)
                )
                if i % 2
                else services.repair_fix(
                    actor=actor,
                    order=order,
                    fixed_at=order.arrived_at + dt.timedelta(hours=2),
                    work_done="更换主板，测试正常",
                )
            )
        if i >= 6:
            order = services.repair_sign_off(actor=actor, order=order, signed_by_name="张先生")
        if i >= 8:
            services.repair_close(actor=actor, order=order)
    assert RepairOrder.objects.exists() and PriceItem.objects.exists() and Installation.objects
