from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "kefu.duty"
    label = "duty"
    verbose_name = "交接班与在线"
