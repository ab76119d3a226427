"""请假 pages — mounted at /leave/."""

from django.urls import path

from . import views

app_name = "leave"

urlpatterns = [
    path("", views.leave_list, name="leave_list"),
    path("export/", views.leave_export, name="leave_export"),
    path("new/", views.leave_new, name="leave_new"),
    path("balances/", views.balances, name="balances"),
    path("<int:pk>/", views.leave_detail, name="leave_detail"),
    path("<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("<int:pk>/withdraw/", views.leave_withdraw, name="leave_withdraw"),
    path("<int:pk>/report/", views.leave_report, name="leave_report"),
]
