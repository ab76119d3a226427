"""满意度调查 pages — mounted at /surveys/."""

app_name = "surveys"

urlpatterns: list = []
