"""Customer API — 客户档案接口 at /api/v1/customers (all writes via services).

Phones are masked in every answer unless the caller holds the reveal right (SEC-1). Opening one
customer (``GET /customers/{id}``) is logged like opening the customer's page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kefu.core.access import shown
from kefu.core.apikit import ErrorOut, Page, paginate, require_perm

from . import selectors, services
from .choices import CustomerType
from .models import Customer
from .policy import CustomerPolicy, customer_policy

router = Router(tags=["customers"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class PhoneOut(Schema):
    id: int
    phone: str = Field(description="电话（无查看完整信息权限时脱敏，如 138****5678）")
    last4: str


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    customer_type: str
    grade: str
    grade_name: str
    region: str
    address: str
    contact_person: str
    notes: str
    phones: list[PhoneOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    phones: list[str] = Field(min_length=1, max_length=20, description="电话（可含空格、-、+86）")
    customer_type: CustomerType = CustomerType.CONSUMER
    grade: str = Field("", max_length=20, description="等级代码；留空为默认等级")
    region: str = Field("", max_length=60)
    address: str = Field("", max_length=200)
    contact_person: str = Field("", max_length=40)
    notes: str = Field("", max_length=2000)


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    customer_type: CustomerType | None = None
    grade: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=60)
    address: str | None = Field(None, max_length=200)
    contact_person: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=2000)


class PhoneIn(Schema):
    phone: str = Field(min_length=1, max_length=30)


class CustomerFilter(Schema):
    q: str = Field("", description="名称/联系人（包含）、客户编号、电话（完整号码或尾号4位）")
    phone: str = Field("", description="电话：完整号码或尾号4位")
    region: str = ""
    grade: str = ""
    customer_type: str = ""
    page: int = Field(1, ge=1)
    page_size: int = 20


class GradeOut(Schema):
    code: str
    name: str
    default: bool


def customer_out(customer: Customer, viewer: Any, policy: CustomerPolicy) -> dict[str, Any]:
    """The API shape of a customer as ``viewer`` may see it (phones masked server-side)."""
    return {
        "id": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "customer_type": customer.customer_type,
        "grade": customer.grade,
        "grade_name": policy.grade_name(customer.grade),
        "region": customer.region,
        "address": customer.address,
        "contact_person": customer.contact_person,
        "notes": customer.notes,
        "phones": [
            {"id": p.pk, "phone": shown(viewer, "phone", p.phone), "last4": p.last4}
            for p in customer.phones.all()
        ],
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    customer = selectors.customer_get_for_user(request.user, pk)
    return customer_out(customer, request.user, customer_policy())


@router.get("", response={200: Page[CustomerOut], **ERRORS})
def customer_list(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    require_perm(request, selectors.VIEW_PERMISSION)
    qs = selectors.customers_for_user(
        request.user,
        q=filters.q.strip()[:50],
        phone=filters.phone.strip()[:30],
        region=filters.region.strip()[:60],
        grade=filters.grade.strip(),
        customer_type=filters.customer_type.strip(),
    )
    page = paginate(qs, filters.page, filters.page_size)
    policy = customer_policy()
    page["items"] = [customer_out(c, request.user, policy) for c in page["items"]]
    return page


@router.get("/grades", response={200: list[GradeOut], **ERRORS})
def grade_list(request: HttpRequest) -> Any:
    """客户等级 of the customer policy in force today."""
    require_perm(request, selectors.VIEW_PERMISSION)
    policy = customer_policy()
    return [
        {"code": g.code, "name": g.name, "default": g.code == policy.default_grade}
        for g in policy.grades
    ]


@router.get("/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_detail(request: HttpRequest, customer_id: int) -> Any:
    require_perm(request, selectors.VIEW_PERMISSION)
    customer = selectors.customer_get_for_user(request.user, customer_id)
    services.customer_view_record(actor=request.user, customer=customer)
    return customer_out(customer, request.user, customer_policy())


@router.post("", response={201: CustomerOut, **ERRORS})
def customer_create(request: HttpRequest, payload: CustomerIn) -> Any:
    require_perm(request, "customers.add_customer")
    customer = services.customer_create(
        actor=request.user,
        name=payload.name,
        phones=payload.phones,
        customer_type=payload.customer_type.value,
        grade=payload.grade,
        region=payload.region,
        address=payload.address,
        contact_person=payload.contact_person,
        notes=payload.notes,
    )
    return Status(201, _fresh(request, customer.pk))


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    require_perm(request, "customers.change_customer")
    customer = selectors.customer_get_for_user(request.user, customer_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("customer_type") is not None:
        changes["customer_type"] = CustomerType(changes["customer_type"]).value
    services.customer_update(actor=request.user, customer=customer, **changes)
    return _fresh(request, customer.pk)


@router.post("/{customer_id}/phones", response={201: CustomerOut, **ERRORS})
def phone_add(request: HttpRequest, customer_id: int, payload: PhoneIn) -> Any:
    require_perm(request, "customers.change_customer")
    customer = selectors.customer_get_for_user(request.user, customer_id)
    services.customer_add_phone(actor=request.user, customer=customer, phone=payload.phone)
    return Status(201, _fresh(request, customer.pk))


@router.delete("/{customer_id}/phones/{phone_id}", response={200: CustomerOut, **ERRORS})
def phone_remove(request: HttpRequest, customer_id: int, phone_id: int) -> Any:
    require_perm(request, "customers.change_customer")
    customer = selectors.customer_get_for_user(request.user, customer_id)
    phone = customer.phones.get(pk=phone_id)
    services.customer_remove_phone(actor=request.user, customer=customer, phone=phone)
    return _fresh(request, customer.pk)
