"""回访 pages — mounted at /visits/."""

app_name = "visits"

urlpatterns: list = []
