"""Services, pages and API of the returns app: the guard, roles, nothing-changed on refusal."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from kefu.core.errors import DomainError, PermissionDeniedError
from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.returns import services
from kefu.returns.choices import CaseType, LedgerKind, Stage, TransferStatus
from kefu.returns.models import ReturnCase, TransferEntry
from kefu.tickets.choices import Kind, Subkind
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
API = "/api/v1/returns/cases"


def new_case(org: dict[str, Any], case_type: str = CaseType.EXCHANGE, **kw: Any) -> ReturnCase:
    kw.setdefault("reason", "size")
    kw.setdefault("card_wanted_item", "42码")
    if case_type in (CaseType.INTERCEPT, CaseType.LOST, CaseType.FORWARD):
        kw.setdefault("original_tracking_no", "SF1")
    return services.returncase_create(
        actor=org["agent_a1"].user, case_type=case_type, customer=CustomerFactory(), **kw
    )


def state(case: ReturnCase) -> tuple:
    case.refresh_from_db()
    return (case.stage, case.updated_at, case.ledger.count(), AuditEvent.objects.count())


def test_create_numbers_and_freight(org) -> None:
    case = new_case(org, reason="quality")
    assert case.number.startswith("TH") and case.number.endswith("-0001")
    assert case.quality_fault and case.return_freight_payer == "company" and case.freight_refund_due
    other = new_case(org, reason="size")
    assert other.number.endswith("-0002")
    assert other.return_freight_payer == "customer" and not other.freight_refund_due
    # Explicit answer overrides the reason's default.
    assert not new_case(org, reason="quality", quality_fault=False).freight_refund_due


def test_registration_day_may_be_earlier_never_later(org) -> None:
    from kefu.returns.services.cases import today

    earlier = today() - dt.timedelta(days=6)
    case = new_case(org, registered_on=earlier)
    assert case.created_on == earlier
    assert case.number[2:10] == earlier.strftime("%Y%m%d")
    cases = ReturnCase.objects.count()
    with pytest.raises(DomainError) as refused:
        new_case(org, registered_on=today() + dt.timedelta(days=1))
    assert refused.value.fields == {"registered_on": "登记日期不能晚于今天"}
    assert ReturnCase.objects.count() == cases


def test_create_from_ticket(org) -> None:
    ticket = make_ticket(
        org["agent_a1"],
        kind=Kind.AFTER_SALES,
        subkind=Subkind.EXCHANGE,
        order_no="DD1",
        tracking_no="SF9",
    )
    case = services.returncase_create(
        actor=org["agent_a1"].user,
        case_type=CaseType.EXCHANGE,
        reason="size",
        ticket=ticket,
        card_wanted_item="x",
    )
    assert case.customer_id == ticket.customer_id and case.order_no == "DD1"
    assert case.original_tracking_no == "SF9"


def test_create_validation(org) -> None:
    with pytest.raises(DomainError) as exc:
        new_case(org, CaseType.MISSING, reason="short_shipped")
    assert "missing_items" in exc.value.fields
    with pytest.raises(DomainError):
        new_case(org, reason="nope")
    with pytest.raises(PermissionDeniedError):
        services.returncase_create(
            actor=org["warehouse"].user,
            case_type="return",
            reason="size",
            customer=CustomerFactory(),
        )


def test_reship_before_receipt_refused_then_approved(org) -> None:
    case = new_case(org)
    agent = org["agent_a1"].user
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    before = state(case)
    with pytest.raises(DomainError) as exc:
        services.returncase_reship(actor=agent, case=case, tracking_no="SF2")
    assert exc.value.code == "return_not_received" and exc.value.status == 409
    assert state(case) == before
    # An agent may not approve; the supervisor may, with a reason that is recorded.
    with pytest.raises(PermissionDeniedError):
        services.returncase_approve_early_reship(actor=agent, case=case, reason="x")
    with pytest.raises(DomainError):
        services.returncase_approve_early_reship(
            actor=org["supervisor"].user, case=case, reason=" "
        )
    assert state(case) == before
    case = services.returncase_approve_early_reship(
        actor=org["supervisor"].user, case=case, reason="老客户，质量问题已拍照证实"
    )
    event = AuditEvent.objects.filter(action="returns.approve_early_reship").get()
    assert (
        event.reason == "老客户，质量问题已拍照证实" and event.actor_id == org["supervisor"].user.pk
    )
    case = services.returncase_reship(
        actor=agent, case=case, tracking_no="SF2", price_difference="-10"
    )
    assert case.stage == Stage.RESHIPPED
    assert case.ledger.get().kind == LedgerKind.PRICE_DIFFERENCE
    case = services.returncase_confirm_arrival(actor=agent, case=case)
    assert case.stage == Stage.COMPLETED and case.closed_at


def test_full_return_with_warehouse_inspection_and_freight_refund(org) -> None:
    agent, wh = org["agent_a1"].user, org["warehouse"].user
    case = new_case(org, CaseType.RETURN, reason="quality")
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    services.ledger_entry_add(actor=agent, case=case, kind=LedgerKind.FREIGHT_CUSTOMER, amount="12")
    before = state(case)
    with pytest.raises(PermissionDeniedError):
        services.returncase_inspect(actor=agent, case=case, passed=True, condition="好")
    assert state(case) == before
    case = services.returncase_receive(actor=wh, case=case)
    case = services.returncase_inspect(actor=wh, case=case, passed=True, condition="完好")
    assert case.inspected_by == wh and case.stage == Stage.INSPECTED_PASS
    assert services.freight_refund_suggestion(case) == Decimal("12.00")
    case = services.returncase_refund(
        actor=agent, case=case, amount="100", method="alipay", freight_refund="12"
    )
    assert case.stage == Stage.REFUNDED
    assert services.freight_refund_suggestion(case) == Decimal("0.00")


def test_non_quality_gets_no_freight_refund(org) -> None:
    agent, wh = org["agent_a1"].user, org["warehouse"].user
    case = new_case(org, CaseType.RETURN, reason="size")
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    case = services.returncase_inspect(actor=wh, case=case, passed=True, condition="完好")
    with pytest.raises(DomainError) as exc:
        services.returncase_refund(
            actor=agent, case=case, amount="10", method="alipay", freight_refund="5"
        )
    assert "freight_refund" in exc.value.fields


def test_intercept_slip_and_parcel_back_by_clerk(org, client_for) -> None:
    agent, clerk = org["agent_a1"].user, org["clerk"].user
    case = new_case(org, CaseType.INTERCEPT, reason="changed_mind")
    case = services.returncase_intercept(actor=agent, case=case, courier="顺丰")
    body = client_for(clerk).get(f"/returns/{case.pk}/slip/").content.decode()
    assert "快递员联" in body and "订单员留存联" in body
    pdf = client_for(clerk).get(f"/returns/{case.pk}/slip.pdf")
    assert pdf.content.startswith(b"%PDF")
    with pytest.raises(PermissionDeniedError):
        services.returncase_parcel_back(actor=agent, case=case)
    case = services.returncase_parcel_back(actor=clerk, case=case)
    assert case.stage == Stage.RECEIVED and case.parcel_back_by == clerk
    case = services.returncase_refund(
        actor=agent,
        case=case,
        amount="50",
        method="bank_transfer",
        payee="王",
        bank="工行",
        account="6222",
    )
    transfer = TransferEntry.objects.get(case=case)
    assert transfer.status == TransferStatus.PENDING
    services.transfer_mark_paid(actor=agent, transfer=transfer, paid_on=None, reference="R1")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PAID


def test_out_of_stock_contact_then_refund(org) -> None:
    agent = org["agent_a1"].user
    case = new_case(org, CaseType.OUT_OF_STOCK, reason="out_of_stock")
    with pytest.raises(DomainError):
        services.returncase_refund(actor=agent, case=case, amount="10", method="alipay")
    case = services.returncase_record_contact(actor=agent, case=case, outcome="refund")
    case = services.returncase_refund(actor=agent, case=case, amount="10", method="alipay")
    assert case.stage == Stage.REFUNDED


# --- pages ---------------------------------------------------------------------------------------
def test_list_page_and_query_count(org, client_for, django_assert_max_num_queries) -> None:
    for _ in range(5):
        new_case(org)
    client = client_for(org["agent_a1"].user)
    with django_assert_max_num_queries(25):
        body = client.get("/returns/").content.decode()
    assert body.count("data-case=") == 5
    with django_assert_max_num_queries(12):
        r = client.get(
            "/returns/?stage=registered&q=TH", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-table"
        )
    assert r.status_code == 200 and "case-table" in r.content.decode()


@pytest.mark.parametrize("who", ["hr", "agent_a1", "warehouse", "clerk", "supervisor"])
def test_detail_page_visible(org, client_for, who) -> None:
    # The order clerk sees the 拦截退回 it signs for (AS-6), not other departments' exchanges.
    case = new_case(org, CaseType.INTERCEPT) if who == "clerk" else new_case(org)
    assert client_for(org[who].user).get(f"/returns/{case.pk}/").status_code == 200


def test_pages_refused_without_view(org, client_for) -> None:
    case = new_case(org)
    client = client_for(org["sysadmin"].user)
    for url in (
        "/returns/",
        f"/returns/{case.pk}/",
        "/returns/new/",
        "/returns/transfers/",
        "/returns/export/",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_export_only_for_supervisor(org, client_for) -> None:
    new_case(org)
    assert client_for(org["agent_a1"].user).get("/returns/export/").status_code == 403
    r = client_for(org["supervisor"].user).get("/returns/export/")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="returns.export").count() == 1


def test_create_page(org, client_for) -> None:
    client = client_for(org["agent_a1"].user)
    r = client.post(
        "/returns/new/", {"case_type": "return", "reason": "", "customer_phone": "13800001111"}
    )
    assert r.status_code == 200 and "请选择" in r.content.decode()
    assert not ReturnCase.objects.exists()
    r = client.post(
        "/returns/new/", {"case_type": "return", "reason": "size", "customer_phone": "13800001111"}
    )
    assert r.status_code == 302
    assert ReturnCase.objects.count() == 1
    assert (
        client_for(org["warehouse"].user)
        .post(
            "/returns/new/",
            {"case_type": "return", "reason": "size", "customer_phone": "13800001112"},
        )
        .status_code
        == 403
    )
    assert ReturnCase.objects.count() == 1


def test_page_step_refused_for_wrong_role_nothing_changed(org, client_for) -> None:
    case = new_case(org)
    services.returncase_await_return(actor=org["agent_a1"].user, case=case, return_tracking_no="Y")
    before = state(case)
    r = client_for(org["agent_a1"].user).post(
        f"/returns/{case.pk}/act/inspect/", {"passed": "yes", "condition": "ok"}
    )
    assert r.status_code == 403 and state(case) == before
    r = client_for(org["warehouse"].user).post(
        f"/returns/{case.pk}/act/reship/", {"tracking_no": "SF"}
    )
    assert r.status_code == 403 and state(case) == before
    r = client_for(org["warehouse"].user).post(
        f"/returns/{case.pk}/ledger/", {"kind": "refund", "amount": "1"}
    )
    assert r.status_code == 403 and state(case) == before
    r = client_for(org["warehouse"].user).post(
        f"/returns/{case.pk}/act/inspect/", {"passed": "yes", "condition": "完好"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.INSPECTED_PASS


def test_page_bad_input_kept(org, client_for) -> None:
    case = new_case(org)
    r = client_for(org["agent_a1"].user).post(
        f"/returns/{case.pk}/act/await_return/", {"return_tracking_no": ""}
    )
    assert r.status_code == 422


# --- API -----------------------------------------------------------------------------------------
def post(client, url: str, data: dict[str, Any]):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_create_and_steps(org, client_for) -> None:
    customer = CustomerFactory()
    agent = client_for(org["agent_a1"].user)
    r = post(
        agent,
        API,
        {
            "case_type": "exchange",
            "reason": "quality",
            "customer_id": customer.pk,
            "card_wanted_item": "x",
        },
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["return_freight_payer"] == "company"
    assert "await_return" in r.json()["actions"]
    r = post(agent, f"{API}/{cid}/reship", {"tracking_no": "SF1"})
    assert r.status_code == 409 and r.json()["code"] == "return_not_received"
    r = post(agent, f"{API}/{cid}/early-reship-approval", {"reason": "特批"})
    assert r.status_code == 403
    sup = client_for(org["supervisor"].user)
    assert post(sup, f"{API}/{cid}/early-reship-approval", {"reason": "特批"}).status_code == 200
    r = post(agent, f"{API}/{cid}/reship", {"tracking_no": "SF1"})
    assert r.status_code == 200 and r.json()["stage"] == "reshipped"
    r = post(agent, f"{API}/{cid}/ledger", {"kind": "freight_company", "amount": "8.00"})
    assert r.status_code == 201 and r.json()["ledger_company_net"] == "8.00"


@pytest.mark.parametrize(
    ("who", "path", "payload"),
    [
        ("agent_a1", "inspection", {"passed": True, "condition": "ok"}),
        ("agent_a1", "receive", {}),
        ("agent_a1", "early-reship-approval", {"reason": "x"}),
        ("warehouse", "await-return", {"return_tracking_no": "Y"}),
        ("warehouse", "cancel", {"reason": "x"}),
        ("warehouse", "ledger", {"kind": "refund", "amount": "1"}),
        ("clerk", "refund", {"amount": "1", "method": "alipay"}),
        ("hr", "cancel", {"reason": "x"}),
        ("gm", "await-return", {"return_tracking_no": "Y"}),
    ],
)
def test_api_refused_roles_change_nothing(org, client_for, who, path, payload) -> None:
    case = new_case(org, CaseType.RETURN)
    before = state(case)
    r = post(client_for(org[who].user), f"{API}/{case.pk}/{path}", payload)
    # 404: the case is outside the caller's data scope (the clerk and another department's return).
    assert r.status_code in (403, 404, 409), r.content
    assert state(case) == before


def test_api_create_refused(org, client_for) -> None:
    customer = CustomerFactory()
    for who in ("warehouse", "clerk", "hr", "sysadmin"):
        r = post(
            client_for(org[who].user),
            API,
            {"case_type": "return", "reason": "size", "customer_id": customer.pk},
        )
        assert r.status_code in (403, 404), who
    assert not ReturnCase.objects.exists()


def test_api_list_and_query_count(org, client_for, django_assert_max_num_queries) -> None:
    for _ in range(6):
        new_case(org)
    client = client_for(org["hr"].user)
    with django_assert_max_num_queries(12):
        r = client.get(f"{API}?age=ok&page_size=50")
    assert r.status_code == 200 and r.json()["count"] == 6
    assert client_for(org["sysadmin"].user).get(API).status_code == 403
    assert (
        client_for(org["sysadmin"].user).get(f"{API}/{ReturnCase.objects.first().pk}").status_code
        == 404
    )


def test_ticket_link_customer_section_and_search(org, client_for) -> None:
    ticket = make_ticket(org["agent_a1"], kind=Kind.AFTER_SALES, subkind=Subkind.RETURN)
    client = client_for(org["agent_a1"].user)
    body = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f"/returns/new/?ticket={ticket.pk}" in body
    case = services.returncase_create(
        actor=org["agent_a1"].user,
        case_type="return",
        reason="size",
        ticket=ticket,
        return_tracking_no="YT777",
    )
    from kefu.core.search import search_all

    sections = search_all(org["agent_a1"].user, case.number)
    assert any(s["key"] == "returns" for s in sections)
    assert any(s["key"] == "returns" for s in search_all(org["agent_a1"].user, "YT777"))
    assert search_all(org["sysadmin"].user, case.number) == [] or all(
        s["key"] != "returns" for s in search_all(org["sysadmin"].user, case.number)
    )
    from kefu.customers.history import history_sections

    shown = history_sections(case.customer, org["agent_a1"].user)
    assert any(s["key"] == "returns" and s["context"]["return_cases"] for s in shown)


def test_demo_seed_idempotent(org) -> None:
    from kefu.returns.demo import seed_demo_returns

    CustomerFactory.create_batch(3)
    admin = org["supervisor"].user
    admin.is_superuser = True
    admin.save()
    n = seed_demo_returns(admin)
    assert n >= 15
    assert seed_demo_returns(admin) == 0
    assert len(set(ReturnCase.objects.values_list("case_type", flat=True))) == len(CaseType.values)
