"""Admin for complaints: read-only lists. Complaints change only through the procedure's services
(audited, one step at a time); the admin is for looking things up."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Complaint, ComplaintStep, ResponsibilityFinding


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(_ReadOnly):
    list_display = ["number", "complainant_name", "ground", "status", "accepted", "created_at"]
    list_filter = ["status", "ground", "route"]
    search_fields = ["number", "complainant_name", "ticket__number"]


@admin.register(ComplaintStep)
class ComplaintStepAdmin(_ReadOnly):
    list_display = ["complaint", "step", "action", "decision", "actor_name", "at"]
    list_filter = ["step", "decision"]


@admin.register(ResponsibilityFinding)
class ResponsibilityFindingAdmin(_ReadOnly):
    list_display = [
        "complaint",
        "department",
        "employee",
        "share_percent",
        "loss_share",
        "proposed_sanction",
        "fine_amount",
        "month",
    ]
    list_filter = ["month", "proposed_sanction", "is_service_attitude"]
