"""Daily task chains (kefu/core/daily.py): the next run time and never doubling a waiting run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.core import daily
from kefu.core.calendar import SHANGHAI


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_next_daily_run_is_strictly_after_now() -> None:
    at = dt.time(1, 30)
    assert daily.next_daily_run(at, _at(3, 0, 10)) == _at(3, 1, 30)
    assert daily.next_daily_run(at, _at(3, 1, 30)) == _at(4, 1, 30)
    # Given in UTC, judged on the Shanghai clock: 2026-11-02 18:00 UTC is 11-03 02:00 local.
    utc = dt.datetime(2026, 11, 2, 18, 0, tzinfo=dt.UTC)
    assert daily.next_daily_run(at, utc) == _at(4, 1, 30)


class _FakeTask:
    module_path = "kefu.tests.fake_daily_task"

    def __init__(self) -> None:
        self.queued: list[dt.datetime] = []

    def using(self, *, run_after: dt.datetime) -> Any:
        outer = self

        class _Bound:
            def enqueue(self) -> None:
                outer.queued.append(run_after)

        return _Bound()


@pytest.mark.django_db
def test_schedule_daily_queues_once(monkeypatch: pytest.MonkeyPatch) -> None:
    task = _FakeTask()
    monkeypatch.setattr(daily.default_task_backend, "supports_defer", True, raising=False)
    waiting = {"n": 0}
    monkeypatch.setattr(daily, "waiting_runs", lambda t: waiting["n"])
    assert daily.schedule_daily(task, dt.time(9, 5), now=_at(3, 10)) == _at(4, 9, 5)
    waiting["n"] = 1
    assert daily.schedule_daily(task, dt.time(9, 5), now=_at(3, 10)) is None
    assert task.queued == [_at(4, 9, 5)]


@pytest.mark.django_db
def test_schedule_daily_does_nothing_when_tasks_run_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task = _FakeTask()
    monkeypatch.setattr(daily.default_task_backend, "supports_defer", False, raising=False)
    assert daily.schedule_daily(task, dt.time(9, 5)) is None and task.queued == []
    assert daily.waiting_runs(task) == 0
