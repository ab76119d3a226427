"""换班 pages — mounted at /swaps/."""

from django.urls import path

from . import views

app_name = "swaps"

urlpatterns = [
    path("", views.swap_list, name="swap_list"),
    path("export/", views.swap_export, name="swap_export"),
    path("new/", views.swap_new, name="swap_new"),
    path("preview/", views.swap_preview, name="swap_preview"),
    path("<int:pk>/", views.swap_detail, name="swap_detail"),
    path("<int:pk>/accept/", views.swap_accept, name="swap_accept"),
    path("<int:pk>/decline/", views.swap_decline, name="swap_decline"),
    path("<int:pk>/decide/", views.swap_decide, name="swap_decide"),
    path("<int:pk>/withdraw/", views.swap_withdraw, name="swap_withdraw"),
    path("<int:pk>/payback/", views.swap_payback, name="swap_payback"),
]
