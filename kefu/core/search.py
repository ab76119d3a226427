"""Global search — 全局搜索 (UI.md top bar: phone / order number / ticket number).

Each app registers a provider in its ``AppConfig.ready()``; a provider answers a query for one
user with at most ``limit`` hits, read through the app's own scoped selectors, so search never shows
what the user may not see. Core knows no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchHit:
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str  # section title on the results page, e.g. 员工, 客户, 工单
    order: int
    search: Callable[[Any, str, int], list[SearchHit]]


_PROVIDERS: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> None:
    _PROVIDERS[provider.key] = provider


def search_all(user: Any, q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Sections of hits for ``q``, in provider order; sections without hits are left out."""
    q = (q or "").strip()[:50]
    if not q:
        return []
    sections = []
    for provider in sorted(_PROVIDERS.values(), key=lambda p: p.order):
        hits = provider.search(user, q, limit)
        if hits:
            sections.append({"key": provider.key, "label": provider.label, "hits": hits})
    return sections
