from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kefu.meetings"
    label = "meetings"
    verbose_name = "例会与带教"
