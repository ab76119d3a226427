"""Service-request scenarios of the benchmark — 工单基准场景 (``bench/run.py --tickets N``):
filtered list, Chinese keyword search, detail page, 坐席工作台, create through the API.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
from typing import Any

from harness import (
    AGENT_USER,
    LEAD_USER,
    SUP_USER,
    Scenario,
    api_token,
    log,
    login,
    pg_connect,
)

# --- service requests (工单) --------------------------------------------------------------------
# Products for the bodies of the create scenario (the words of seed_tickets' vocabulary).
PRODUCTS = (
    "空气净化器",
    "扫地机器人",
    "电热水壶",
    "电饭煲",
    "加湿器",
    "蓝牙耳机",
    "净水器",
    "洗碗机",
)


def db_rows(args: argparse.Namespace, sql: str, params: list[Any] | None = None) -> list[Any]:
    with pg_connect(args, args.db_name) as conn:
        return conn.execute(sql, params or []).fetchall()


def apply_db_settings(args: argparse.Namespace) -> None:
    """Planner settings for the benchmark database only (new connections pick them up)."""
    quoted = '"' + args.db_name.replace('"', '""') + '"'
    with pg_connect(args) as conn:
        conn.execute(f"ALTER DATABASE {quoted} RESET ALL")  # a reused database starts clean
        for setting in args.db_setting:
            name, value = setting.split("=", 1)
            conn.execute(f"ALTER DATABASE {quoted} SET {name} = '{value}'")
            log(f"ALTER DATABASE {args.db_name} SET {name} = {value}")


def server_version(args: argparse.Namespace) -> str:
    return db_rows(args, "SHOW server_version")[0][0]


def reused_data(args: argparse.Namespace) -> str:
    """What a reused database holds, in the words seed_scale/seed_tickets print."""
    employees = db_rows(args, "SELECT count(*) FROM org_employee")[0][0]
    tickets = db_rows(args, "SELECT count(*) FROM tickets_ticket")[0][0]
    args.tickets = args.tickets or tickets
    return f"seeded: {employees} employees and {tickets} tickets (reused database) in 0s"


def ticket_scenarios(
    args: argparse.Namespace, env: dict[str, str], sup_cookie: str
) -> list[Scenario]:
    """The 工单 scenarios: a 客服主管 lists, searches and opens requests of their 客服中心; an
    agent and a team lead open the 坐席工作台; the agent records requests through the API."""
    sup = {"Authorization": f"Bearer {api_token(env, SUP_USER)}"}
    agent_cookie = login(args.port, AGENT_USER, args.password)
    lead_cookie = login(args.port, LEAD_USER, args.password)
    department = db_rows(
        args, "SELECT department_id FROM org_employee WHERE employee_no = %s", [SUP_USER]
    )[0][0]
    # The requests created under load would fill the measured agent's 工作台 and the supervisor's
    # lists (and pile up over --reuse runs): they are recorded by an agent of another 客服中心.
    args.creator = creator_of(args, department)
    creator = {"Authorization": f"Bearer {api_token(env, args.creator)}"}
    # Requests of the supervisor's 客服中心, at random: a page read from cache every time would
    # flatter the detail page.
    ids = [
        r[0]
        for r in db_rows(
            args,
            "SELECT id FROM tickets_ticket WHERE department_id = %s ORDER BY random() LIMIT 500",
            [department],
        )
    ]
    customers = [
        r[0]
        for r in db_rows(args, "SELECT id FROM customers_customer ORDER BY random() LIMIT 1000")
    ]
    if not ids or not customers:
        raise SystemExit("seed_tickets left no request in the supervisor's department")
    keyword = urllib.parse.quote(args.ticket_query)
    return [
        Scenario(
            "ticket list",
            f"/api/v1/tickets?{args.ticket_filter}",
            "supervisor (token)",
            sup,
            p95_target=30,
        ),
        Scenario(
            "ticket search",
            f"/api/v1/tickets?q={keyword}",
            "supervisor (token)",
            sup,
            p95_target=100,
        ),
        Scenario(
            "ticket detail page",
            f"/tickets/{ids[0]}/",
            "supervisor",
            {"Cookie": sup_cookie},
            p95_target=40,
            lua=random_path_lua(ids, "/tickets/%d/"),
            shown=f"/tickets/<id>/ ({len(ids)} random ids of the supervisor's 客服中心)",
        ),
        Scenario("console 工作台", "/workbench/", "agent", {"Cookie": agent_cookie}, p95_target=60),
        Scenario(
            "console 工作台", "/workbench/", "team lead", {"Cookie": lead_cookie}, p95_target=60
        ),
        # Last: it adds requests, which the read scenarios should not see.
        Scenario(
            "ticket create",
            "/api/v1/tickets",
            "agent of another 客服中心 (token)",
            {**creator, "Content-Type": "application/json"},
            rps_target=300,
            method="POST",
            lua=create_lua(customers),
        ),
    ]


def random_path_lua(ids: list[int], pattern: str) -> str:
    return (
        f"local ids = {{{','.join(str(i) for i in ids)}}}\n"
        "request = function()\n"
        f"  return wrk.format(nil, string.format({json.dumps(pattern)}, ids[math.random(#ids)]))\n"
        "end\n"
    )


def create_lua(customers: list[int]) -> str:
    """Unique request bodies (no Idempotency-Key): thread, start time and a counter in the title."""
    products = ",".join(json.dumps(p, ensure_ascii=False) for p in PRODUCTS)
    return (
        f"local customers = {{{','.join(str(c) for c in customers)}}}\n"
        f"local products = {{{products}}}\n"
        'local kinds = {{"inquiry", ""}, {"complaint", ""}, {"after_sales", "repair"},\n'
        '  {"order_issue", "chase"}, {"suggestion", ""}}\n'
        'local channels = {"hotline", "online_chat", "email", "web_form"}\n'
        "local n, run = 0, os.time()\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local k = kinds[math.random(#kinds)]\n"
        "  local p = products[math.random(#products)]\n"
        "  local tag = run .. '-' .. tid .. '-' .. n\n"
        '  local body = string.format(\'{"channel":"%s","kind":"%s","subkind":"%s",\'\n'
        '    .. \'"customer_id":%d,"title":"%s使用问题（基准测试 %s）",\'\n'
        '    .. \'"description":"客户来电反映%s使用中出现问题，希望尽快处理。基准测试 %s"}\',\n'
        "    channels[math.random(#channels)], k[1], k[2], customers[math.random(#customers)],\n"
        "    p, tag, p, tag)\n"
        '  return wrk.format("POST", nil, nil, body)\n'
        "end\n"
    )


def creator_of(args: argparse.Namespace, department: int) -> str:
    """An active 客服代表 with a team outside ``department`` (login = 工号)."""
    rows = db_rows(
        args,
        "SELECT e.employee_no FROM org_employee e JOIN auth_user u ON u.id = e.user_id "
        "JOIN auth_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
        "WHERE g.name = '客服代表' AND e.status = 'active' AND e.team_id IS NOT NULL "
        "AND e.department_id <> %s ORDER BY e.id DESC LIMIT 1",
        [department],
    )
    if not rows:
        raise SystemExit("no agent outside the supervisor's department to record requests")
    return rows[0][0]


def created_rows(args: argparse.Namespace) -> int:
    return db_rows(
        args,
        "SELECT count(*) FROM tickets_ticket t JOIN auth_user u ON u.id = t.received_by_id "
        "WHERE u.username = %s",
        [args.creator],
    )[0][0]


def verify_created(
    args: argparse.Namespace, scenario: Scenario, before: int, result: dict[str, Any]
) -> None:
    """Every 2xx answer of the create scenario (warm-up included) must be a new row.

    wrk stops counting when its time is up, while up to one request per connection is still
    being served: those rows exist without a counted answer, so each of the two wrk runs may
    leave up to --connections more rows than answers, never fewer.
    """
    scenario.created = created_rows(args) - before
    answered = scenario.warm_ok + result["requests"] - result["non2xx"]
    extra = scenario.created - answered
    if not 0 <= extra <= 2 * args.connections:
        log(f"  WARNING: {scenario.created} rows created for {answered} 2xx answers")
        result["non2xx"] += abs(extra)  # shows up as an error
    else:
        log(f"  {scenario.created} rows created for {answered} 2xx answers (+{extra} in flight)")


# --- main -----------------------------------------------------------------------------------
