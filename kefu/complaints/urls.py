"""Complaint pages — 投诉管理 (mounted at /complaints/).

The pages (list, detail, print, PDF, statistics, Excel) are built on ``selectors`` and
``services``; the menu links to ``complaints:complaint_list``, ``complaints:stats`` and
``complaints:finding_list`` once they exist (a missing name simply hides the menu item).
"""

from django.urls import URLPattern

app_name = "complaints"

urlpatterns: list[URLPattern] = []
