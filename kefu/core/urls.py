from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("settings/tokens/", views.token_list, name="token_list"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/audit/", views.audit_list, name="audit_list"),
    path("settings/policies/", views.policy_list, name="policy_list"),
    path("settings/calendar/", views.calendar_list, name="calendar_list"),
]
