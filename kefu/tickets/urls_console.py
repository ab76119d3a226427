"""坐席工作台, mounted at /workbench/ (its own menu item, apart from 工单管理 at /tickets/)."""

from django.urls import path

from . import views_console

app_name = "workbench"

urlpatterns = [
    path("", views_console.console, name="console"),
    path("lists/", views_console.console_refresh, name="lists"),
    path("quick/", views_console.quick_create, name="quick_create"),
]
