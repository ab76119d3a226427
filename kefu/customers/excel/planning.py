"""Checking imported rows and planning the writes — 导入校验 (never writes to the database).

A row with a 客户编号 updates that customer (only what differs) and adds the numbers of its 电话
cell that it does not have yet; numbers are never removed by an import (a file that lost a column
must not erase phones: removal is a deliberate act on the customer's page). A row without a
客户编号 is a new customer. Any number that belongs to another customer, or appears on two rows,
is an error: the archive keeps one customer per phone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kefu.core.errors import DomainError
from kefu.core.xlsx import ImportRow, RowError

from ..models import Customer, CustomerPhone
from ..policy import CustomerPolicy
from .layout import _CHUNK, FIELD_LABELS

# The columns that are fields of the customer (the others: 客户编号, 电话, the times).
EDITABLE_FIELDS = ("name", "customer_type", "grade", "region", "address", "contact_person", "notes")
Validate = Callable[..., dict[str, Any]]


@dataclass
class PlannedRow:
    """A checked row and the service calls it becomes (create, or update + add phones)."""

    line: int
    values: dict[str, Any]
    phones: list[str] = field(default_factory=list)  # all of them for a new customer
    instance: Customer | None = None


@dataclass
class ImportPlan:
    creates: list[PlannedRow] = field(default_factory=list)
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _short(key: str, message: str) -> str:
    """A service message under its column: "客户名称最多100个字" under 客户名称 reads "最多100个字"."""
    label = FIELD_LABELS.get(key, "")
    if label and message.startswith(label) and message != label:
        return message.removeprefix(label).lstrip("：: ") or message
    return message


def row_errors(line: int, error: DomainError) -> list[RowError]:
    """A service's DomainError as row errors, one per field, named by the column to fix."""
    if not error.fields:
        return [RowError(line, "", error.message)]
    return [
        RowError(line, FIELD_LABELS.get(key, ""), _short(key, message))
        for key, message in error.fields.items()
    ]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _lookups(codes: set[str], numbers: set[str]) -> tuple[dict[str, Customer], dict[str, Customer]]:
    """Customers by 客户编号, and the owner of every number in the file (chunked IN look-ups)."""
    by_code: dict[str, Customer] = {}
    for chunk in _chunks(sorted(codes)):
        for customer in Customer.objects.filter(code__in=chunk):
            by_code[customer.code] = customer
    owners: dict[str, Customer] = {}
    for chunk in _chunks(sorted(numbers)):
        for phone in CustomerPhone.objects.filter(phone__in=chunk).select_related("customer"):
            owners[phone.phone] = phone.customer
    return by_code, owners


def _resolve_grade(text: str, policy: CustomerPolicy) -> str:
    """A grade cell (名称 such as 大客户, or its code) as the grade code; unknown text passes on
    so ``validate_customer_values`` reports it like a form entry."""
    return policy.grade_by_name().get(text, text)


def _check_row(
    row: ImportRow,
    *,
    by_code: dict[str, Customer],
    owners: dict[str, Customer],
    policy: CustomerPolicy,
    validate: Validate,
) -> tuple[PlannedRow | None, dict[str, str]]:
    v = row.values
    errors: dict[str, str] = dict(row.errors)
    code = (v.get("code") or "").upper()
    existing = by_code.get(code) if code else None
    if code and existing is None:
        return None, {"code": f"客户编号“{code}”不存在（新客户请留空）"}
    numbers: list[str] = [n for n in v.get("phones") or [] if n]
    if "phones" not in errors:
        for number in numbers:
            owner = owners.get(number)
            if owner is not None and (existing is None or owner.pk != existing.pk):
                errors["phones"] = f"电话 {number} 已属于客户 {owner.code}（{owner.name}）"
                break
    candidates: dict[str, Any] = {k: v[k] for k in EDITABLE_FIELDS if k in v}
    if existing is None:
        if v.get("phones_masked"):
            errors.setdefault("phones", "新客户须填写完整电话（不能含*）")
        elif not numbers:
            errors.setdefault("phones", "请至少填写一个电话")
        if not candidates.get("grade"):
            candidates["grade"] = policy.default_grade
        if not candidates.get("customer_type"):
            candidates.pop("customer_type", None)
        values = candidates
    else:
        # Type and grade cannot be empty: a blank cell leaves them as they are.
        for key in ("customer_type", "grade"):
            if key in candidates and not candidates[key]:
                del candidates[key]
        values = candidates
    if "grade" in values:
        values["grade"] = _resolve_grade(values["grade"], policy)
    try:
        values = validate(values, policy=policy, instance=existing)
    except DomainError as exc:
        for key, message in exc.fields.items():
            errors.setdefault(key, _short(key, message))
    if errors:
        return None, errors
    if existing is None:
        return PlannedRow(row.line, values, phones=numbers), {}
    changed = {k: val for k, val in values.items() if getattr(existing, k) != val}
    have = set(owners_of(existing, owners))
    new_numbers = [n for n in numbers if n not in have]
    return PlannedRow(row.line, changed, phones=new_numbers, instance=existing), {}


def owners_of(customer: Customer, owners: dict[str, Customer]) -> list[str]:
    """The numbers of the file that ``customer`` already has."""
    return [number for number, owner in owners.items() if owner.pk == customer.pk]


def plan_import(*, rows: list[ImportRow], policy: CustomerPolicy, validate: Validate) -> ImportPlan:
    """Check every row of an import and plan its writes; nothing is written here.

    ``validate`` is ``services.validate_customer_values`` — the same checks a form entry gets.
    """
    plan = ImportPlan()
    first_code: dict[str, int] = {}
    first_phone: dict[str, int] = {}
    skipped: set[int] = set()
    for row in rows:
        code = (row.values.get("code") or "").upper()
        if code:
            if code in first_code:
                plan.errors.append(RowError(row.line, "客户编号", f"与第{first_code[code]}行重复"))
                skipped.add(row.line)
            else:
                first_code[code] = row.line
        for number in row.values.get("phones") or []:
            if not number:
                continue
            if number in first_phone and first_phone[number] != row.line:
                plan.errors.append(
                    RowError(row.line, "电话", f"电话 {number} 与第{first_phone[number]}行重复")
                )
                skipped.add(row.line)
            else:
                first_phone.setdefault(number, row.line)
    by_code, owners = _lookups(set(first_code), set(first_phone))
    for row in rows:
        if row.line in skipped:
            continue
        planned, errors = _check_row(
            row, by_code=by_code, owners=owners, policy=policy, validate=validate
        )
        if errors:
            plan.errors.extend(
                RowError(row.line, FIELD_LABELS.get(key, ""), message)
                for key, message in errors.items()
            )
            continue
        assert planned is not None
        if planned.instance is None:
            plan.creates.append(planned)
        elif planned.values or planned.phones:
            plan.updates.append(planned)
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda e: e.line)
    return plan
