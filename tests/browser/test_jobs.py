"""Background jobs in a real browser — 后台任务页面: the page follows the job by itself (htmx
polling), shows the result when it ends, and then stops asking."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.core import jobs
from kefu.core.choices import JobKind
from kefu.core.models import BackgroundJob
from kefu.org.tests.factories import PASSWORD


@pytest.mark.browser
def test_job_page_updates_itself_until_the_job_ends(
    page: Any, org: dict[str, Any], login: Any
) -> None:
    hr = org["hr"].user
    job = jobs.job_create(actor=hr, kind=JobKind.EMPLOYEE_IMPORT, description="三月入职.xlsx")
    jobs.job_start(job)
    login("HR001", PASSWORD)

    page.goto(f"/jobs/{job.pk}/")
    status = page.get_by_test_id("job-status")
    expect(status).to_contain_text("进行中")
    expect(page.get_by_text("您可以离开本页")).to_be_visible()

    # The worker reports progress: the open page picks it up without a reload.
    jobs.job_progress(job, 5, 10)
    expect(page.get_by_test_id("job-progress")).to_have_text("50%（5 / 10）")

    jobs.job_finish(
        job,
        {
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [{"row": 4, "field": "手机号", "message": "格式不正确"}],
        },
    )
    expect(status).to_contain_text("已完成")
    expect(page.get_by_test_id("import-errors")).to_contain_text("第4行")
    expect(page.get_by_test_id("import-errors")).to_contain_text("格式不正确")

    # Finished: the fragment no longer polls.
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url))
    page.wait_for_timeout(2500)
    assert not [url for url in polls if f"/jobs/{job.pk}/" in url]
    assert BackgroundJob.objects.get(pk=job.pk).status == "succeeded"
