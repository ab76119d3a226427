"""部门基金 pages — mounted at /fund/."""

from django.urls import path

from . import views

app_name = "fund"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export/", views.export, name="export"),
    path("spendings/new/", views.spending_new, name="spending_new"),
    path("incomes/new/", views.income_new, name="income_new"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
    path("<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("<int:pk>/cancel/", views.entry_cancel, name="entry_cancel"),
]
