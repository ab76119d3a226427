"""Background jobs of the surveys — 满意度调查后台任务, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from kefu.core.errors import PermissionDeniedError
from kefu.core.jobs import JobOutcome, Progress, job_payload_json, run_job
from kefu.core.models import BackgroundJob


@task()
def campaign_job_task(job_id: int) -> None:
    """满意度集中调查: create the campaign's invitations as the job's creator (with progress)."""
    run_job(job_id, run_campaign)


def run_campaign(job: BackgroundJob, progress: Progress) -> JobOutcome:
    """The work of a campaign job: ``services.campaign_run`` for the campaign in the payload.

    The permission is checked again: someone whose role changed after submitting is refused,
    the job fails saying so and the campaign is marked 失败.
    """
    from .services.invitations import campaign_run

    campaign_id = int(job_payload_json(job)["campaign"])
    try:
        result = campaign_run(campaign_id, actor=job.created_by, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDeniedError(
            "您已没有发起集中调查的权限，本次未生成调查邀请", code=exc.code
        ) from exc
    return JobOutcome(result=result, summary=f"{result['name']}：{result['message']}")
