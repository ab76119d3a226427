"""Data scope of 退换货单 (ORG-5): by department / team / own, the warehouse and order clerk keep
their steps; a case outside the scope is 404 on pages and API, absent from lists, search, Excel."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from kefu.core.models import AuditEvent
from kefu.core.search import search_all
from kefu.customers.tests.factories import CustomerFactory
from kefu.org.choices import Role
from kefu.org.tests.factories import DepartmentFactory
from kefu.returns import selectors, services
from kefu.returns.choices import CaseType, Stage
from kefu.returns.models import ReturnCase, TransferEntry
from kefu.tickets.choices import Kind, Subkind
from kefu.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
API = "/api/v1/returns/cases"


def register(employee: Any, case_type: str = CaseType.RETURN, **kw: Any) -> ReturnCase:
    kw.setdefault("reason", "size")
    kw.setdefault("card_wanted_item", "42码")
    if case_type in (CaseType.INTERCEPT, CaseType.LOST, CaseType.FORWARD):
        kw.setdefault("original_tracking_no", "SF1")
    if case_type == CaseType.MISSING:
        kw.setdefault("missing_items", "鞋垫×1")
    kw.setdefault("customer", CustomerFactory())
    return services.returncase_create(actor=employee.user, case_type=case_type, **kw)


@pytest.fixture
def sales(org: dict[str, Any], make_employee: Any) -> dict[str, Any]:
    """Another department (销售部) with its own 主管 and 客服代表."""
    dept = DepartmentFactory(name="销售部", code="XS", parent=org["hq"])
    return {
        "dept": dept,
        "supervisor": make_employee(Role.SUPERVISOR, department=dept),
        "agent": make_employee(Role.AGENT, department=dept),
    }


def visible(user: Any) -> set[int]:
    return set(selectors.returncases_for_user(user).values_list("pk", flat=True))


def test_case_belongs_to_its_registering_persons_department_and_team(org) -> None:
    case = register(org["agent_a1"])
    assert case.department_id == org["cs"].pk and case.team_id == org["team_a"].pk


def test_scope_by_role(org, sales) -> None:
    mine = register(org["agent_a1"])
    team_b = register(org["agent_b1"])
    other = register(sales["agent"])
    everything = {mine.pk, team_b.pk, other.pk}
    assert visible(org["agent_a1"].user) == {mine.pk}  # 本人
    assert visible(org["agent_a2"].user) == set()
    assert visible(org["lead_a"].user) == {mine.pk}  # 本班组
    assert visible(org["lead_b"].user) == {team_b.pk}
    assert visible(org["supervisor"].user) == {mine.pk, team_b.pk}  # 本部门 (客服部)
    assert visible(org["manager"].user) == {mine.pk, team_b.pk}
    assert visible(sales["supervisor"].user) == {other.pk}
    for who in ("hr", "dgm", "gm"):  # 全部
        assert visible(org[who].user) == everything, who
    assert visible(org["sysadmin"].user) == set()  # no view permission


def test_ticket_holder_sees_a_case_registered_on_their_request(org) -> None:
    ticket = make_ticket(org["agent_a2"], kind=Kind.AFTER_SALES, subkind=Subkind.RETURN)
    case = services.returncase_create(
        actor=org["supervisor"].user, case_type="return", reason="size", ticket=ticket
    )
    assert case.pk in visible(org["agent_a2"].user)
    assert case.pk not in visible(org["agent_a1"].user)


def test_warehouse_and_clerk_keep_their_steps(org, sales, client_for) -> None:
    returning = {t: register(sales["agent"], t) for t in selectors.WAREHOUSE_TYPES}
    intercept = register(sales["agent"], CaseType.INTERCEPT, reason="changed_mind")
    missing = register(sales["agent"], CaseType.MISSING, reason="short_shipped")
    out_of_stock = register(sales["agent"], CaseType.OUT_OF_STOCK, reason="out_of_stock")
    wh, clerk = org["warehouse"].user, org["clerk"].user
    # The warehouse sees every parcel that comes back to it, nothing else of other departments.
    assert visible(wh) == {c.pk for c in returning.values()}
    # The order clerk sees the interceptions it signs for (AS-6), not others' returns.
    assert visible(clerk) == {intercept.pk}
    assert missing.pk not in visible(wh) | visible(clerk)
    assert out_of_stock.pk not in visible(wh) | visible(clerk)
    # And both can take their step.
    agent = sales["agent"].user
    case = services.returncase_await_return(
        actor=agent, case=returning[CaseType.RETURN], return_tracking_no="YT1"
    )
    case = services.returncase_receive(actor=wh, case=case)
    assert case.stage == Stage.RECEIVED
    services.returncase_intercept(actor=agent, case=intercept, courier="顺丰")
    r = json.loads(
        client_for(clerk)
        .post(f"{API}/{intercept.pk}/parcel-back", "{}", content_type="application/json")
        .content
    )
    assert r["stage"] == Stage.RECEIVED


def test_cross_department_refused_everywhere_nothing_changes(org, sales, client_for) -> None:
    case = register(org["agent_a1"], CaseType.RETURN, return_tracking_no="YT4242")
    outsider = client_for(sales["supervisor"].user)
    before = (
        ReturnCase.objects.filter(pk=case.pk).values().get(),
        AuditEvent.objects.count(),
        TransferEntry.objects.count(),
    )
    # Pages: detail, step, ledger are 404; the list and board do not show it.
    assert outsider.get(f"/returns/{case.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/returns/{case.pk}/act/await_return/", {"return_tracking_no": "X"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(f"/returns/{case.pk}/ledger/", {"kind": "refund", "amount": "1"}).status_code
        == 404
    )
    assert case.number not in outsider.get("/returns/").content.decode()
    # API: detail and steps 404, list empty.
    assert outsider.get(f"{API}/{case.pk}").status_code == 404
    for path, payload in (
        ("await-return", {"return_tracking_no": "X"}),
        ("cancel", {"reason": "x"}),
        ("ledger", {"kind": "refund", "amount": "1"}),
        ("early-reship-approval", {"reason": "x"}),
    ):
        r = outsider.post(
            f"{API}/{case.pk}/{path}", json.dumps(payload), content_type="application/json"
        )
        assert r.status_code == 404, path
    assert outsider.get(API).json()["count"] == 0
    # Search and the Excel export leave it out.
    assert all(s["key"] != "returns" for s in search_all(sales["supervisor"].user, "YT4242"))
    export = outsider.get("/returns/export/")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert case.number not in {c.value for row in sheet.iter_rows() for c in row}
    after_export = AuditEvent.objects.count()
    assert (
        ReturnCase.objects.filter(pk=case.pk).values().get(),
        after_export - 1,  # the export itself is audited
        TransferEntry.objects.count(),
    ) == before
    # The case's own 主管 sees and exports it.
    inside = client_for(org["supervisor"].user)
    assert inside.get(f"/returns/{case.pk}/").status_code == 200
    sheet = load_workbook(io.BytesIO(inside.get("/returns/export/").content)).active
    assert case.number in {c.value for row in sheet.iter_rows() for c in row}


def test_transfers_follow_the_scope_without_step_rights(org, sales, client_for) -> None:
    agent = org["agent_a1"].user
    case = register(org["agent_a1"], CaseType.RETURN, reason="quality")
    case = services.returncase_await_return(actor=agent, case=case, return_tracking_no="YT1")
    case = services.returncase_inspect(
        actor=org["warehouse"].user, case=case, passed=True, condition="完好"
    )
    services.returncase_refund(
        actor=agent,
        case=case,
        amount="80",
        method="bank_transfer",
        payee="王",
        bank="工行",
        account="6222000011112222",
    )
    assert selectors.transfers_for_user(org["supervisor"].user).count() == 1
    assert selectors.transfers_for_user(agent).count() == 1
    # The warehouse inspected the case (and still sees it) but not the customer's bank details.
    assert case.pk in visible(org["warehouse"].user)
    assert selectors.transfers_for_user(org["warehouse"].user).count() == 0
    assert selectors.transfers_for_user(sales["supervisor"].user).count() == 0
    body = client_for(org["warehouse"].user).get(f"/returns/{case.pk}/").content.decode()
    assert "6222" not in body and "王 ·" not in body
    assert (
        client_for(sales["supervisor"].user)
        .get("/returns/transfers/")
        .content.decode()
        .count("data-transfer=")
        == 0
    )


def test_migration_backfills_existing_cases(org) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("kefu.returns.migrations.0002_scope_and_ship_clock")
    case = register(org["agent_b1"], CaseType.EXCHANGE)
    case = services.returncase_approve_early_reship(
        actor=org["supervisor"].user, case=case, reason="特批"
    )
    shipped = register(org["agent_a1"], CaseType.EXCHANGE)
    ReturnCase.objects.update(department=None, team=None, ship_check_at=None)
    migration.backfill(apps, None)
    case.refresh_from_db()
    shipped.refresh_from_db()
    assert (case.department_id, case.team_id) == (org["cs"].pk, org["team_b"].pk)
    assert case.ship_check_at == case.reship_ready_at  # the next scan looks at it
    assert shipped.department_id == org["cs"].pk and shipped.ship_check_at is None
