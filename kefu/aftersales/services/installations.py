"""Installation services — 安装记录与保修卡 (AS-1, AS-3).

The warranty end is computed here and stored: acceptance date + the longer of the company's
minimum (policy in force on the acceptance date) and the product's manufacturer warranty; it is
recomputed whenever the acceptance date or the product changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.audit import snapshot
from kefu.core.errors import ConflictError, DomainError
from kefu.customers.models import Customer
from kefu.org.models import Department, Employee

from ..choices import InstallationKind
from ..hooks import run_installation_changed
from ..models import Installation, Product, WarrantyCard
from ..policy import aftersales_policy
from ..warranty import warranty_end, warranty_months
from .common import (
    ADD_INSTALLATION,
    CHANGE_INSTALLATION,
    ISSUE_CARD,
    local_day,
    next_number,
    require_perm,
    text,
)

FIELDS = (
    "kind",
    "customer_id",
    "product_id",
    "project_name",
    "serial_number",
    "order_no",
    "address",
    "acceptance_date",
    "warranty_months",
    "warranty_end",
    "department_id",
    "responsible_id",
    "notes",
)


def compute_warranty(acceptance: dt.date, product: Product | None) -> tuple[int, dt.date]:
    """(months, last covered day) for an installation accepted on ``acceptance``."""
    minimum = aftersales_policy(acceptance).minimum_warranty_months
    months = warranty_months(minimum, product.manufacturer_warranty_months if product else 0)
    return months, warranty_end(acceptance, months)


def _apply(inst: Installation, values: dict[str, Any], *, today: dt.date) -> None:
    errors: dict[str, str] = {}
    kind = values.get("kind", inst.kind) or InstallationKind.PRODUCT
    if kind not in InstallationKind.values:
        errors["kind"] = "请选择类型"
    inst.kind = kind
    if "customer" in values:
        inst.customer = values["customer"]
    if "product" in values:
        inst.product = values["product"]
    for key, label, n in (
        ("project_name", "工程项目名称", 100),
        ("serial_number", "序列号", 60),
        ("order_no", "订单号", 40),
        ("address", "安装地址", 200),
        ("notes", "备注", 2000),
    ):
        if key in values:
            try:
                setattr(
                    inst,
                    key,
                    text(values[key], field=key, label=label, max_length=n, required=False),
                )
            except DomainError as exc:
                errors.update(exc.fields)
    if "department" in values:
        inst.department = values["department"]
    if "responsible" in values:
        inst.responsible = values["responsible"]
    if "acceptance_date" in values:
        inst.acceptance_date = values["acceptance_date"]
    if inst.customer_id is None:
        errors["customer"] = "请选择客户"
    if kind == InstallationKind.PRODUCT and inst.product_id is None:
        errors["product"] = "产品类安装记录须选择产品"
    if kind == InstallationKind.PROJECT and not inst.project_name:
        errors["project_name"] = "工程项目须填写项目名称"
    if inst.acceptance_date is None:
        errors["acceptance_date"] = "请填写验收日期"
    elif inst.acceptance_date > today:
        errors["acceptance_date"] = "验收日期不能晚于今天"
    elif inst.acceptance_date < dt.date(1990, 1, 1):
        errors["acceptance_date"] = "验收日期不合理"
    if inst.serial_number and inst.product_id:
        dup = Installation.objects.filter(
            product_id=inst.product_id, serial_number=inst.serial_number
        )
        if inst.pk:
            dup = dup.exclude(pk=inst.pk)
        if dup.exists():
            errors["serial_number"] = "该产品的序列号已登记"
    if errors:
        raise DomainError("installation_invalid", next(iter(errors.values())), fields=errors)
    product = inst.product if inst.kind == InstallationKind.PRODUCT else None
    inst.warranty_months, inst.warranty_end = compute_warranty(inst.acceptance_date, product)


@transaction.atomic
def installation_create(
    *,
    actor: Any,
    customer: Customer,
    acceptance_date: dt.date,
    kind: str = InstallationKind.PRODUCT,
    product: Product | None = None,
    project_name: str = "",
    serial_number: str = "",
    order_no: str = "",
    address: str = "",
    department: Department | None = None,
    responsible: Employee | None = None,
    notes: str = "",
) -> Installation:
    """登记安装/销售记录 — Installation; the warranty end is computed from policy (AS-1)."""
    require_perm(actor, ADD_INSTALLATION)
    today = local_day(timezone.now())
    inst = Installation(created_by=actor)
    _apply(
        inst,
        {
            "kind": kind,
            "customer": customer,
            "product": product,
            "project_name": project_name,
            "serial_number": serial_number,
            "order_no": order_no,
            "address": address,
            "acceptance_date": acceptance_date,
            "department": department,
            "responsible": responsible,
            "notes": notes,
        },
        today=today,
    )
    inst.number = next_number("AZ", today, 4)
    inst.save()
    audit.record(
        actor=actor,
        action="installation.create",
        obj=inst,
        after={"number": inst.number, **snapshot(inst, FIELDS)},
    )
    run_installation_changed(inst)  # e.g. its return-visit plan (AS-4), same transaction
    return inst


@transaction.atomic
def installation_update(*, actor: Any, installation: Installation, **values: Any) -> Installation:
    """修改安装记录; the warranty end is recomputed (acceptance date or product may change)."""
    require_perm(actor, CHANGE_INSTALLATION)
    inst = Installation.objects.select_for_update().get(pk=installation.pk)
    before = snapshot(inst, FIELDS)
    _apply(inst, values, today=local_day(timezone.now()))
    inst.save()
    after = snapshot(inst, FIELDS)
    changed = [k for k in FIELDS if before[k] != after[k]]
    audit.record(
        actor=actor,
        action="installation.update",
        obj=inst,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if changed:
        run_installation_changed(inst)
    return inst


@transaction.atomic
def warranty_card_issue(
    *, actor: Any, installation: Installation, issued_on: dt.date | None = None
) -> WarrantyCard:
    """发放保修卡 (AS-3): once per installation, on or after acceptance, not in the future."""
    require_perm(actor, ISSUE_CARD)
    inst = Installation.objects.select_for_update().get(pk=installation.pk)
    if WarrantyCard.objects.filter(installation=inst).exists():
        raise ConflictError("card_already_issued", "该安装记录的保修卡已发放")
    today = local_day(timezone.now())
    issued_on = issued_on or today
    if issued_on > today:
        message = "发放日期不能晚于今天"
        raise DomainError("card_date_future", message, fields={"issued_on": message})
    if issued_on < inst.acceptance_date:
        message = "发放日期不能早于验收日期"
        raise DomainError("card_date_early", message, fields={"issued_on": message})
    card = WarrantyCard.objects.create(
        installation=inst, number=f"BX{inst.number[2:]}", issued_on=issued_on, issued_by=actor
    )
    audit.record(
        actor=actor,
        action="installation.card_issue",
        obj=inst,
        after={"card": card.number, "issued_on": issued_on},
    )
    return card
