"""Real-browser fixtures: Debian's chromium driven by sync Playwright against pytest-django's live_server.

No browser is ever downloaded (no `playwright install`): the tests use /usr/bin/chromium, which
`make browser` installs from Debian, and skip with a reason when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Sync Playwright keeps an asyncio loop running in the test thread; Django's ORM would then refuse
# every query made by the test itself (fixtures, factories, asserts) as "async unsafe". The test
# thread never shares a connection with a coroutine, so the guard is safe to lift here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Skip at collection time (not inside a fixture) so the skip reason is reported once per test
    # and no database is set up for tests that cannot run.
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: run `make browser` (Debian chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _translations() -> None:
    # The English UI needs the compiled catalog; a fresh clone run without `make` has only the .po.
    from kefu.core.management.commands.compile_translations import ensure_compiled

    ensure_compiled()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole session; each test gets its own context (cookies)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser tab (own cookies) in Chinese at 1440x900, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def kefu_db(live_server: Any) -> None:
    """The live server's database as a fresh install has it.

    live_server tests are transactional: the tables are flushed after every test and Django
    re-sends post_migrate, which re-creates the default policy and the role groups. A test that
    ran without them would see every role refused, so this fails loudly instead.
    """
    from django.contrib.auth.models import Group

    from kefu.core.models import Policy
    from kefu.org.choices import Role

    missing = [r.label for r in Role if not Group.objects.filter(name=r.label).exists()]
    assert not missing, f"role groups missing after flush: {missing}"
    assert Policy.objects.exists(), "default policy missing after flush"


@pytest.fixture
def org(kefu_db: None) -> dict[str, Any]:
    """make_org()'s small company, committed so the live server's thread sees it."""
    from kefu.org.tests.factories import make_org

    return make_org()


@pytest.fixture
def login(page: Any) -> Callable[[str, str], None]:
    """login(username, password): sign in through the real login form, as a person would."""

    def _login(username: str, password: str) -> None:
        page.goto("/login/")
        page.get_by_label("工号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    return _login
