from django.urls import path

from . import views, views_approvals, views_excel

app_name = "org"

urlpatterns = [
    path("chart/", views.org_chart, name="chart"),
    path("approvals/", views_approvals.approval_inbox, name="approvals"),
    path("employees/", views.employee_list, name="employee_list"),
    path("teams/options/", views.team_options, name="team_options"),
    path("employees/superior-options/", views.superior_options, name="superior_options"),
    path("employees/new/", views.employee_create, name="employee_create"),
    path("employees/import/", views_excel.employee_import, name="employee_import"),
    path("employees/export/", views_excel.employee_export, name="employee_export"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("employees/<int:pk>/leave/", views.employee_leave, name="employee_leave"),
    path("employees/<int:pk>/reveal/", views.employee_reveal, name="employee_reveal"),
]
