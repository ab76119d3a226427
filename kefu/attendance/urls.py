"""考勤 pages — mounted at /attendance/."""

from django.urls import path

from . import views, views_corrections, views_reports

app_name = "attendance"

urlpatterns = [
    path("", views.day_list, name="day_list"),
    path("export/", views.day_export, name="day_export"),
    path("days/<int:pk>/", views.day_detail, name="day_detail"),
    path("clock/", views.clock, name="clock"),
    path("clock/widget/", views.clock_widget, name="clock_widget"),
    path("import/", views_reports.clock_import, name="clock_import"),
    path("recompute/", views_reports.recompute, name="recompute"),
    path("corrections/", views_corrections.correction_list, name="correction_list"),
    path("corrections/new/", views_corrections.correction_new, name="correction_new"),
    path("corrections/<int:pk>/", views_corrections.correction_detail, name="correction_detail"),
    path(
        "corrections/<int:pk>/decide/",
        views_corrections.correction_decide,
        name="correction_decide",
    ),
    path(
        "corrections/<int:pk>/cancel/",
        views_corrections.correction_cancel,
        name="correction_cancel",
    ),
    path("monthly/", views_reports.monthly, name="monthly"),
    path("monthly/export/", views_reports.monthly_export, name="monthly_export"),
    path("monthly/submit/", views_reports.monthly_submit, name="monthly_submit"),
]
