"""销售与提成 pages — mounted at /sales/."""

from django.urls import path

from . import views, views_lines, views_lost, views_unpaid

app_name = "sales"

urlpatterns = [
    path("", views.commission_list, name="commission_list"),
    path("export/", views.commission_export, name="commission_export"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/export/", views.report_export, name="report_export"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/import/", views.report_import, name="report_import"),
    path("reports/<int:pk>/edit/", views_lines.report_edit, name="report_edit"),
    path("reports/<int:pk>/delete/", views_lines.report_delete, name="report_delete"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/import/", views_lines.inquiry_import, name="inquiry_import"),
    path("unpaid/", views_unpaid.unpaid_list, name="unpaid_list"),
    path("unpaid/new/", views_unpaid.unpaid_new, name="unpaid_new"),
    path("unpaid/check/", views_unpaid.unpaid_check, name="unpaid_check"),
    path("unpaid/<int:pk>/chase/", views_unpaid.unpaid_chase, name="unpaid_chase"),
    path("unpaid/<int:pk>/paid/", views_unpaid.unpaid_paid, name="unpaid_paid"),
    path("lost/", views_lost.lost_list, name="lost_list"),
    path("lost/report/", views_lost.lost_report, name="lost_report"),
    path("lost/report/export/", views_lost.lost_export, name="lost_export"),
    path("lost/<int:pk>/delete/", views_lost.lost_delete, name="lost_delete"),
]
