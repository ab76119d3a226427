"""The daily plan run (self-rescheduling task + ``visit_plan_schedule``), the 重新生成回访计划 job
(progress page, result, notification, refusals) and the 回访单号 global search."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from kefu.core import jobs
from kefu.core.calendar import SHANGHAI
from kefu.core.choices import JobKind, JobStatus
from kefu.core.models import BackgroundJob, Notification
from kefu.core.policy import default_bodies, policy_version_create
from kefu.core.search import search_all
from kefu.visits import tasks
from kefu.visits.models import VisitTask
from kefu.visits.policy import DOMAIN
from kefu.visits.services import generate_visit_plans, visit_record

from .factories import make_installation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_side_connection_left() -> Any:
    yield
    jobs._close_side_connection()


def _recent_installation() -> Any:
    return make_installation(acceptance=dt.date.today() - dt.timedelta(days=15))


# --- daily run ----------------------------------------------------------------------------------
def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def test_next_daily_run_is_the_policy_time_in_shanghai(org: dict[str, Any]) -> None:
    day = dt.date(2026, 3, 10)
    assert tasks.next_daily_run(_at(day, 1, 59)) == _at(day, 2)
    assert tasks.next_daily_run(_at(day, 2)) == _at(day + dt.timedelta(days=1), 2)
    assert tasks.next_daily_run(_at(day, 23, 30)) == _at(day + dt.timedelta(days=1), 2)
    # 2026-03-10 02:00 Shanghai is 2026-03-09 18:00 UTC: the day is Shanghai's, not UTC's.
    utc = dt.datetime(2026, 3, 9, 17, 0, tzinfo=dt.UTC)
    assert tasks.next_daily_run(utc) == _at(day, 2)


def test_daily_time_follows_the_policy_version_in_force(org: dict[str, Any]) -> None:
    change = dt.date.today() + dt.timedelta(days=5)
    body = default_bodies()[DOMAIN]
    body["plan"]["daily_run_time"] = "23:15"
    policy_version_create(
        actor=org["sysadmin"].user, domain=DOMAIN, effective_from=change, body=body
    )
    before = change - dt.timedelta(days=1)
    assert tasks.next_daily_run(_at(before, 1)) == _at(before, 2)  # old version that day
    assert tasks.next_daily_run(_at(before, 3)) == _at(change, 23, 15)  # tomorrow's version
    assert tasks.next_daily_run(_at(change, 23, 20)) == _at(change + dt.timedelta(days=1), 23, 15)


def test_bad_daily_time_is_refused_with_chinese_message(org: dict[str, Any]) -> None:
    from kefu.core.errors import DomainError

    body = default_bodies()[DOMAIN]
    body["plan"]["daily_run_time"] = "25:00"
    with pytest.raises(DomainError) as err:
        policy_version_create(
            actor=org["sysadmin"].user,
            domain=DOMAIN,
            effective_from=dt.date.today() + dt.timedelta(days=1),
            body=body,
        )
    assert "plan.daily_run_time" in err.value.fields


class _Deferring:
    supports_defer = True


class _FakeTask:
    module_path = "kefu.visits.tasks.visit_plan_daily_task"

    def __init__(self) -> None:
        self.queued: list[dt.datetime] = []

    def using(self, *, run_after: dt.datetime) -> Any:
        fake = self

        class _Queued:
            def enqueue(self) -> None:
                fake.queued.append(run_after)

        return _Queued()


def test_schedule_queues_one_run_at_the_policy_time(
    org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _FakeTask()
    monkeypatch.setattr(tasks, "default_task_backend", _Deferring())
    monkeypatch.setattr(tasks, "visit_plan_daily_task", fake)
    waiting = {"n": 0}
    monkeypatch.setattr(tasks, "_waiting_daily_runs", lambda: waiting["n"])
    now = _at(dt.date(2026, 3, 10), 9)
    assert tasks.schedule_next_daily_run(now=now) == _at(dt.date(2026, 3, 11), 2)
    assert fake.queued == [_at(dt.date(2026, 3, 11), 2)]
    waiting["n"] = 1  # a run is waiting: starting the chain again adds nothing
    assert tasks.schedule_next_daily_run(now=now) is None
    out = io.StringIO()
    call_command("visit_plan_schedule", stdout=out)
    assert "已在队列中" in out.getvalue() and len(fake.queued) == 1


def test_schedule_does_nothing_on_the_immediate_backend(org: dict[str, Any]) -> None:
    assert tasks.schedule_next_daily_run() is None
    out = io.StringIO()
    call_command("visit_plan_schedule", stdout=out)
    assert out.getvalue().strip()


def test_daily_task_generates_as_the_system(org: dict[str, Any]) -> None:
    inst = _recent_installation()
    tasks.visit_plan_daily_task.enqueue()
    assert VisitTask.objects.filter(installation=inst).exists()
    out = io.StringIO()
    call_command("visit_plan_schedule", "--now", stdout=out)
    assert "新增回访任务 0 条" in out.getvalue()


# --- the job behind 重新生成回访计划 ---------------------------------------------------------------
def test_button_runs_a_job_with_progress_result_and_notification(
    org: dict[str, Any], client_for: Any
) -> None:
    inst = _recent_installation()
    sup = org["supervisor"].user
    client = client_for(sup)
    response = client.post("/visits/plans/generate/")
    job = BackgroundJob.objects.get(kind=JobKind.VISIT_PLANS)
    assert response.status_code == 302 and response["Location"] == jobs.job_url(job)
    assert job.status == JobStatus.SUCCEEDED and job.created_by == sup
    assert job.result["created"] == VisitTask.objects.filter(installation=inst).count() > 0
    assert job.progress_done == job.progress_total > 0
    page = client.get(jobs.job_url(job)).content.decode()
    assert 'data-testid="visit-plan-result"' in page and "生成回访计划" in page
    note = Notification.objects.get(recipient=sup)
    assert note.title == "生成回访计划：已完成" and "新增回访任务" in note.body
    assert note.link == jobs.job_url(job)


def test_api_returns_the_job_and_refuses_a_second_one(org: dict[str, Any], client_for: Any) -> None:
    _recent_installation()
    client = client_for(org["supervisor"].user)
    r = client.post("/api/v1/visits/plans/regenerate")
    assert r.status_code == 202
    body = r.json()
    job = BackgroundJob.objects.get(pk=body["job_id"])
    assert body["job_url"] == jobs.job_url(job) and job.status == JobStatus.SUCCEEDED
    # Another plan job still queued: both the API and the page refuse, nothing new is queued.
    jobs.job_create(actor=org["manager"].user, kind=JobKind.VISIT_PLANS)
    before = BackgroundJob.objects.count()
    r = client.post("/api/v1/visits/plans/regenerate")
    assert r.status_code == 409 and r.json()["code"] == "visit_plans_busy"
    r = client.post("/visits/plans/generate/", follow=True)
    assert "回访计划正在生成中" in r.content.decode()
    assert BackgroundJob.objects.count() == before
    # A job left queued/running by a worker that died hours ago no longer blocks the button.
    BackgroundJob.objects.filter(status=JobStatus.QUEUED).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )
    assert client.post("/api/v1/visits/plans/regenerate").status_code == 202


def test_people_without_the_right_cannot_start_a_job(org: dict[str, Any], client_for: Any) -> None:
    for who in ("agent_a1", "visitor", "lead_a"):
        client = client_for(org[who].user)
        assert client.post("/visits/plans/generate/").status_code == 403, who
        assert client.post("/api/v1/visits/plans/regenerate").status_code == 403, who
    assert not BackgroundJob.objects.exists()


def test_job_fails_when_the_right_was_lost(org: dict[str, Any]) -> None:
    _recent_installation()
    sup = org["supervisor"].user
    job = jobs.job_create(actor=sup, kind=JobKind.VISIT_PLANS)
    sup.groups.clear()
    tasks.visit_plans_job_task.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "已没有生成回访计划的权限" in job.error
    assert not VisitTask.objects.exists()


# --- global search --------------------------------------------------------------------------------
def test_search_finds_a_visit_number_the_user_may_see(org: dict[str, Any], client_for: Any) -> None:
    _recent_installation()
    generate_visit_plans()
    task = VisitTask.objects.order_by("id").first()
    visit_record(actor=org["visitor"].user, task=task, outcome="satisfied")
    number = task.receipt_no
    for who, q in (("supervisor", number), ("visitor", number.lower()), ("lead_a", number)):
        sections = search_all(org[who].user, q)
        hits = [h for s in sections if s["key"] == "visits" for h in s["hits"]]
        assert [h.url for h in hits] == [f"/visits/{task.pk}/"], who
        assert "满意" in hits[0].subtitle
    assert not any(s["key"] == "visits" for s in search_all(org["agent_a1"].user, number))
    for junk in ("HF²", "HF", "HF" + "9" * 30, "HF-1", "hf 12"):
        assert not any(s["key"] == "visits" for s in search_all(org["supervisor"].user, junk))
    page = client_for(org["supervisor"].user).get("/search/", {"q": number})
    assert page.status_code == 200 and number in page.content.decode()
    listed = client_for(org["supervisor"].user).get("/visits/", {"view": "all", "q": "HF²"})
    assert listed.status_code == 200
