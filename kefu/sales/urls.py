"""销售与提成 pages — mounted at /sales/."""

from django.urls import URLPattern

app_name = "sales"

urlpatterns: list[URLPattern] = []
