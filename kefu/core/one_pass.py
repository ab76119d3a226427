"""Lists counted and paged in one pass — 一次读取的分页.

A keyword search looks at every candidate's text whatever the page, so counting and then paging
reads all the matches twice. ``page_keys`` takes the page's primary keys with ``COUNT(*) OVER ()``
— computed over every match before the LIMIT — in one statement; the page's rows are then read
by key. Used by the ticket list API (``apikit.paginate_one_pass``) and the ticket list page
(``OnePassPaginator``) for keyword searches (docs/performance.md, 2026-11-25).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

FAR_OFFSET = 2**31  # past the end of every list, inside every database's OFFSET


def page_keys(qs: QuerySet[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    """``(keys of the page, number of matches, page number)`` of ``qs`` (ordered on a unique
    key, not distinct) in pages of ``size``; a page past the end is the last one — then one more
    statement: the count, and the last page's keys."""
    current = max(page, 1)
    counted = qs.annotate(_kefu_total=Window(Count("pk"))).values_list("pk", "_kefu_total")
    start = (current - 1) * size
    # A page beyond any list (page=10**30 in a URL) would overflow the database's OFFSET.
    keyed = list(counted[start : start + size]) if start < FAR_OFFSET else []
    if keyed:
        return [key for key, _total in keyed], keyed[0][1], current
    count = qs.count()
    current = min(current, max((count + size - 1) // size, 1))
    start = (current - 1) * size
    keyed = list(counted[start : start + size]) if count else []
    return [key for key, _total in keyed], count, current


class OnePassPaginator(Paginator):
    """Django's Paginator for a keyword search: ``get_page`` answers as ``Paginator.get_page``
    (a page that is not a number is the first, one out of range the last), with the count and
    the page's keys from one statement and the page's objects read by key through the same
    queryset (its joins and order)."""

    def get_page(self, number: Any) -> Page:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1
        if wanted < 1:
            wanted = FAR_OFFSET  # as Paginator: below the first page means the last one
        keys, count, current = page_keys(self.object_list, wanted, self.per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property
        objects = list(self.object_list.filter(pk__in=keys)) if keys else []
        return self._get_page(objects, current, self)
