"""Admin of the sales module: read-only (lines and counts change through the pages/services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import InquiryCount, SalesLine


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SalesLine)
class SalesLineAdmin(_ReadOnly):
    list_display = ("day", "agent", "order_no", "item", "quantity", "amount", "source")
    list_filter = ("source", "day")
    search_fields = ("order_no", "item", "agent__employee_no", "agent__name")
    raw_id_fields = ("agent", "import_job", "created_by")


@admin.register(InquiryCount)
class InquiryCountAdmin(_ReadOnly):
    list_display = ("day", "agent", "count", "source")
    list_filter = ("source",)
    search_fields = ("agent__employee_no", "agent__name")
    raw_id_fields = ("agent", "updated_by")
