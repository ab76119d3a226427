"""Read-only admin views of the roster records (writes go through the services)."""

from django.contrib import admin

from .models import (
    CoverageRequirement,
    EmployeeSkill,
    RestRequest,
    Roster,
    RosterEntry,
    TeamRosterSetting,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Roster)
class RosterAdmin(_ReadOnly):
    list_display = ("id", "team", "month", "version", "status", "published_at")
    list_filter = ("status",)


@admin.register(RosterEntry)
class RosterEntryAdmin(_ReadOnly):
    list_display = ("roster", "employee", "day", "code", "source")
    raw_id_fields = ("roster", "employee")


@admin.register(CoverageRequirement)
class CoverageAdmin(_ReadOnly):
    list_display = ("team", "day", "shift_code", "min_people", "source")


admin.site.register(EmployeeSkill, _ReadOnly)
admin.site.register(TeamRosterSetting, _ReadOnly)
admin.site.register(RestRequest, _ReadOnly)
