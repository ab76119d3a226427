"""docs/screenshot.png — 工作台截图 for the README: the dashboard at 1440x900 with the demo company.

    .venv/bin/python bench/screenshot.py [--user G001] [--lang zh-hans|en] [--out docs/screenshot.png]
    .venv/bin/python bench/screenshot.py --user KF011 --path /workbench/ --out docs/screenshot-console.png

Builds a throw-away SQLite database (migrate + seed_demo), serves it with runserver on a free
loopback port, signs in through the login form in Debian's headless chromium and saves the
picture. Nothing of the developer's own db.sqlite3 is touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEMO_PASSWORD = "kefu-demo-2026"  # seed_demo's published demo password (README)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url} within {seconds:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="G001", help="demo login (default: 总经理 G001)")
    parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--path", default="", help="page to show after login, e.g. /workbench/")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kefu-shot-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
            "DJANGO_DEBUG": "false",
        }
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "compile_translations", "-v", "0")
        _manage(env, "seed_demo", "--quiet")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(f"{base}/login/")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                context = browser.new_context(
                    base_url=base,
                    viewport={"width": 1440, "height": 900},
                    locale="zh-CN",
                    timezone_id="Asia/Shanghai",
                )
                page = context.new_page()
                page.goto("/login/")
                page.get_by_label("工号").fill(args.user)
                page.get_by_label("密码").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url(f"{base}/dashboard/")
                if args.path:
                    page.goto(args.path)
                if args.lang == "en":
                    page.get_by_role("button", name="English").click()
                    page.wait_for_load_state("networkidle")
                page.wait_for_load_state("networkidle")
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.out)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
