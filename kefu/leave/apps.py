from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "kefu.leave"
    label = "leave"
    verbose_name = "请假"
