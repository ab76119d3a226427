"""退换货 pages — mounted at /returns/."""

app_name = "returns"

urlpatterns: list = []
