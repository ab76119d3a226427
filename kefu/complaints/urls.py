"""Complaint pages — 投诉管理 (mounted at /complaints/).

The pages (list, detail, print, PDF, statistics, Excel) are built on ``selectors`` and
``services``; the menu links to ``complaints:complaint_list``, ``complaints:stats`` and
``complaints:finding_list``.
"""

from django.urls import path

from . import views, views_print, views_reports

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("new/", views.complaint_create, name="complaint_create"),
    path("stats/", views_reports.stats, name="stats"),
    path("stats/export/", views_reports.stats_export, name="stats_export"),
    path("findings/", views_reports.finding_list, name="finding_list"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/act/<slug:action>/", views.complaint_act, name="complaint_act"),
    path("<int:pk>/card/", views_print.card_print, name="card_print"),
    path("<int:pk>/card.pdf", views_print.card_pdf, name="card_pdf"),
    path("<int:pk>/report/", views_print.report_print, name="report_print"),
    path("<int:pk>/report.pdf", views_print.report_pdf, name="report_pdf"),
]
