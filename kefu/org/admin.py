"""Admin for the organisation: read views and configuration of positions; people are changed
through the pages (services), so the admin does not offer add/change for employees."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Department, Employee, Position, Team


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "parent", "head", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "department", "leader"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["name", "level"]


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    list_display = ["employee_no", "name", "department", "team", "position", "status"]
    list_filter = ["status", "department"]
    search_fields = ["employee_no", "name"]
    list_select_related = ["department", "team", "position"]
    exclude = ["phone", "id_number"]  # personal data is revealed only through the audited action
