"""排班 pages — mounted at /workforce/."""

from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("rosters/", views.roster_list, name="roster_list"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
]
