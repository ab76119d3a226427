"""Benchmark harness pieces — 基准测试公共部分: PostgreSQL set-up, gunicorn, login, wrk, CPU meter,
the results table. Used by ``bench/run.py`` (the entry point) and ``bench/bench_tickets.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results" / "latest.md"
HOST = "127.0.0.1"  # loopback only: the load never leaves this machine
HR_USER, SUP_USER = "BENCH_HR", "BENCH_SUP"
AGENT_USER, LEAD_USER = "BENCH_AGENT", "BENCH_LEAD"
# Scenarios whose p95 has a target (docs/performance.md).
TARGET_P95_MS = 30.0

# Counts every non-2xx answer (wrk itself treats 3xx as success, and a redirect to /login/ would
# hide a lost session) and prints the numbers as one JSON line for this script to read.
WRK_LUA = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  non2xx = 0
  math.randomseed(tid * 7919 + os.time())
end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'KEFU_RESULT {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass
class Scenario:
    name: str
    path: str
    user: str
    headers: dict[str, str]
    target: bool = False  # p95 ≤ TARGET_P95_MS unless p95_target says otherwise
    rows: int | None = None  # rows the query matched (API scenarios), for the table
    p95_target: float | None = None  # ms
    rps_target: float | None = None  # requests per second (create)
    method: str = "GET"
    lua: str = ""  # defines request() when each request differs (random ids, unique bodies)
    created: int | None = None  # rows a POST scenario created, checked against its 2xx answers
    shown: str = ""  # the path as printed, when requests vary (e.g. /tickets/<id>/)
    warm_ok: int = 0  # 2xx answers during the warm-up (a POST's rows include them)

    def __post_init__(self) -> None:
        if self.target and self.p95_target is None and self.rps_target is None:
            self.p95_target = TARGET_P95_MS
        self.target = self.p95_target is not None or self.rps_target is not None

    def verdict(self, r: dict[str, Any]) -> str:
        """'' without a target, else the target and ✅/❌."""
        if self.rps_target is not None:
            ok = rps_of(r) >= self.rps_target
            return f"≥ {self.rps_target:.0f} req/s {'✅' if ok else '❌'}"
        if self.p95_target is not None:
            ok = r["p95"] / 1000 <= self.p95_target
            return f"p95 ≤ {self.p95_target:.0f} ms {'✅' if ok else '❌'}"
        return ""

    def missed(self, r: dict[str, Any]) -> bool:
        return self.verdict(r).endswith("❌")


def rps_of(r: dict[str, Any]) -> float:
    return r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- prerequisites --------------------------------------------------------------------------
def ensure_wrk() -> str:
    """wrk from Debian; installed with apt-get when missing (it is a Debian package)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: sudo apt-get install -y wrk")
    log("installing wrk (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, timeout=300, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=300, check=False)
        subprocess.run(install, env=env, timeout=300, check=False)
    found = shutil.which("wrk")
    if found:
        return found
    sys.exit("could not install wrk")


def pg_connect(args: argparse.Namespace, dbname: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(
        host=args.db_host, port=args.db_port, user=args.db_user, dbname=dbname, autocommit=True
    )


def create_database(args: argparse.Namespace) -> None:
    with pg_connect(args) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.db_name]
        ).fetchone()
        if exists and not args.replace:
            sys.exit(
                f"database {args.db_name} already exists; pass --replace to drop and recreate it"
            )
        quoted = '"' + args.db_name.replace('"', '""') + '"'
        if exists:
            conn.execute(f"DROP DATABASE {quoted} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {quoted}")
        version = conn.execute("SHOW server_version").fetchone()
    args.pg_version = version[0] if version else "?"


def drop_database(args: argparse.Namespace) -> None:
    quoted = '"' + args.db_name.replace('"', '""') + '"'
    with pg_connect(args) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


# --- the application ------------------------------------------------------------------------
def app_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    """The production settings plus a temporary STATIC_ROOT (the only override)."""
    static_root = workdir / "static"
    # A one-line settings module that imports config.settings.prod unchanged, so collectstatic does
    # not write into the work tree's staticfiles/.
    (workdir / "kefu_bench_settings.py").write_text(
        f"from config.settings.prod import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n",
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "KEFU_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kefu_bench_settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),  # 64 random characters
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"postgres://{args.db_user}@{args.db_host}:{args.db_port}/{args.db_name}",
        PYTHONPATH=os.pathsep.join([str(workdir), str(args.app_dir)]),
        KEFU_LOG_LEVEL="WARNING",
        KEFU_BENCH_APP_DIR=str(args.app_dir),
    )
    return env


def manage(env: dict[str, str], *argv: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *argv],
        cwd=env["KEFU_BENCH_APP_DIR"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(argv)} failed ({result.returncode})")
    return result.stdout


def api_token(env: dict[str, str], username: str) -> str:
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from kefu.core.tokens import api_token_create\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        "print('KEFU_TOKEN=' + api_token_create(actor=user, name='benchmark')[1])\n"
    )
    out = manage(env, "shell", "-c", code)
    match = re.search(r"KEFU_TOKEN=(\S+)", out)
    if not match:
        raise SystemExit(f"no token in shell output: {out!r}")
    return match.group(1)


def workers_kind(args: argparse.Namespace) -> str:
    if args.server_threads > 1 or args.worker_class == "gthread":
        return f"gthread workers × {args.server_threads} thread(s), keep-alive"
    return "sync workers"


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> Any:
    log_file = (workdir / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            *(
                ["--worker-class", "gthread", "--threads", str(args.server_threads)]
                if args.server_threads > 1 or args.worker_class == "gthread"
                else []
            ),
            "-b",
            f"{HOST}:{args.port}",
            "--timeout",
            "30",
        ],
        cwd=args.app_dir,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops its workers
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited:\n" + (workdir / "gunicorn.log").read_text())
        try:
            status, _, _ = request(args.port, "GET", "/login/")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(proc)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop_gunicorn(proc: Any) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# --- HTTP helpers ---------------------------------------------------------------------------
def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def set_cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    # The production cookies are Secure; a browser would not send them over plain HTTP, so the
    # harness keeps them itself (loopback stands in for the TLS proxy of docs/deployment.md).
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            found[key.strip()] = val.strip()
    return found


def login(port: int, username: str, password: str) -> str:
    """Log in through the real /login/ form (CSRF cookie + token); returns the session cookie."""
    status, headers, body = request(port, "GET", "/login/")
    cookies = set_cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match or "csrftoken" not in cookies:
        raise SystemExit(f"/login/ did not offer a CSRF token (status {status})")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
    )
    status, headers, _ = request(
        port,
        "POST",
        "/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
        form,
    )
    session = set_cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"login as {username} failed (status {status})")
    return f"sessionid={session}"


def check(port: int, scenario: Scenario) -> None:
    """One request before the load: it must answer 200 (and the API's count is recorded)."""
    if scenario.method != "GET":
        return  # a write: its rows are counted after the run instead
    status, _, body = request(port, "GET", scenario.path, scenario.headers)
    if status != 200:
        raise SystemExit(f"{scenario.name}: {scenario.path} answered {status}")
    if scenario.path.startswith("/api/"):
        scenario.rows = json.loads(body)["count"]


# --- CPU accounting -------------------------------------------------------------------------
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # field 5 of /proc/pid/stat: process group
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU time used by gunicorn (master + workers) and by the benchmark database's backends.

    CPU per request does not depend on how busy the rest of the machine is, unlike latency.
    Sampled every half second while wrk runs, because a database connection older than
    CONN_MAX_AGE is replaced mid-run and its backend's counters leave with it.
    """

    def __init__(self, args: argparse.Namespace, server: Any) -> None:
        self.args, self.server = args, server
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, conn: Any) -> dict[tuple[str, int], int]:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.args.db_name],
        ).fetchall()
        found = {("app", pid): _cpu_ticks(pid) for pid in _group_pids(self.server.pid)}
        found.update({("db", row[0]): _cpu_ticks(row[0]) for row in rows})
        return found

    def _run(self) -> None:
        with pg_connect(self.args) as conn:
            while not self._stop.wait(0.5):
                self.last.update(self._sample(conn))
            self.last.update(self._sample(conn))

    def __enter__(self) -> CpuMeter:
        with pg_connect(self.args) as conn:
            self.first = self._sample(conn)
        self.last = dict(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def ticks(self, kind: str) -> int:
        # A process that started during the run counts from zero.
        return sum(v - self.first.get(k, 0) for k, v in self.last.items() if k[0] == kind)


# --- load -----------------------------------------------------------------------------------
def wrk(
    args: argparse.Namespace, wrk_bin: str, script: Path, scenario: Scenario, seconds: int
) -> dict[str, Any]:
    if scenario.lua:
        script = script.with_name(f"scenario-{abs(hash(scenario.lua))}.lua")
        script.write_text(WRK_LUA + scenario.lua, encoding="utf-8")
    cmd = [
        wrk_bin,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for key, value in scenario.headers.items():
        cmd += ["-H", f"{key}: {value}"]
    cmd.append(f"http://{HOST}:{args.port}{scenario.path}")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"KEFU_RESULT (\{.*\})", result.stdout)
    if result.returncode != 0 or not match:
        raise SystemExit(f"wrk failed for {scenario.name}:\n{result.stdout}{result.stderr}")
    data = json.loads(match.group(1))
    data["raw"] = result.stdout
    return data


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def table(rows: list[tuple[Scenario, dict[str, Any]]]) -> str:
    lines = [
        "| scenario | user | p50 ms | p95 ms | p99 ms | req/s | requests | errors / non-2xx "
        "| CPU ms/req app + db | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for scenario, r in rows:
        rps = rps_of(r)
        errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
        verdict = scenario.verdict(r)
        name = f"`{scenario.method} {scenario.shown or scenario.path}`"
        if scenario.rows is not None:
            name += f" ({scenario.rows} rows)"
        if scenario.created is not None:
            name += f" ({scenario.created} rows created)"
        lines.append(
            f"| {scenario.name}: {name} | {scenario.user} | {fmt_ms(r['p50'])} | "
            f"{fmt_ms(r['p95'])} | {fmt_ms(r['p99'])} | {rps:.0f} | {r['requests']} | "
            f"{errors} / {r['non2xx']} | {r['app_cpu_ms']:.1f} + {r['db_cpu_ms']:.1f} | {verdict} |"
        )
    return "\n".join(lines)


def git_describe(where: Path = ROOT) -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return head + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> str:
    cores = os.cpu_count() or 0
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        mem = "?"
    return f"{cores} cores, {mem} RAM"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def report(
    args: argparse.Namespace,
    rows: list[tuple[Scenario, dict[str, Any]]],
    seed: str,
    ticket_seed: str = "",
) -> str:
    counts = re.search(r"seeded: (.*?) in ([\d.]+)s", seed)
    tickets = re.search(r"seeded: (.*?) in ([\d.]+)s", ticket_seed)
    ticket_line = (
        [f"- tickets: {tickets.group(1)} (seed_tickets took {tickets.group(2)} s)"]
        if tickets
        else []
    )
    return "\n".join(
        [
            "# Kefu benchmark — latest run",
            "",
            f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}; commit {git_describe()}"
            + (
                ""
                if args.app_dir == ROOT
                else f"; app served from {args.app_dir} (commit {git_describe(args.app_dir)})"
            ),
            f"- data: {counts.group(1) if counts else args.employees}"
            + ("" if args.reuse else f" (seed_scale took {counts.group(2) if counts else '?'} s)"),
            *ticket_line,
            f"- server: gunicorn config.wsgi, {args.workers} {workers_kind(args)}, production settings, "
            f"PostgreSQL {args.pg_version} on {args.db_host}:{args.db_port}"
            + (f" ({', '.join(args.db_setting)})" if args.db_setting else " (server defaults)"),
            f"- load: wrk {args.threads} threads, {args.connections} connections, {args.warmup} s "
            f"warm-up then {args.duration} s per scenario, loopback {HOST}",
            f"- machine: {machine()}; load generator, server and database on the same machine; "
            f"load average (1/5/15 min) before the run {args.load_before}, after {load_average()}",
            "",
            table(rows),
            "",
            "Latency is measured by wrk (client side, includes queueing: 4 connections share 2 "
            "workers). errors = connect/read/write/timeout errors; non-2xx counts redirects too. "
            "CPU ms/req = CPU time used by the gunicorn processes and by the database's backends "
            "during the measured run, divided by the requests served: unlike latency it does not "
            "grow when other processes compete for the 2 cores.",
            "",
        ]
    )
