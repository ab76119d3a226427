"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("org/", include("kefu.org.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("tickets/", include("kefu.tickets.urls")),
    path("complaints/", include("kefu.complaints.urls")),
    path("aftersales/", include("kefu.aftersales.urls")),
    path("returns/", include("kefu.returns.urls")),
    path("visits/", include("kefu.visits.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("workforce/", include("kefu.workforce.urls")),
    path("leave/", include("kefu.leave.urls")),
    path("swaps/", include("kefu.swaps.urls")),
    path("attendance/", include("kefu.attendance.urls")),
    path("duty/", include("kefu.duty.urls")),
    path("meetings/", include("kefu.meetings.urls")),
    path("performance/", include("kefu.performance.urls")),
    path("fund/", include("kefu.fund.urls")),
    path("compensation/", include("kefu.compensation.urls")),
    path("sales/", include("kefu.sales.urls")),
    path("workbench/", include("kefu.tickets.urls_console")),
    path("", include("kefu.core.urls")),
]

handler403 = "kefu.core.views.error_403"
handler404 = "kefu.core.views.error_404"
handler500 = "kefu.core.views.error_500"
