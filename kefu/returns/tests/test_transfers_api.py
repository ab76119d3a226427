"""转账登记 API (AS-8): create, list, mark paid — through the services; refused roles and other
departments change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.choices import Role
from kefu.org.tests.factories import DepartmentFactory
from kefu.returns import services
from kefu.returns.choices import CaseType, TransferStatus
from kefu.returns.models import ReturnCase, TransferEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/returns/transfers"
ACCOUNT = "6222000011112222"


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def owed_case(org: dict[str, Any], owed: str = "-20") -> ReturnCase:
    """An exchange reshipped with a price difference the company pays back (``owed``)."""
    agent = org["agent_a1"].user
    case = services.returncase_create(
        actor=agent,
        case_type=CaseType.EXCHANGE,
        reason="size",
        customer=CustomerFactory(),
        card_wanted_item="小一号",
    )
    case = services.returncase_approve_early_reship(
        actor=org["supervisor"].user, case=case, reason="老客户"
    )
    return services.returncase_reship(
        actor=agent, case=case, tracking_no="SF2", price_difference=owed
    )


def body(case: ReturnCase, amount: str = "20.00") -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "amount": amount,
        "payee": "王五",
        "bank": "工行",
        "account": ACCOUNT,
    }


def snapshot() -> tuple:
    return (
        list(TransferEntry.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def test_create_list_and_mark_paid(org, client_for, django_assert_max_num_queries) -> None:
    case = owed_case(org)
    agent = client_for(org["agent_a1"].user)
    # More than the ledger owes the customer is refused, nothing stored.
    r = post(agent, URL, body(case, "25.00"))
    assert r.status_code == 422 and r.json()["code"] == "transfer_exceeds"
    assert "amount" in r.json()["fields"] and not TransferEntry.objects.exists()
    r = post(agent, URL, body(case))
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["case_number"] == case.number and created["status"] == "pending"
    assert created["account"] == "************2222"  # masked for an agent
    assert AuditEvent.objects.filter(action="returns.transfer_register").count() == 1
    # Nothing left to register on this case.
    r = post(agent, URL, body(case, "0.01"))
    assert r.status_code == 422 and TransferEntry.objects.count() == 1
    # The list: the supervisor may see personal data in full.
    for _ in range(3):
        post(agent, URL, body(owed_case(org)))
    sup = client_for(org["supervisor"].user)
    # Constant in the number of rows (the session save adds three).
    with django_assert_max_num_queries(14):
        listed = sup.get(f"{URL}?status=pending&page_size=50")
    assert listed.status_code == 200 and listed.json()["count"] == 4
    assert listed.json()["items"][0]["account"] == ACCOUNT
    # 已转账, then a second time is a conflict.
    r = post(agent, f"{URL}/{created['id']}/paid", {"reference": "HX0001"})
    assert r.status_code == 200 and r.json()["status"] == "paid", r.content
    assert r.json()["paid_on"] == timezone.localdate().isoformat()
    r = post(agent, f"{URL}/{created['id']}/paid", {"reference": "HX0002"})
    assert r.status_code == 409 and r.json()["code"] == "transfer_paid"
    assert TransferEntry.objects.get(pk=created["id"]).reference == "HX0001"
    assert agent.get(f"{URL}?status=paid").json()["count"] == 1


def test_bad_input_and_closed_cases(org, client_for) -> None:
    case = owed_case(org)
    agent = client_for(org["agent_a1"].user)
    before = snapshot()
    for bad in (
        {**body(case), "amount": "abc"},
        {**body(case), "amount": "-1"},
        {**body(case), "payee": " "},
        {k: v for k, v in body(case).items() if k != "bank"},
    ):
        assert post(agent, URL, bad).status_code == 422, bad
    assert post(agent, URL, {**body(case), "case_id": 999999}).status_code == 404
    assert snapshot() == before
    created = post(agent, URL, body(case)).json()
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    r = post(agent, f"{URL}/{created['id']}/paid", {"paid_on": tomorrow})
    assert r.status_code == 422 and "paid_on" in r.json()["fields"]
    assert TransferEntry.objects.get(pk=created["id"]).status == TransferStatus.PENDING
    other = services.returncase_create(
        actor=org["agent_a1"].user,
        case_type="return",
        reason="size",
        customer=CustomerFactory(),
    )
    services.returncase_cancel(actor=org["agent_a1"].user, case=other, reason="客户撤回")
    r = post(agent, URL, body(other, "1.00"))
    assert r.status_code == 409 and r.json()["code"] == "case_closed"


@pytest.mark.parametrize("who", ["warehouse", "clerk", "hr", "gm", "sysadmin"])
def test_refused_roles_change_nothing(org, client_for, who) -> None:
    case = owed_case(org)
    entry = services.transfer_register(
        actor=org["agent_a1"].user,
        case=case,
        amount="10",
        payee="王五",
        bank="工行",
        account=ACCOUNT,
    )
    client = client_for(org[who].user)
    before = snapshot()
    assert post(client, URL, body(case, "5.00")).status_code == 403
    assert post(client, f"{URL}/{entry.pk}/paid", {"reference": "X"}).status_code == 403
    assert snapshot() == before
    if who == "sysadmin":  # no view permission at all
        assert client.get(URL).status_code == 403


def test_other_department_refused(org, client_for, make_employee) -> None:
    case = owed_case(org)
    entry = services.transfer_register(
        actor=org["agent_a1"].user,
        case=case,
        amount="10",
        payee="王五",
        bank="工行",
        account=ACCOUNT,
    )
    dept = DepartmentFactory(name="销售部", code="XS", parent=org["hq"])
    outsider = client_for(make_employee(Role.SUPERVISOR, department=dept).user)
    before = snapshot()
    assert post(outsider, URL, body(case, "5.00")).status_code == 404
    assert post(outsider, f"{URL}/{entry.pk}/paid", {"reference": "X"}).status_code == 404
    assert outsider.get(URL).json()["count"] == 0
    assert snapshot() == before


def test_refund_by_bank_transfer_still_registers_once(org) -> None:
    agent, wh = org["agent_a1"].user, org["warehouse"].user
    case = services.returncase_create(
        actor=agent, case_type="return", reason="quality", customer=CustomerFactory()
    )
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    case = services.returncase_inspect(actor=wh, case=case, passed=True, condition="完好")
    services.returncase_refund(
        actor=agent,
        case=case,
        amount="99",
        method="bank_transfer",
        payee="王",
        bank="工行",
        account=ACCOUNT,
    )
    entry = TransferEntry.objects.get(case=case)
    assert str(entry.amount) == "99.00"
    # The refund used up what the case owes: a second registration is refused.
    from kefu.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.transfer_register(
            actor=agent, case=case, amount="1", payee="王", bank="工行", account=ACCOUNT
        )
    assert refused.value.code == "transfer_exceeds"
