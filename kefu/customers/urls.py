from django.urls import path

from . import views, views_excel

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("import/", views_excel.customer_import, name="customer_import"),
    path("export/", views_excel.customer_export, name="customer_export"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/phones/", views.phone_add, name="phone_add"),
    path("<int:pk>/phones/<int:phone_pk>/remove/", views.phone_remove, name="phone_remove"),
    path("<int:pk>/reveal/", views.customer_reveal, name="customer_reveal"),
]
