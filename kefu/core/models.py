"""Shared mechanisms — 公共机制: audit trail, policy versions, holiday calendar, API tokens,
idempotency records, login lockout and notifications."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import CalendarDayKind, JobKind, JobStatus


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event (SEC-3)."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk UPDATE and DELETE so the ORM can never rewrite history."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计记录不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录不可删除")

    def for_object(self, object_type: str, object_id: Any) -> AuditEventQuerySet:
        return self.filter(object_type=object_type, object_id=str(object_id))


class AuditEvent(models.Model):
    """AuditEvent — 审计记录 (SEC-3): one append-only, hash-chained entry per business change.

    ``hash`` = SHA-256(``prev_hash`` + canonical JSON of this event's content), so editing,
    deleting or inserting a row out of order breaks the chain and ``audit_verify`` finds it.

    On PostgreSQL rows are written by the database function ``kefu_audit_append`` (migration
    core/0009), which names every column: a field added here needs a migration that replaces
    that function too (``test_audit_append`` fails until it does).
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象ID", max_length=64)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    reason = models.TextField("原因", blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        permissions = [("view_audit_trail", "查看审计日志")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录不可删除")


class Policy(models.Model):
    """Policy — 制度参数版本: every number from the regulations, versioned by effective date.

    A computation asks for the version in force on the day of its event (``policy_for``), so a new
    version never rewrites how past events were judged. Versions are never edited: a change is a
    new version.
    """

    domain = models.CharField("领域", max_length=40)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    body = models.JSONField("内容")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "制度参数"
        verbose_name_plural = "制度参数"
        ordering = ["domain", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "version"], name="policy_domain_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["domain", "effective_from"], name="policy_domain_effective_uniq"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="policy_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.domain} v{self.version}（{self.effective_from} 起）"


class CalendarDay(models.Model):
    """CalendarDay — 节假日日历: an exception to the ordinary week (法定节假日 or 调休上班日).

    Days without a row follow the week: Monday–Friday work, Saturday and Sunday rest. Seeded from
    chinese-calendar for the years it covers; administrators add later years in the admin.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日日历"
        verbose_name_plural = "节假日日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class ApiToken(models.Model):
    """ApiToken — 个人API令牌: a personal, revocable API credential. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("名称", max_length=80)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField("哈希", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """IdempotencyRecord — 幂等记录: the outcome of the first POST with an ``Idempotency-Key``.

    The key is stored as its SHA-256. The body is kept for replay unless the response said
    ``Cache-Control: no-store`` (it carried a one-time secret); then only the status is kept.
    """

    identity = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "key"], name="idempotency_identity_key_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class LoginThrottle(models.Model):
    """LoginThrottle — 登录失败计数: consecutive failures per username, and the lock it earns."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class Notification(models.Model):
    """Notification — 消息通知: results of background jobs and things waiting for the user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息通知"
        verbose_name_plural = "消息通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class BackgroundJob(models.Model):
    """BackgroundJob — 后台任务: a long piece of work (import, roster solving, month close, report)
    run by the task worker on behalf of the person who started it.

    The page ``/jobs/<id>/`` shows its status and progress to its creator only; when it ends, the
    creator gets a Notification linking there. ``payload`` holds the input (an uploaded file's
    bytes, or UTF-8 JSON) and is emptied when the job ends, so uploaded personal data is not kept
    longer than the work needs it. ``ip`` and ``request_id`` come from the request that created
    the job, so the audit events the task writes carry them as a synchronous change would.
    """

    kind = models.CharField("类型", max_length=60, choices=JobKind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.CASCADE,
        related_name="background_jobs",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总量", default=0)
    payload = models.BinaryField("输入", default=b"", blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="backgroundjob_progress_within_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="backgroundjob_status_valid"
            ),
            # A job has ended exactly when it carries an end time.
            models.CheckConstraint(
                condition=(
                    Q(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__isnull=False)
                    | Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING], finished_at__isnull=True)
                ),
                name="backgroundjob_finished_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class SystemPermission(models.Model):
    """Holder for permissions that belong to no single table (reveal personal data, admin pages)."""

    class Meta:
        managed = False
        default_permissions: ClassVar[list[str]] = []
        permissions = [
            ("reveal_personal_data", "查看完整个人信息（手机号、身份证号）"),
            ("access_settings", "进入系统设置"),
        ]

    def __str__(self) -> str:
        return "system permissions"
