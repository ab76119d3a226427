"""请假 pages — mounted at /leave/."""

from django.urls import path  # noqa: F401

app_name = "leave"

urlpatterns: list = []
