"""退换货 pages — mounted at /returns/ (menu: 售后服务 → 退换货 = ``returns:case_list``)."""

from django.urls import path

from . import views, views_print

app_name = "returns"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export/", views.case_export, name="case_export"),
    path("new/", views.case_create, name="case_create"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/paid/", views.transfer_paid, name="transfer_paid"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("<int:pk>/ledger/", views.ledger_add, name="ledger_add"),
    path("<int:pk>/slip/", views_print.slip_print, name="slip_print"),
    path("<int:pk>/slip.pdf", views_print.slip_pdf, name="slip_pdf"),
]
