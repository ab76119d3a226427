"""The repair-order list — 维修单列表 (the benchmark's hot path): same answers, few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.customers.tests.factories import CustomerFactory

from .. import listing, selectors, services
from ..api_repairs import RepairPage
from ..clocks import RepairFacts, readings, summary
from ..models import RepairOrder

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
hours = st.one_of(st.none(), st.integers(min_value=0, max_value=120))


@settings(max_examples=300, deadline=None)
@given(
    arrive=hours,
    fix=hours,
    spare=hours,
    remote=hours,
    now_h=st.integers(min_value=0, max_value=150),
    warn=st.sampled_from([0, 2, 4.5]),
)
def test_running_clock_is_the_clock_summary(
    arrive: int | None,
    fix: int | None,
    spare: int | None,
    remote: int | None,
    now_h: int,
    warn: float,
) -> None:
    def at(h: int | None) -> dt.datetime | None:
        return None if h is None else T0 + dt.timedelta(hours=h)

    dues = {
        k: T0 + dt.timedelta(hours=h) for k, h in (("arrival", 24), ("fixed", 48), ("spare", 72))
    }
    now = T0 + dt.timedelta(hours=now_h, seconds=7)
    facts = RepairFacts(T0, at(arrive), at(fix), at(spare), at(remote))
    expected = summary(readings(facts, dues, now=now, warn_before_hours=warn))
    row = {
        "status": "arrived",
        "arrived_at": facts.arrived_at,
        "fixed_at": facts.fixed_at,
        "spare_at": facts.spare_at,
        "remote_at": facts.remote_at,
        "arrival_due": dues["arrival"],
        "fixed_due": dues["fixed"],
        "spare_due": dues["spare"],
    }
    got = listing.running_clock(row)
    assert listing.running_clock({**row, "status": "closed"}) is None  # nothing runs any more
    if expected is None:
        assert got is None
        return
    assert got == (expected.key, expected.due)
    stage, seconds = listing.clock_stage(expected.due, now=now, warn_hours=warn)
    assert (stage, seconds) == (expected.stage, expected.seconds)


@pytest.fixture
def orders(org: dict[str, Any]) -> dict[str, Any]:
    sup = org["supervisor"].user
    product = services.product_create(actor=sup, code="CAM", name="摄像机")
    customer = CustomerFactory(name="<b>王伟</b>")
    inst = services.installation_create(
        actor=sup,
        customer=customer,
        product=product,
        serial_number="SN-LIST-1",
        acceptance_date=timezone.localdate() - dt.timedelta(days=10),
    )
    now = timezone.now()
    made = [
        services.repair_create(
            actor=sup,
            customer=customer,
            installation=inst if i % 2 else None,
            technician=org["technician"] if i % 3 else None,
            fault="无法开机",
            reported_at=now - dt.timedelta(hours=30 if i == 0 else 1),
        )
        for i in range(6)
    ]
    services.repairs_clock_scan(now=now)
    return {"sup": sup, "customer": customer, "inst": inst, "orders": made, **org}


def _more(setup: dict[str, Any], n: int) -> None:
    for _ in range(n):
        services.repair_create(
            actor=setup["sup"], customer=setup["customer"], installation=setup["inst"], fault="x"
        )


def test_api_list_rows_and_schema(
    orders: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    c = client_for(orders["technician"].user)
    c.get("/api/v1/aftersales/repairs")
    # session, user, the security policy (2: never cached inside the test's transaction), two
    # permission reads, the page with its capped count — names are sub-queries, not queries
    with django_assert_max_num_queries(7):
        r = c.get("/api/v1/aftersales/repairs?page_size=20")
    body = r.json()
    RepairPage.model_validate(body)  # rendered without ninja's validation: same shape
    assert body["count"] == 6 and not body["count_capped"]
    newest = body["items"][0]
    order = orders["orders"][-1]
    assert newest["number"] == order.number
    assert newest["customer"] == "<b>王伟</b>" and newest["serial_number"] == "SN-LIST-1"
    assert newest["technician"] == orders["technician"].name
    assert newest["reported_at"].endswith("Z") or "+" in newest["reported_at"]
    assert body["items"][-1]["breached"] is True  # reported 30 h ago, nobody arrived
    _more(orders, 30)
    with django_assert_max_num_queries(7):  # 36 rows: no query per row
        r = c.get("/api/v1/aftersales/repairs?page_size=50")
    assert len(r.json()["items"]) == 36


def test_count_is_capped(orders: dict[str, Any], client_for: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    c = client_for(orders["sup"])
    body = c.get("/api/v1/aftersales/repairs?page_size=20").json()
    assert body["count"] == 4 and body["count_capped"] is True
    page = c.get("/aftersales/repairs/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="repair-table")
    assert 'data-testid="repair-capped"' in page.content.decode()


def test_pages_are_clamped(orders: dict[str, Any], client_for: Any, monkeypatch: Any) -> None:
    c = client_for(orders["sup"])
    body = c.get("/api/v1/aftersales/repairs?page=99").json()
    assert body["page"] == 1 and len(body["items"]) == 6 and body["count"] == 6
    _more(orders, 30)
    body = c.get("/api/v1/aftersales/repairs?page=2&page_size=20").json()
    assert body["page"] == 2 and len(body["items"]) == 16
    monkeypatch.setattr(selectors, "COUNT_CAP", 25)  # 36 rows, 25 counted: 2 pages of 20
    body = c.get("/api/v1/aftersales/repairs?page=3&page_size=20").json()
    assert (body["page"], body["count"], body["count_capped"]) == (2, 25, True)
    assert len(body["items"]) == 16  # the rows of page 2 (the cap limits the pages, not rows)
    body = c.get("/api/v1/aftersales/repairs?status=closed").json()
    assert (body["count"], body["page"], body["items"]) == (0, 1, [])
    table = c.get(
        "/aftersales/repairs/?page=7", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="repair-table"
    ).content.decode()
    assert table.count("data-repair=") == 16 and "2 / 2" in table


def test_table_rows_escaped_and_constant_queries(
    orders: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    c = client_for(orders["sup"])
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "repair-table"}
    c.get("/aftersales/repairs/", **hx)
    # As the API (7), plus the policy in force on each report day of a running clock (today
    # and yesterday here) — cached per process outside tests, like the security policy.
    with django_assert_max_num_queries(9):
        r = c.get("/aftersales/repairs/", **hx)
    html = r.content.decode()
    assert "<b>王伟" not in html and "&lt;b&gt;王伟" in html
    assert html.count("data-repair=") == 6
    assert 'data-testid="breach-flag"' in html
    assert 'data-testid="clock-arrival-breached"' in html  # the 30-hour-old order
    assert 'data-clock-stage="on_time"' in html and "SN-LIST-1" in html
    assert "<html" not in html  # only the table (no shell)
    _more(orders, 30)
    with django_assert_max_num_queries(9):  # 36 rows: no query per row
        r = c.get("/aftersales/repairs/?page_size=50", **hx)
    assert r.content.decode().count("data-repair=") == 36
    full = c.get("/aftersales/repairs/")
    assert full.status_code == 200 and "<html" in full.content.decode()


@pytest.mark.parametrize("q", ["sn-list-1", "SN-LIST-1", "王伟", "number"])
def test_keyword(orders: dict[str, Any], q: str) -> None:
    order = orders["orders"][1]
    if q == "number":
        q = order.number.lower()
    rows = selectors.repairs_for_user(orders["sup"], q=q)
    numbers = set(rows.values_list("number", flat=True))
    if q.startswith("sn-"):  # serials are exact (case kept)
        assert numbers == set()
    elif q == "SN-LIST-1":
        assert numbers == {o.number for o in orders["orders"] if o.installation_id}
    elif q == "王伟":
        assert len(numbers) == 6
    else:
        assert numbers == {order.number}
    assert RepairOrder.objects.count() == 6


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
    )
)
def test_iso_is_what_the_json_encoder_writes(value: dt.datetime) -> None:
    from django.core.serializers.json import DjangoJSONEncoder

    assert listing.iso(value) == DjangoJSONEncoder().default(value)


@given(st.integers(min_value=-400_000, max_value=400_000))
def test_duration_with_the_pages_words_is_the_ticket_tags_one(seconds: int) -> None:
    from django.utils import translation

    from kefu.tickets.templatetags.ticket_tags import duration

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert duration(seconds, listing.page_words()) == duration(seconds)


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    )
)
def test_iso_text_is_what_the_json_encoder_writes(value: dt.datetime) -> None:
    from django.core.serializers.json import DjangoJSONEncoder

    expected = DjangoJSONEncoder().default(value)
    postgres = value.strftime("%Y-%m-%d %H:%M:%S.%f")  # list_sql's to_char(…, '… HH24:MI:SS.US')
    sqlite = str(value.replace(tzinfo=None))  # what Django stores in SQLite
    assert listing.iso_text(postgres) == listing.iso_text(sqlite) == expected
    assert listing.utc(postgres) == listing.utc(sqlite) == value


FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "reported"},
    {"status": "arrived", "breached": False},
    {"breached": True},
    {"breached": False},
    {"technician_id": -1},
    {"customer_id": -1, "date_from": dt.date(2000, 1, 1)},
    {"date_from": dt.date(2000, 1, 1), "date_to": dt.date(2100, 1, 1)},
    {"date_to": dt.date(2000, 1, 1)},
    {"technician_id": 2**40},
    {"customer_id": 0},
    {"q": "王伟", "status": "reported"},
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("fields", ["api", "page"])
def test_page_sql_is_the_orm_query(
    orders: dict[str, Any], filters: dict[str, Any], fields: str
) -> None:
    """``repair_page_for_user`` (SQL text per filter shape) finds what the ORM finds."""
    names = listing.API_FIELDS if fields == "api" else listing.PAGE_FIELDS
    ids = {"technician_id": orders["technician"].pk, "customer_id": orders["customer"].pk}
    filters = {k: ids[k] if v == -1 else v for k, v in filters.items()}  # -1: a real one
    services.repair_arrive(
        actor=orders["sup"], order=orders["orders"][2], arrived_at=timezone.now()
    )
    _more(orders, 3)
    for page, size in ((1, 20), (2, 4), (9, 4)):
        fast = selectors.repair_page_for_user(orders["sup"], names, page=page, size=size, **filters)
        qs = selectors.repairs_for_user(orders["sup"], **filters)
        assert fast == selectors.repair_list_page(qs, names, page=page, size=size)
        assert fast.rows or not qs.exists() or page > 1
    refused = selectors.repair_page_for_user(orders["warehouse"].user, names, page=1, size=20)
    assert (refused.rows, refused.count) == ([], 0)


def test_api_rows_are_the_model_values(orders: dict[str, Any]) -> None:
    """Timestamps read as text give the JSON the model's datetimes give (``repair_list_out``)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from ..api_repairs import repair_list_out

    found = selectors.repair_page_for_user(orders["sup"], listing.API_FIELDS, page=1, size=20)
    got = listing.api_rows(found.rows)
    by_id = {
        o.pk: o
        for o in RepairOrder.objects.select_related("customer", "technician", "installation")
    }
    want = [
        json.loads(json.dumps(repair_list_out(by_id[r["id"]]), cls=DjangoJSONEncoder)) for r in got
    ]
    assert got == want and len(got) == 6


@pytest.mark.parametrize(
    "stages",
    [
        {},
        {"status": "arrived", "arrived": 1},
        {"status": "fixed", "arrived": 1, "fixed": 2},
        {"status": "spare", "arrived": 1, "spare": 2},
        {"status": "remote", "remote": 1},
        {"status": "signed_off", "arrived": 1, "spare": 2},
        {"status": "closed", "arrived": 1, "fixed": 2},
    ],
)
def test_sql_clock_is_running_clock(orders: dict[str, Any], stages: dict[str, Any]) -> None:
    """The page's ``clock_key``/``clock_due_text`` (SQL) are ``listing.running_clock``."""
    order = orders["orders"][1]
    at = {k: order.reported_at + dt.timedelta(hours=h) for k, h in stages.items() if k != "status"}
    RepairOrder.objects.filter(pk=order.pk).update(
        status=stages.get("status", order.status),
        arrived_at=at.get("arrived"),
        fixed_at=at.get("fixed"),
        spare_at=at.get("spare"),
        remote_at=at.get("remote"),
    )
    found = selectors.repair_page_for_user(orders["sup"], listing.PAGE_FIELDS, page=1, size=20)
    rows = {r["id"]: r for r in found.rows}
    for o in RepairOrder.objects.all():
        running = listing.running_clock(
            {
                f: getattr(o, f)
                for f in (
                    "status",
                    "arrived_at",
                    "fixed_at",
                    "spare_at",
                    "remote_at",
                    "arrival_due",
                    "fixed_due",
                    "spare_due",
                )
            }
        )
        row = rows[o.pk]
        got = (
            None
            if row["clock_key"] is None
            else (row["clock_key"], listing.utc(row["clock_due_text"]))
        )
        assert got == running


def test_one_list_query(orders: dict[str, Any], client_for: Any) -> None:
    """The list itself is one query (rows, names and the capped count) on every path."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(orders["sup"])
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "repair-table"}
    for url, extra in (
        ("/api/v1/aftersales/repairs?page_size=20", {}),
        ("/api/v1/aftersales/repairs?status=reported&breached=true", {}),
        ("/api/v1/aftersales/repairs?q=%E7%8E%8B%E4%BC%9F", {}),
        ("/aftersales/repairs/", hx),
        ("/aftersales/repairs/?status=reported", hx),
    ):
        c.get(url, **extra)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, **extra).status_code == 200
        ours = [q["sql"] for q in ctx.captured_queries if "aftersales_" in q["sql"]]
        assert len(ours) == 1, (url, ours)


@given(st.text(alphabet=st.sampled_from("ab王&<>\"' 1"), max_size=12))
def test_esc_is_html_escape(text: str) -> None:
    from html import escape

    assert listing.esc(text) == escape(text)
