"""部门基金 pages — mounted at /fund/."""

from django.urls import URLPattern

app_name = "fund"

urlpatterns: list[URLPattern] = []
