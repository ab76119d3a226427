"""Customers — 客户档案维护: create, change, phones, find-or-create by phone, view log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent

from ..choices import CustomerType
from ..models import Customer, CustomerPhone
from ..phones import PHONE_HINT, is_valid_phone, normalize_phone
from ..policy import CustomerPolicy, customer_policy

VIEW = "customers.view_customer"
ADD = "customers.add_customer"
CHANGE = "customers.change_customer"

# The fields a customer's audit snapshots hold (its phones are added as a sorted list).
CUSTOMER_FIELDS = [
    "code",
    "name",
    "customer_type",
    "grade",
    "region",
    "address",
    "contact_person",
    "notes",
]
EDITABLE_FIELDS = CUSTOMER_FIELDS[1:]
OBJECT_TYPE = "customers.customer"
# The name a customer gets when a caller gives none (quick entry during a call).
UNNAMED = "来电客户（尾号{last4}）"


class CustomerPhoneTaken(ConflictError):
    """电话已属于其他客户 → HTTP 409. ``duplicate_of`` is the id of the customer who owns it, so
    a page can link to that record instead of creating a second one."""

    def __init__(self, *, phone: str, owner: Customer, field: str = "phones") -> None:
        text = f"电话 {phone} 已属于客户 {owner.code}（{owner.name}）"
        super().__init__("customer_phone_taken", text, fields={field: text})
        self.duplicate_of = owner.pk
        self.owner_code = owner.code


def _require(actor: Any, perm: str) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDeniedError()


def _max_length(field: str) -> int:
    return Customer._meta.get_field(field).max_length or 0


LABELS = {
    "name": "客户名称",
    "region": "地区",
    "address": "地址",
    "contact_person": "联系人",
    "notes": "备注",
}
NOTES_MAX = 2000  # a text column has no length; this keeps one record readable on one screen


def validate_customer_values(
    values: dict[str, Any], *, policy: CustomerPolicy, instance: Customer | None = None
) -> dict[str, Any]:
    """Check a customer's field values; raise one DomainError listing every bad field.

    A grade must be one of the policy in force, except a grade the customer already has (a
    later version may have dropped it; keeping it unchanged is not a new decision).
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        cleaned[key] = value.strip() if isinstance(value, str) else value
    if "name" in cleaned:
        name = cleaned["name"] or ""
        if not name:
            errors["name"] = "请填写客户名称"
        elif len(name) > _max_length("name"):
            errors["name"] = f"客户名称最多{_max_length('name')}个字"
    for key in ("region", "address", "contact_person"):
        if key in cleaned:
            cleaned[key] = cleaned[key] or ""
            if len(cleaned[key]) > _max_length(key):
                errors[key] = f"{LABELS[key]}最多{_max_length(key)}个字"
    if "notes" in cleaned:
        cleaned["notes"] = cleaned["notes"] or ""
        if len(cleaned["notes"]) > NOTES_MAX:
            errors["notes"] = f"备注最多{NOTES_MAX}个字"
    if "customer_type" in cleaned and cleaned["customer_type"] not in CustomerType.values:
        errors["customer_type"] = "客户类型不在可选范围内"
    if "grade" in cleaned:
        grade = cleaned["grade"] or ""
        allowed = {g.code for g in policy.grades}
        kept = instance is not None and grade == instance.grade
        if not grade:
            errors["grade"] = "请选择客户等级"
        elif grade not in allowed and not kept:
            errors["grade"] = "客户等级不在现行制度的等级中"
    if errors:
        raise DomainError("customer_invalid", "客户信息有误，请检查标红的字段", fields=errors)
    return cleaned


def clean_phone(raw: str, *, field: str = "phone") -> str:
    """One number in its stored form; DomainError under ``field`` when it is not a phone."""
    number = normalize_phone(raw)
    if not number:
        raise DomainError("customer_phone_required", "请填写电话", fields={field: "请填写电话"})
    if not is_valid_phone(number):
        raise DomainError(
            "customer_phone_invalid", f"{raw.strip()}：{PHONE_HINT}", fields={field: PHONE_HINT}
        )
    return number


def clean_phones(raw: list[str], *, field: str = "phones") -> list[str]:
    """Several numbers in stored form, blanks dropped, order kept; each valid, none repeated."""
    numbers: list[str] = []
    bad: list[str] = []
    for item in raw:
        number = normalize_phone(item)
        if not number:
            continue
        if not is_valid_phone(number):
            bad.append(item.strip())
        elif number in numbers:
            raise DomainError(
                "customer_phone_repeated",
                f"电话 {number} 填写了两次",
                fields={field: f"电话 {number} 填写了两次"},
            )
        else:
            numbers.append(number)
    if bad:
        text = f"{'、'.join(bad)}：{PHONE_HINT}"
        raise DomainError("customer_phone_invalid", text, fields={field: text})
    if not numbers:
        raise DomainError(
            "customer_phone_required", "请至少填写一个电话", fields={field: "请至少填写一个电话"}
        )
    return numbers


def _check_free(numbers: list[str], *, field: str, customer: Customer | None = None) -> None:
    """Refuse numbers that already belong to a customer (another one, or ``customer`` itself)."""
    taken = (
        CustomerPhone.objects.filter(phone__in=numbers)
        .select_related("customer")
        .order_by("id")
        .first()
    )
    if taken is None:
        return
    if customer is not None and taken.customer_id == customer.pk:
        raise ConflictError(
            "customer_phone_exists",
            f"电话 {taken.phone} 已在该客户名下",
            fields={field: "该电话已在该客户名下"},
        )
    raise CustomerPhoneTaken(phone=taken.phone, owner=taken.customer, field=field)


def _insert_phones(customer: Customer, numbers: list[str], *, field: str) -> list[CustomerPhone]:
    rows = [CustomerPhone(customer=customer, phone=n, last4=n[-4:]) for n in numbers]
    try:
        with transaction.atomic():  # a savepoint: the IntegrityError must not poison the caller
            return CustomerPhone.objects.bulk_create(rows)
    except IntegrityError:
        # Another request stored one of the numbers since _check_free: name its owner now.
        _check_free(numbers, field=field, customer=customer)
        raise


def _owner_of(number: str) -> Customer | None:
    """The customer owning a normalised number, whoever asks (services check rights themselves)."""
    return Customer.objects.filter(phones__phone=number).first()


def _phones_of(customer: Customer) -> list[str]:
    return sorted(customer.phones.values_list("phone", flat=True))


def _snapshot(customer: Customer) -> dict[str, Any]:
    return audit.snapshot(customer, CUSTOMER_FIELDS)


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    name: str,
    phones: list[str],
    customer_type: str = CustomerType.CONSUMER,
    grade: str = "",
    region: str = "",
    address: str = "",
    contact_person: str = "",
    notes: str = "",
) -> Customer:
    """Open a customer record — 新建客户档案, with at least one phone (audited).

    A phone that already belongs to a customer is refused with ``CustomerPhoneTaken``
    (``customer_phone_taken``, 409) naming that customer: the archive keeps one record per
    caller. Without a grade the policy's default grade is given.
    """
    _require(actor, ADD)
    policy = customer_policy()
    values = validate_customer_values(
        {
            "name": name,
            "customer_type": customer_type,
            "grade": grade or policy.default_grade,
            "region": region,
            "address": address,
            "contact_person": contact_person,
            "notes": notes,
        },
        policy=policy,
    )
    numbers = clean_phones(phones)
    _check_free(numbers, field="phones")
    # The number is derived from the row id, known only after the insert; the placeholder never
    # leaves this transaction.
    customer = Customer.objects.create(
        code=f"~{uuid.uuid4().hex[:18]}",
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    customer.code = f"C{customer.pk:06d}"
    customer.save(update_fields=["code"])
    _insert_phones(customer, numbers, field="phones")
    audit.record(
        actor=actor,
        action="customer.create",
        obj=customer,
        after={**_snapshot(customer), "phones": sorted(numbers)},
    )
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: Any,
    customer: Customer,
    name: str | None = None,
    customer_type: str | None = None,
    grade: str | None = None,
    region: str | None = None,
    address: str | None = None,
    contact_person: str | None = None,
    notes: str | None = None,
) -> Customer:
    """Change a customer's record — 修改客户档案 (audited with before and after).

    ``None`` leaves a field as it is; ``""`` clears an optional one. Phones change through
    ``customer_add_phone`` / ``customer_remove_phone``.
    """
    _require(actor, CHANGE)
    changes = {
        key: value
        for key, value in {
            "name": name,
            "customer_type": customer_type,
            "grade": grade,
            "region": region,
            "address": address,
            "contact_person": contact_person,
            "notes": notes,
        }.items()
        if value is not None
    }
    # Lock the row and start from what is stored, so the audit's "before" is the truth even
    # when two people edit the same customer.
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    values = validate_customer_values(changes, policy=customer_policy(), instance=current)
    before = _snapshot(current)
    for key, value in values.items():
        setattr(current, key, value)
    after = _snapshot(current)
    if after != before:
        current.save()
        changed = [k for k in CUSTOMER_FIELDS if before[k] != after[k]]
        audit.record(
            actor=actor,
            action="customer.update",
            obj=current,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    for field in [*EDITABLE_FIELDS, "updated_at"]:
        setattr(customer, field, getattr(current, field))
    return customer


@transaction.atomic
def customer_add_phone(*, actor: Any, customer: Customer, phone: str) -> CustomerPhone:
    """Add a phone number to a customer — 添加电话 (audited); refused when another has it."""
    _require(actor, CHANGE)
    number = clean_phone(phone, field="phone")
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    _check_free([number], field="phone", customer=customer)
    (row,) = _insert_phones(customer, [number], field="phone")
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())
    audit.record(
        actor=actor,
        action="customer.phone_add",
        obj=customer,
        after={"phone": number, "phones": _phones_of(customer)},
    )
    return row


@transaction.atomic
def customer_remove_phone(
    *, actor: Any, customer: Customer, phone: CustomerPhone, reason: str = ""
) -> None:
    """Remove a phone number from a customer — 删除电话 (audited); the last one stays."""
    _require(actor, CHANGE)
    # Lock the customer: two removals at once must not both see "two phones left".
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if phone.customer_id != customer.pk:
        raise DomainError("customer_phone_not_found", "该电话不属于此客户", status=404)
    if customer.phones.count() <= 1:
        raise DomainError(
            "customer_phone_last",
            "客户至少需要保留一个电话",
            fields={"phone": "客户至少需要保留一个电话"},
            status=409,
        )
    before = _phones_of(customer)
    number = phone.phone
    phone.delete()
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())
    audit.record(
        actor=actor,
        action="customer.phone_remove",
        obj=customer,
        before={"phone": number, "phones": before},
        after={"phones": _phones_of(customer)},
        reason=(reason or "").strip(),
    )


@transaction.atomic
def customer_find_or_create_by_phone(
    *, actor: Any, phone: str, name: str = ""
) -> tuple[Customer, bool]:
    """The customer owning ``phone``, or a new one with it — 按来电号码查找或建档.

    For quick entry during a call: the caller's number is all that is known. Returns
    ``(customer, created)``. A new customer is named ``name`` or "来电客户（尾号1234）" and gets
    the policy's default grade. Two calls racing for the same new number end with one customer:
    the loser of the insert finds the winner's record.
    """
    _require(actor, VIEW)
    number = clean_phone(phone, field="phone")
    existing = _owner_of(number)
    if existing is not None:
        return existing, False
    _require(actor, ADD)
    try:
        with transaction.atomic():
            customer = customer_create(
                actor=actor,
                name=(name or "").strip() or UNNAMED.format(last4=number[-4:]),
                phones=[number],
            )
    except CustomerPhoneTaken as exc:
        return Customer.objects.get(pk=exc.duplicate_of), False
    return customer, True


def customer_view_record(*, actor: Any, customer: Customer, now: dt.datetime | None = None) -> bool:
    """Log that ``actor`` opened ``customer`` — 查看客户档案 (SEC-1); True when an event was written.

    At most one event per person and customer within the policy's interval: the check is one
    indexed look-up of the customer's recent events, far cheaper than the append it avoids.
    Not atomic on purpose: two tabs opened in the same instant may both log, which is harmless.
    """
    _require(actor, VIEW)
    minutes = customer_policy().view_log.interval_minutes
    if minutes:
        since = (now or timezone.now()) - dt.timedelta(minutes=minutes)
        recent = AuditEvent.objects.filter(
            object_type=OBJECT_TYPE,
            object_id=str(customer.pk),
            action="customer.view",
            actor=actor,
            at__gte=since,
        )
        if recent.exists():
            return False
    audit.record(actor=actor, action="customer.view", obj=customer)
    return True
