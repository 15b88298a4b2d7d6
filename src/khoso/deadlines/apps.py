from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "khoso.deadlines"
    verbose_name = "Thời hạn và nhắc việc"
