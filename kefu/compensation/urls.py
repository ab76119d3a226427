"""投诉赔偿与处分扣款 pages — mounted at /compensation/."""

from django.urls import path

from . import views

app_name = "compensation"

urlpatterns = [
    path("", views.compensation_list, name="compensation_list"),
    path("export/", views.compensation_export, name="compensation_export"),
    path("import/", views.compensation_import, name="compensation_import"),
    path("<int:pk>/", views.compensation_detail, name="compensation_detail"),
]
