"""Repair photos — 现场照片 (AS-2): upload (checked by content) and removal of a wrong one."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from kefu.core import audit
from kefu.core.errors import ConflictError, DomainError
from kefu.tickets.services.attachments import sniff

from ..choices import RepairStatus as S
from ..models import RepairOrder, RepairPhoto
from .common import CHANGE_REPAIR, require_perm
from .repairs import _lock

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 20


@transaction.atomic
def repair_attach_photo(
    *, actor: Any, order: RepairOrder, name: str, content: bytes
) -> RepairPhoto:
    """上传现场照片: images or PDF recognised by their content, never by name."""
    require_perm(actor, CHANGE_REPAIR)
    order = _lock(order)
    if order.status == S.CLOSED:
        raise ConflictError("repair_closed", "维修单已关闭")
    if not content:
        raise DomainError("photo_empty", "文件是空的", fields={"file": "文件是空的"})
    if len(content) > PHOTO_MAX_BYTES:
        message = "文件过大：单个文件不能超过 10 MB"
        raise DomainError("photo_too_large", message, fields={"file": message})
    kind = sniff(content)
    if kind is None:
        message = "只能上传图片（JPG、PNG、GIF、WebP）或 PDF 文件"
        raise DomainError("photo_type", message, fields={"file": message})
    if order.photos.count() >= PHOTO_MAX_COUNT:
        message = f"每张维修单最多 {PHOTO_MAX_COUNT} 个文件"
        raise DomainError("photo_too_many", message, fields={"file": message})
    content_type, extension = kind
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or f"照片{extension}"
    photo = RepairPhoto(
        order=order,
        token=secrets.token_hex(16),
        extension=extension,
        name=base[-120:],
        content_type=content_type,
        size=len(content),
        uploaded_by=actor,
    )
    photo.file.save("upload", ContentFile(content), save=False)
    photo.save()
    audit.record(
        actor=actor,
        action="repair.attach",
        obj=order,
        after={"photo": photo.name, "size": photo.size, "type": content_type},
    )
    return photo


@transaction.atomic
def repair_remove_photo(*, actor: Any, order: RepairOrder, photo_id: int) -> RepairOrder:
    """删除现场照片 (a wrong or duplicate upload) while the order is open.

    The row goes at once; the stored file is deleted only once the transaction commits, so a
    rollback never leaves a row whose file is gone.
    """
    require_perm(actor, CHANGE_REPAIR)
    order = _lock(order)
    if order.status == S.CLOSED:
        raise ConflictError("repair_closed", "维修单已关闭，不能删除照片")
    photo = order.photos.filter(pk=photo_id).first()
    if photo is None:
        raise DomainError("repair_photo_missing", "照片不存在", status=404)
    storage, path, name = photo.file.storage, photo.file.name, photo.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(path) if path else None)
    # The name is in "after" too: the timeline shows what an event's "after" names.
    audit.record(
        actor=actor,
        action="repair.remove_photo",
        obj=order,
        before={"photo": name, "photo_id": photo_id},
        after={"photo": name},
    )
    return order
