"""compile_translations — 编译界面翻译: the .po catalogs under LOCALE_PATHS → .mo, in pure Python.

Django's own ``compilemessages`` shells out to GNU ``msgfmt``, which a fresh machine may not
have; babel reads and writes the same formats, so ``make install`` can always build the .mo.
The .mo files are build output (git-ignored); the .po files are the source.

``--check`` lists every msgid used by the templates and the sidebar menu that has no non-empty
translation in a catalog and exits non-zero, so an untranslated new string fails CI.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import escape, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.signals import setting_changed
from django.utils.translation.template import templatize

# A msgid as gettext keys it: the singular text, or (singular, plural) for blocktranslate count;
# paired with its msgctxt (None when the template gives no context).
MsgKey = tuple[str | tuple[str, ...], str | None]


def po_files() -> list[Path]:
    """Every django.po under the project's LOCALE_PATHS."""
    found: list[Path] = []
    for base in settings.LOCALE_PATHS:
        found.extend(sorted(Path(base).glob("*/LC_MESSAGES/django.po")))
    return found


def read_catalog(po: Path) -> Catalog:
    locale = po.parent.parent.name
    with po.open("rb") as fh:
        return read_po(fh, locale=locale, domain="django")


def compile_po(po: Path) -> Path:
    """Write the .mo beside ``po`` and return its path. Fuzzy entries are left out, as msgfmt does."""
    catalog = read_catalog(po)
    mo = po.with_suffix(".mo")
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    # Atomic replace: a running server never reads a half-written catalog.
    tmp.replace(mo)
    return mo


def compile_catalogs(*, only_stale: bool = False) -> list[Path]:
    """Compile every catalog (or only those whose .mo is missing or older); returns the .mo written."""
    written = []
    for po in po_files():
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        written.append(compile_po(po))
    return written


def ensure_compiled() -> list[Path]:
    """Compile stale catalogs and make this process load them anew; for tests on a fresh clone.

    Django caches each language's catalog on first use, so a catalog compiled after that would be
    ignored; the setting_changed receivers for LOCALE_PATHS are what clear those caches.
    """
    written = compile_catalogs(only_stale=True)
    if written:
        setting_changed.send(
            sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True
        )
    return written


def template_files() -> list[Path]:
    """The project's templates: templates/ and every kefu app's templates/ folder."""
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates").rglob("*.html"))
    files += sorted(base.glob("kefu/*/templates/**/*.html"))
    return files


def template_msgids(path: Path) -> set[MsgKey]:
    """The constant msgids of one template's {% translate %} and {% blocktranslate %} tags.

    Django's ``templatize`` turns a template into the gettext calls makemessages would see
    (blocktranslate variables become %(name)s), and babel's Python extractor reads those calls,
    so the msgids match Django's byte for byte without needing xgettext.
    """
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found: set[MsgKey] = set()
    for _lineno, message, _comments, context in extract(
        "python", io.BytesIO(code.encode("utf-8")), keywords=DEFAULT_KEYWORDS
    ):
        found.add((message, context))
    return found


def menu_msgids() -> set[MsgKey]:
    """Sidebar labels: rendered with {% translate item.label %}, so the templates cannot show them."""
    from kefu.core.menu import MENU

    labels: set[MsgKey] = set()
    for group in MENU:
        labels.add((group.label, None))
        labels.update((item.label, None) for item in group.items)
    return labels


def all_msgids() -> set[MsgKey]:
    found = menu_msgids()
    for path in template_files():
        found |= template_msgids(path)
    return found


def _translated(message: Any) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s.strip() for s in strings)


def untranslated(po: Path, msgids: set[MsgKey] | None = None) -> list[MsgKey]:
    """The msgids (default: all used by templates and menu) lacking a non-empty translation in ``po``."""
    catalog = read_catalog(po)
    missing = []
    for msgid, context in msgids if msgids is not None else all_msgids():
        singular = msgid[0] if isinstance(msgid, tuple) else msgid
        if not _translated(catalog.get(singular, context=context)):
            missing.append((msgid, context))
    return sorted(missing, key=repr)


def po_stub(msgid: str | tuple[str, ...], context: str | None) -> str:
    """A ready-to-fill .po entry for a missing msgid, printed by ``--check``."""
    lines = [f"msgctxt {escape(context)}"] if context else []
    if isinstance(msgid, tuple):
        lines += [f"msgid {escape(msgid[0])}", f"msgid_plural {escape(msgid[1])}"]
        lines += ['msgstr[0] ""', 'msgstr[1] ""']
    else:
        lines += [f"msgid {escape(msgid)}", 'msgstr ""']
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po to .mo with babel (no GNU gettext needed)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="fail when a msgid used by the templates or the menu has no translation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        catalogs = po_files()
        if not catalogs:
            raise CommandError(f"no django.po found under LOCALE_PATHS {settings.LOCALE_PATHS}")
        if options["check"]:
            msgids = all_msgids()
            problems = []
            for po in catalogs:
                missing = untranslated(po, msgids)
                if missing:
                    stubs = "\n\n".join(po_stub(msgid, ctx) for msgid, ctx in missing)
                    problems.append(f"# {len(missing)} untranslated in {po}:\n\n{stubs}")
            if problems:
                raise CommandError("\n\n".join(problems))
            self.stdout.write(f"{len(msgids)} msgids translated in {len(catalogs)} catalog(s)")
            return
        for mo in compile_catalogs():
            if options["verbosity"] >= 1:
                self.stdout.write(f"compiled {mo}")
