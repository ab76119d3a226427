"""考勤 pages — mounted at /attendance/."""

from django.urls import path  # noqa: F401

app_name = "attendance"

urlpatterns: list = []
