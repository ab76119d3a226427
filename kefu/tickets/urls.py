from django.urls import path

from . import views, views_excel

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("export/", views_excel.ticket_export, name="ticket_export"),
    path("options/subkinds/", views.subkind_options, name="subkind_options"),
    path("options/customers/", views.customer_options, name="customer_options"),
    path("options/employees/", views.employee_options, name="employee_options"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/edit/", views.ticket_edit, name="ticket_edit"),
    path("<int:pk>/act/<slug:action>/", views.ticket_act, name="ticket_act"),
    path("<int:pk>/notes/", views.ticket_note, name="ticket_note"),
    path("<int:pk>/service-mode/", views.ticket_service_mode, name="ticket_service_mode"),
    path("<int:pk>/attachments/", views.ticket_attach, name="ticket_attach"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
