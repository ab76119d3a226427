"""投诉赔偿与处分扣款 pages — mounted at /compensation/."""

from django.urls import URLPattern

app_name = "compensation"

urlpatterns: list[URLPattern] = []
