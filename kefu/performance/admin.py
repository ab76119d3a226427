"""Admin of the performance ledger: read-only — every change goes through the services (audit,
reversal entries, month lock); the rule catalogue is edited as a policy version."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Appeal, Incident, MonthClose, PayrollLine


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    list_display = ("employee", "day", "month", "rule_name", "points", "money", "status", "source")
    list_filter = ("status", "category", "source", "month")
    search_fields = ("employee__name", "employee__employee_no", "rule", "rule_name")
    raw_id_fields = ("employee", "reverses")


@admin.register(Appeal)
class AppealAdmin(_ReadOnly):
    list_display = ("incident", "employee", "filed_at", "status", "decided_by")
    list_filter = ("status",)


@admin.register(MonthClose)
class MonthCloseAdmin(_ReadOnly):
    list_display = ("month", "status", "reviewed_by", "approved_by", "closed_at")


@admin.register(PayrollLine)
class PayrollLineAdmin(_ReadOnly):
    list_display = ("month", "employee", "scheme", "score", "net")
    list_filter = ("month",)
