"""工作台列表行 — ``console_rows_html``: the console tables' rows built in Python (no database).

What the browser tests and the page script read (``data-*`` attributes, the claim form, the
tags) and that every stored value is escaped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.text import Truncator
from hypothesis import given
from hypothesis import strategies as st

from kefu.tickets.console_rows import console_rows_html, shorten
from kefu.tickets.templatetags.ticket_tags import clock_words, duration, sla_text


def _row(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "pk": 7,
        "number": "KF20261122-0007",
        "url": "/tickets/7/",
        "claim_url": "",
        "title_short": "电饭煲不加热",
        "customer_short": "张三",
        "owner_id": 3,
        "owner_name": "李四",
        "status": "in_progress",
        "status_tag": "tag-blue",
        "status_label": "处理中",
        "red_flag": False,
        "red_flag_note": "",
        "unanswered_message": False,
        "sla": {
            "stage": "warning",
            "seconds": 3900,
            "tag": "tag-orange",
            "text": "剩余 1小时5分",
            "title": "2026-11-22 18:00",
            "due": dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC),
        },
    }
    row.update(over)
    return row


def test_a_row_carries_what_the_page_script_reads() -> None:
    with translation.override("zh-hans"):
        html = console_rows_html([_row()], show_owner=False, claim=False)
    assert html.startswith('<tr data-number="KF20261122-0007">\n')
    assert '<td><a class="mono" href="/tickets/7/">KF20261122-0007</a></td>' in html
    assert '<span class="tag tag-blue" data-status="in_progress">处理中</span>' in html
    assert (
        '<span class="tag tag-orange" data-sla-stage="warning" data-sla-seconds="3900" '
        'title="2026-11-22 18:00">剩余 1小时5分</span>'
    ) in html
    assert "李四" not in html and "<form" not in html  # no owner, no claim column asked for
    assert html.count("<td>") + html.count("<td><") >= 5 and html.endswith("\n</tr>")


def test_every_stored_value_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    row = _row(
        number='KF"><b>',
        title_short=evil,
        customer_short=evil,
        owner_name=evil,
        red_flag=True,
        red_flag_note='"><img src=x>',
        claim_url='/t/"x',
    )
    html = console_rows_html([row], show_owner=True, claim=True, csrf_token='a"b')
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'value="a&quot;b"' in html and 'action="/t/&quot;x"' in html


def test_flags_owner_and_claim_words() -> None:
    rows = [
        _row(red_flag=True, red_flag_note="只接受上午上门", unanswered_message=True),
        _row(pk=8, number="KF2", owner_id=None, owner_name="", claim_url="/tickets/8/act/accept/"),
        _row(pk=9, number="KF3", status="transferred", claim_url="/tickets/9/act/accept_transfer/"),
    ]
    with translation.override("zh-hans"):
        html = console_rows_html(rows, show_owner=True, claim=True, csrf_token="tok")
    first, second, third = html.split("</tr>")[:3]
    assert 'data-testid="red-flag" title="特殊要求：只接受上午上门">&#9873; 小红旗</span>' in first
    assert 'data-testid="offline-message"' in first and ">留言</span>" in first
    assert "<td>李四</td>" in first and "<td></td>" in first  # no claim form on a held request
    assert "<td>未分派</td>" in second and ">认领</button>" in second
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in second
    assert '<input type="hidden" name="next" value="workbench">' in second
    assert ">接收转交</button>" in third and "<td>李四</td>" in third


def test_finished_and_paused_clocks() -> None:
    done = _row(sla={"stage": "done", "seconds": None, "tag": "tag-blue", "text": "", "title": ""})
    paused = _row(
        sla={"stage": "paused", "seconds": None, "tag": "tag-grey", "text": "暂停计时", "title": ""}
    )
    overdue = _row(
        sla={
            "stage": "overdue",
            "seconds": -720,
            "tag": "tag-red",
            "text": "超时 12分",
            "title": "t",
        }
    )
    html = console_rows_html([done, paused, overdue], show_owner=False, claim=False)
    assert '<span class="muted" data-sla-stage="done">—</span>' in html
    assert '<span class="tag tag-grey" data-sla-stage="paused">暂停计时</span>' in html
    assert 'data-sla-stage="overdue" data-sla-seconds="-720" title="t">超时 12分</span>' in html


def test_words_follow_the_language() -> None:
    row = _row(owner_id=None, claim_url="/tickets/7/act/accept/")
    with translation.override("en"):
        html = console_rows_html([row], show_owner=True, claim=True)
    with translation.override("zh-hans"):
        chinese = console_rows_html([row], show_owner=True, claim=True)
    assert "<td>未分派</td>" in chinese and ">认领</button>" in chinese
    assert "<td>Unassigned</td>" in html and ">Claim</button>" in html


@given(st.text(max_size=40))
def test_shorten_is_truncators_answer(text: str) -> None:
    for length in (1, 12, 24):
        assert shorten(text, length) == Truncator(text).chars(length)


@given(st.integers(min_value=-400_000, max_value=400_000))
def test_countdown_words_looked_up_once_say_the_same(seconds: int) -> None:
    summary = {"stage": "on_time", "seconds": seconds, "label": ""}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words = clock_words()
            assert sla_text(summary, words) == sla_text(summary)
            assert duration(seconds, words) == duration(seconds)
