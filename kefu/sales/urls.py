"""销售与提成 pages — mounted at /sales/."""

from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.commission_list, name="commission_list"),
    path("export/", views.commission_export, name="commission_export"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/export/", views.report_export, name="report_export"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/import/", views.report_import, name="report_import"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
]
