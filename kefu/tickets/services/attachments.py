"""Attachments — 工单附件 (TKT-5): photos and PDFs, checked by content and size."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from kefu.core import audit
from kefu.core.calendar import SHANGHAI
from kefu.core.errors import DomainError

from ..models import Ticket, TicketAttachment
from ..policy import tickets_policy
from .actions import lock_for_change

# Recognised by their first bytes, never by the file name or the browser's claim: a renamed
# executable must not become a "photo" colleagues open.
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
]


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image or PDF, or None for anything else."""
    for magic, content_type, extension in _SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def _clean_name(name: str, extension: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or f"附件{extension}"
    return base[-120:]


@transaction.atomic
def ticket_attach(*, actor: Any, ticket: Ticket, name: str, content: bytes) -> TicketAttachment:
    """Attach a photo or PDF — 上传附件: images and PDF only, size and count from policy.

    Whoever may change tickets and sees this one may attach (a colleague adds the customer's
    photo). One audit event naming the file.
    """
    from ..selectors import tickets_for_user

    ticket, _employee = lock_for_change(actor, ticket)
    if not tickets_for_user(actor).filter(pk=ticket.pk).exists():
        raise DomainError("ticket_not_found", "工单不存在", status=404)
    rules = tickets_policy(ticket.received_at.astimezone(SHANGHAI).date()).attachments
    if not content:
        raise DomainError("attachment_empty", "文件是空的", fields={"file": "文件是空的"})
    limit = int(rules.max_megabytes * 1024 * 1024)
    if len(content) > limit:
        message = f"文件过大：单个附件不能超过 {rules.max_megabytes:g} MB"
        raise DomainError("attachment_too_large", message, fields={"file": message})
    kind = sniff(content)
    if kind is None:
        message = "只能上传图片（JPG、PNG、GIF、WebP）或 PDF 文件"
        raise DomainError("attachment_type", message, fields={"file": message})
    if ticket.attachments.count() >= rules.max_per_ticket:
        message = f"每张工单最多 {rules.max_per_ticket} 个附件"
        raise DomainError("attachment_too_many", message, fields={"file": message})
    content_type, extension = kind
    attachment = TicketAttachment(
        ticket=ticket,
        token=secrets.token_hex(16),
        extension=extension,
        name=_clean_name(name, extension),
        content_type=content_type,
        size=len(content),
        uploaded_by=actor,
    )
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action="ticket.attach",
        obj=ticket,
        after={"attachment": attachment.name, "size": attachment.size, "type": content_type},
    )
    return attachment
