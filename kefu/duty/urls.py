"""交接班与在线 pages — mounted at /duty/."""

from django.urls import path  # noqa: F401

app_name = "duty"

urlpatterns: list = []
