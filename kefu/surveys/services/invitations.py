"""Invitation services — 调查邀请: after a closed request, by hand, or as a 集中调查 campaign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError

from ..choices import CampaignStatus, Channel, Source, VersionStatus
from ..models import Campaign, Invitation, Questionnaire, QuestionnaireVersion
from ..policy import surveys_policy
from ..rules import new_token
from .common import CAMPAIGN, SEND, require

CAMPAIGN_BATCH = 2000


def default_version() -> QuestionnaireVersion | None:
    """The published version of the default questionnaire (None when there is none)."""
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire__is_default=True, status=VersionStatus.PUBLISHED
        )
        .select_related("questionnaire")
        .first()
    )


def _check_channel(channel: str, on: dt.date) -> str:
    if channel not in Channel.values or channel not in surveys_policy(on).channels:
        raise DomainError(
            "survey_invalid", "请选择调查方式", fields={"channel": "请选择已启用的调查方式"}
        )
    return channel


def _check_version(version: QuestionnaireVersion | None) -> QuestionnaireVersion:
    if version is None:
        raise DomainError(
            "survey_no_questionnaire",
            "没有已发布的问卷，请先发布问卷",
            fields={"version": "请选择问卷"},
        )
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(
            "survey_invalid",
            "只能使用已发布的问卷版本",
            fields={"version": "只能使用已发布的问卷版本"},
        )
    return version


def _issue(invitation: Invitation, now: dt.datetime) -> str:
    raw, digest = new_token()
    days = surveys_policy(timezone.localdate(now)).token_valid_days
    invitation.token_hash = digest
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=days)
    return raw


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    customer: Any,
    channel: str,
    version: QuestionnaireVersion | None = None,
    source: str = Source.MANUAL,
    ticket: Any = None,
    agent: Any = None,
    department: Any = None,
    product: Any = None,
    campaign: Campaign | None = None,
    issue_link: bool = False,
    check_perm: bool = True,
) -> tuple[Invitation, str | None]:
    """发起满意度调查 — one invitation; with ``issue_link`` the public link's token is returned
    (shown once: only its hash is stored)."""
    if check_perm:
        require(actor, SEND)
    now = timezone.now()
    version = _check_version(version or default_version())
    channel = _check_channel(channel, timezone.localdate(now))
    if agent is None and source == Source.MANUAL:
        # Sent by hand: the sender is the agent the answer is credited to, in their department.
        from kefu.org.selectors import employee_of

        agent = employee_of(actor)
    if department is None and agent is not None:
        department = agent.department
    if ticket is not None and Invitation.objects.filter(ticket=ticket).exists():
        raise ConflictError("survey_ticket_invited", "该工单已发过满意度调查")
    inv = Invitation(
        customer=customer,
        version=version,
        channel=channel,
        source=source,
        ticket=ticket,
        campaign=campaign,
        agent=agent,
        department=department,
        product=product,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    raw = _issue(inv, now) if issue_link else None
    inv.save()
    audit.record(
        actor=actor,
        action="survey.invitation_create",
        obj=inv,
        after={
            "customer": customer.pk,
            "version": version.pk,
            "channel": channel,
            "source": source,
            "ticket": getattr(ticket, "pk", None),
            "link": raw is not None,
        },
    )
    return inv, raw


@transaction.atomic
def invitation_issue_link(*, actor: Any, invitation: Invitation) -> str:
    """生成调查链接 — a new one-time link (any earlier link stops working); returns the token."""
    require(actor, SEND)
    inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if inv.answered_at is not None:
        raise ConflictError("survey_answered", "客户已完成该调查，不能再生成链接")
    raw = _issue(inv, timezone.now())
    inv.save(update_fields=["token_hash", "sent_at", "expires_at"])
    invitation.token_hash, invitation.sent_at, invitation.expires_at = (
        inv.token_hash,
        inv.sent_at,
        inv.expires_at,
    )
    audit.record(
        actor=actor,
        action="survey.invitation_link",
        obj=inv,
        after={"expires_at": inv.expires_at.isoformat() if inv.expires_at else None},
    )
    return raw


def invite_after_close(ticket: Any, action: str, actor: Any) -> None:
    """Ticket after-action hook: a closed request gets its satisfaction survey (CRM-3).

    Per policy (on/off, which kinds); skipped quietly when there is no published default
    questionnaire or the request already has one (a reopened and closed-again request).
    The agent is the request's 处理人, the department the request's.
    """
    from kefu.tickets.statemachine import Action

    if action != Action.CLOSE:
        return
    policy = surveys_policy(timezone.localdate())
    if not policy.sends_after_close(ticket.kind):
        return
    version = default_version()
    if version is None or Invitation.objects.filter(ticket_id=ticket.pk).exists():
        return
    from kefu.aftersales.selectors import product_for_ticket

    invitation_create(
        actor=actor,
        customer=ticket.customer,
        channel=policy.after_close.channel,
        version=version,
        source=Source.TICKET_CLOSED,
        ticket=ticket,
        agent=ticket.owner,
        department=ticket.department,
        product=product_for_ticket(ticket),
        check_perm=False,
    )


# --- campaigns (集中调查) ----------------------------------------------------------------------
@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    name: str,
    channel: str,
    questionnaire: Questionnaire | None = None,
    grades: list[str] | None = None,
    regions: list[str] | None = None,
) -> Campaign:
    """发起集中调查 — record the campaign and submit the background job (后台任务,
    ``JobKind.SURVEY_CAMPAIGN``) that invites every customer of the chosen grades and regions
    (none chosen = all customers). ``campaign.job`` is the job whose page shows the progress."""
    require(actor, CAMPAIGN)
    name = (name or "").strip()
    if not name:
        raise DomainError("survey_invalid", "请填写调查名称", fields={"name": "请填写调查名称"})
    version = (
        QuestionnaireVersion.objects.filter(
            questionnaire=questionnaire, status=VersionStatus.PUBLISHED
        ).first()
        if questionnaire is not None
        else default_version()
    )
    version = _check_version(version)
    channel = _check_channel(channel, timezone.localdate())
    campaign = Campaign.objects.create(
        name=name[:100],
        version=version,
        channel=channel,
        grades=sorted({g.strip() for g in grades or [] if g.strip()}),
        regions=sorted({r.strip() for r in regions or [] if r.strip()}),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="survey.campaign_create",
        obj=campaign,
        after={"name": campaign.name, "grades": campaign.grades, "regions": campaign.regions},
    )
    from kefu.core.choices import JobKind
    from kefu.core.jobs import job_submit

    from ..tasks import campaign_job_task  # tasks imports the services

    # The job row first, then the campaign points at it: with an immediate task backend (tests)
    # the work runs inside job_submit, so it must not need campaign.job.
    job = job_submit(
        actor=actor,
        kind=JobKind.SURVEY_CAMPAIGN,
        task=campaign_job_task,
        payload={"campaign": campaign.pk},
        description=campaign.name,
    )
    Campaign.objects.filter(pk=campaign.pk).update(job=job)
    campaign.refresh_from_db()
    return campaign


Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def campaign_run(
    campaign_id: int, *, actor: Any = None, progress: Progress = _no_progress
) -> dict[str, Any]:
    """The campaign's work (run by its background job): one invitation (待发送) per selected
    customer, in batches of CAMPAIGN_BATCH, reporting ``progress(done, total)`` after each.

    ``actor`` (the job's creator) must still be allowed to run campaigns. Customers who already
    have an invitation of this campaign are skipped, so a run repeated after a failure creates
    nothing twice. One audit event for the whole campaign. Returns the job's result.
    """
    from django.db.models import Q

    from kefu.customers.models import Customer

    campaign = Campaign.objects.select_related("created_by").get(pk=campaign_id)
    try:
        if actor is not None:
            require(actor, CAMPAIGN)
        Campaign.objects.filter(pk=campaign_id).exclude(status=CampaignStatus.DONE).update(
            status=CampaignStatus.RUNNING
        )
        customers = Customer.objects.all()
        if campaign.grades:
            customers = customers.filter(grade__in=campaign.grades)
        if campaign.regions:
            cond = Q()
            for region in campaign.regions:
                cond |= Q(region__icontains=region)
            customers = customers.filter(cond)
        ids = list(customers.order_by("id").values_list("id", flat=True))
        done = set(
            Invitation.objects.filter(campaign=campaign).values_list("customer_id", flat=True)
        )
        todo = [i for i in ids if i not in done]
        skipped = len(ids) - len(todo)
        Campaign.objects.filter(pk=campaign_id).update(total=len(ids))
        progress(skipped, len(ids))
        created = 0
        for start in range(0, len(todo), CAMPAIGN_BATCH):
            chunk = todo[start : start + CAMPAIGN_BATCH]
            with transaction.atomic():
                Invitation.objects.bulk_create(
                    Invitation(
                        customer_id=cid,
                        version_id=campaign.version_id,
                        channel=campaign.channel,
                        source=Source.CAMPAIGN,
                        campaign=campaign,
                        created_by=campaign.created_by,
                    )
                    for cid in chunk
                )
                created += len(chunk)
                Campaign.objects.filter(pk=campaign_id).update(created_count=skipped + created)
            progress(skipped + created, len(ids))
        message = f"已生成{created}份调查邀请" + (f"，{skipped}位客户此前已邀请" if skipped else "")
        with transaction.atomic():
            Campaign.objects.filter(pk=campaign_id).update(
                status=CampaignStatus.DONE, finished_at=timezone.now(), message=message
            )
            audit.record(
                actor=campaign.created_by,
                action="survey.campaign_done",
                obj=campaign,
                after={"total": len(ids), "created": created, "skipped": skipped},
            )
    except Exception as exc:
        reason = exc.message if isinstance(exc, DomainError) else "执行失败，请重试"
        Campaign.objects.filter(pk=campaign_id).update(
            status=CampaignStatus.FAILED, finished_at=timezone.now(), message=reason[:200]
        )
        raise
    return {
        "campaign_id": campaign.pk,
        "name": campaign.name,
        "questionnaire": campaign.version.questionnaire.name,
        "channel": campaign.get_channel_display(),
        "total": len(ids),
        "created": created,
        "skipped": skipped,
        "message": message,
    }
