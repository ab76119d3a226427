"""English UI — 界面英文翻译: the shell switches to English, and no template string is left untranslated."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from kefu.core.management.commands.compile_translations import (
    all_msgids,
    compile_po,
    ensure_compiled,
    menu_msgids,
    po_files,
    template_msgids,
    untranslated,
)

EN_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True, scope="module")
def _compiled() -> None:
    # A fresh clone has only the .po: build the .mo the way `make install` does.
    ensure_compiled()


def _body(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_dashboard_in_english_from_accept_language(client_for: Any, supervisor: Any) -> None:
    body = _body(client_for(supervisor).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="en">' in body
    assert "System settings</div>" in body  # a menu group title
    for text in ("Dashboard", "Organization chart", "Employee records"):
        assert f">{text}</a>" in body, text
    assert "Active headcount by department" in body
    assert "各部门在职人数" not in body
    # English changes the words, not the permissions: a supervisor still has no audit log.
    assert "Audit log" not in body
    # The switch offers the way back.
    assert 'value="zh-hans"' in body


@pytest.mark.django_db
def test_language_cookie_wins_and_chinese_stays_default(client_for: Any, supervisor: Any) -> None:
    client: Client = client_for(supervisor)
    body = _body(client.get("/dashboard/"))
    assert "各部门在职人数" in body
    assert "Active headcount by department" not in body

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = _body(client.get("/org/chart/", HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert ">Organization chart<" in body
    assert "组织架构</h1>" not in body


@pytest.mark.django_db
def test_set_language_view_switches_both_ways(client_for: Any, sysadmin: Any) -> None:
    client: Client = client_for(sysadmin)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    body = _body(client.get("/dashboard/"))
    for text in ("Audit log", "Policy parameters", "Holiday calendar", "API tokens"):
        assert f">{text}</a>" in body, text

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    body = _body(client.get("/dashboard/"))
    assert ">审计日志<" in body
    assert "Audit log" not in body


def test_extractor_sees_template_and_menu_strings() -> None:
    # Without this, a broken extractor finding nothing would make the completeness test vacuous.
    found = {msgid for msgid, _ in all_msgids()}
    assert "各部门在职人数" in found  # {% translate "…" %}
    assert "搜索 电话 / 姓名 / 工号 / 编号" in found  # {% translate '…' %} inside an attribute
    assert ("共 %(n)s 条", "共 %(n)s 条") in found  # {% blocktranslate count %}
    assert any(isinstance(m, str) and "%(year)s" in m for m in found)  # blocktranslate variable
    assert ("系统设置", None) in menu_msgids()  # menu labels are variables in the template


def test_every_template_and_menu_msgid_has_an_english_translation() -> None:
    catalogs = po_files()
    assert EN_PO in catalogs
    for po in catalogs:
        missing = untranslated(po)
        assert not missing, (
            f"{po.relative_to(settings.BASE_DIR)} lacks translations for {missing}; "
            "add them and run `manage.py compile_translations`"
        )
    call_command("compile_translations", "--check", verbosity=0)


def test_a_new_untranslated_string_is_caught(tmp_path: Path) -> None:
    template = tmp_path / "new.html"
    template.write_text(
        '{% load i18n %}<h1>{% translate "新功能标题" %}</h1>{% translate "工作台" %}',
        encoding="utf-8",
    )
    msgids = template_msgids(template)
    assert msgids == {("新功能标题", None), ("工作台", None)}
    assert untranslated(EN_PO, msgids) == [("新功能标题", None)]


def test_compiled_catalog_is_read_by_gettext(tmp_path: Path) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(EN_PO, po)
    mo = compile_po(po)
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext("组织架构") == "Organization chart"
    assert catalog.ngettext("共 %(n)s 条", "共 %(n)s 条", 1) == "%(n)s record in total"
    assert catalog.ngettext("共 %(n)s 条", "共 %(n)s 条", 3) == "%(n)s records in total"
