"""Demo customers — 演示客户 for ``manage.py seed_demo``: a few regions, every type and grade."""

from __future__ import annotations

import random
from typing import Any

from .choices import CustomerType
from .models import CustomerPhone
from .services import customer_create

REGIONS = [
    "华东·上海",
    "华东·杭州",
    "华南·广州",
    "华南·深圳",
    "华北·北京",
    "西南·成都",
    "华中·武汉",
]
COMPANIES = ["恒信建材", "宏达家居", "美佳装饰", "新世纪百货", "顺丰五金", "金诚酒店", "海纳电器"]
PEOPLE = [
    "王先生",
    "李女士",
    "张先生",
    "刘女士",
    "陈先生",
    "杨女士",
    "黄先生",
    "赵女士",
    "周先生",
    "吴女士",
]


def seed_demo_customers(actor: Any, count: int = 40) -> int:
    """Create demo customers through the service until ``count`` exist; returns how many were made."""
    rng = random.Random(20261122)  # the same customers on every machine
    made = 0
    for index in range(count):
        phone = f"139{index:04d}{rng.randint(1000, 9999)}"
        if CustomerPhone.objects.filter(phone=phone).exists():
            continue
        kind = [CustomerType.CONSUMER] * 5 + [
            CustomerType.DISTRIBUTOR,
            CustomerType.FRANCHISEE,
            CustomerType.ENTERPRISE,
        ]
        customer_type = kind[index % len(kind)]
        is_company = customer_type != CustomerType.CONSUMER
        name = COMPANIES[index % len(COMPANIES)] if is_company else PEOPLE[index % len(PEOPLE)]
        if is_company:
            name = f"{name}{REGIONS[index % len(REGIONS)].split('·')[1]}店"
        phones = [phone]
        if index % 4 == 0:
            phones.append(f"021-{6000_0000 + index * 37:08d}")
        customer_create(
            actor=actor,
            name=name if is_company else f"{name}（{index + 1:02d}）",
            phones=phones,
            customer_type=customer_type,
            grade="key" if index % 10 == 0 else "major" if index % 5 == 0 else "",
            region=REGIONS[index % len(REGIONS)],
            address=f"{REGIONS[index % len(REGIONS)].split('·')[1]}市示范路{100 + index}号",
            contact_person=PEOPLE[(index + 3) % len(PEOPLE)] if is_company else "",
        )
        made += 1
    return made
