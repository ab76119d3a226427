"""回访 pages — mounted at /visits/."""

from django.urls import path

from . import views, views_actions, views_print, views_reports

app_name = "visits"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("export/", views.task_export, name="task_export"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/record/", views.task_record, name="task_record"),
    path("<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
    path("<int:pk>/print/", views_print.task_print, name="task_print"),
    path("<int:pk>/pdf/", views_print.task_pdf, name="task_pdf"),
    path("actions/", views_actions.action_list, name="action_list"),
    path("actions/export/", views_actions.action_export, name="action_export"),
    path("actions/<int:pk>/close/", views.action_close, name="action_close"),
    path("plans/generate/", views.plans_generate, name="plans_generate"),
    path("weekly/", views_reports.weekly, name="weekly"),
    path("weekly/export/", views_reports.weekly_export, name="weekly_export"),
    path("rate/", views_reports.rate, name="rate"),
    path("care/", views_reports.care_list, name="care_list"),
    path("care/generate/", views_reports.care_generate, name="care_generate"),
    path("care/<int:pk>/", views_reports.care_detail, name="care_detail"),
]
