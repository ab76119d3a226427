"""Admin of 投诉赔偿: read-only — compensations come from the findings import and instalments from
the month close (services, audited), never from hand edits."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Compensation, CompensationInstalment


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstalmentInline(admin.TabularInline):
    model = CompensationInstalment
    extra = 0
    can_delete = False
    readonly_fields = ("month", "amount", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Compensation)
class CompensationAdmin(_ReadOnly):
    list_display = ("employee", "month", "amount", "basis", "status", "complaint")
    list_filter = ("status", "basis", "month")
    search_fields = ("employee__name", "employee__employee_no")
    raw_id_fields = ("employee", "finding", "complaint")
    inlines = (InstalmentInline,)


@admin.register(CompensationInstalment)
class CompensationInstalmentAdmin(_ReadOnly):
    list_display = ("compensation", "month", "amount")
    list_filter = ("month",)
    raw_id_fields = ("compensation",)
