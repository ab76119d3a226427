"""换班 pages — mounted at /swaps/."""

from django.urls import path  # noqa: F401

app_name = "swaps"

urlpatterns: list = []
