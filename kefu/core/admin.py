"""Admin for shared mechanisms: policy versions (created through the service, never edited),
the holiday calendar, and a read-only view of the audit trail."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from . import access_cache
from .errors import DomainError
from .models import AuditEvent, CalendarDay, Policy
from .policy import DOMAIN_LABELS, DOMAINS, check_new_version, policy_version_create, validate_body

admin.site.site_header = "Kefu 客服中心管理系统 · 管理后台"
admin.site.site_title = "Kefu 管理后台"
admin.site.index_title = "系统设置"


class PolicyAdminForm(forms.ModelForm):
    # Callable: apps register their domains in ready(), after this module is imported.
    domain = forms.ChoiceField(
        label="领域", choices=lambda: [(k, f"{DOMAIN_LABELS[k]}（{k}）") for k in DOMAINS]
    )
    body = forms.JSONField(
        label="内容（JSON）",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"}),
        help_text="复制当前版本修改后保存为新版本。字段含义见 docs/policies.md。",
    )

    class Meta:
        model = Policy
        fields = ["domain", "effective_from", "body", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "domain" in data and "body" in data:
            try:
                validate_body(data["domain"], data["body"])
            except DomainError as exc:
                lines = [f"{path}：{msg}" for path, msg in exc.fields.items()] or [exc.message]
                self.add_error("body", lines)
        if "domain" in data and data.get("effective_from"):
            try:
                check_new_version(data["domain"], data["effective_from"])
            except DomainError as exc:
                self.add_error("effective_from", exc.fields.get("effective_from", exc.message))
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ["domain", "version", "effective_from", "note", "created_by", "created_at"]
    list_filter = ["domain"]
    ordering = ["domain", "-effective_from"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        domain = request.GET.get("domain")
        latest = (
            Policy.objects.filter(domain=domain).order_by("-effective_from").first()
            if domain
            else None
        )
        if latest:
            initial["body"] = json.dumps(latest.body, ensure_ascii=False, indent=2)
        return initial

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are immutable: change = a new version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        # The form already ran the service's checks, so the service accepts what reaches here.
        created = policy_version_create(
            actor=request.user,
            domain=form.cleaned_data["domain"],
            effective_from=form.cleaned_data["effective_from"],
            body=form.cleaned_data["body"],
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    # Deadlines read the calendar through a short per-process cache (calendar_for_range): an
    # edit here must count at once in this process (other app servers follow within a minute).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        access_cache.clear_on_commit()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        access_cache.clear_on_commit()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        access_cache.clear_on_commit()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
