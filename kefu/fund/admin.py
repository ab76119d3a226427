"""Admin of the department fund: read-only — every change goes through the services (approval
chain, balance check, audit)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import FundEntry


@admin.register(FundEntry)
class FundEntryAdmin(admin.ModelAdmin):
    list_display = ("department", "day", "kind", "amount", "status", "description")
    list_filter = ("kind", "status", "department")
    search_fields = ("description",)
    raw_id_fields = ("incident", "created_by")
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
