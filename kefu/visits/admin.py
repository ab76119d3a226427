"""Read-only admin views of the visit records (writes go through the services)."""

from django.contrib import admin

from .models import CarePlan, CareTask, CorrectiveAction, VisitTask


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(VisitTask)
class VisitTaskAdmin(_ReadOnly):
    list_display = ("id", "customer", "source", "due_date", "status", "outcome", "assignee")
    list_filter = ("status", "source", "outcome")
    raw_id_fields = ("installation", "customer", "ticket", "parent", "assignee")


admin.site.register(CorrectiveAction, _ReadOnly)
admin.site.register(CarePlan, _ReadOnly)
admin.site.register(CareTask, _ReadOnly)
