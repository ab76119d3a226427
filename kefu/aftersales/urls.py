"""售后服务 pages — mounted at /aftersales/."""

app_name = "aftersales"

urlpatterns: list = []
