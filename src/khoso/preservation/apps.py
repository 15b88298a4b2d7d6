from django.apps import AppConfig


class PreservationConfig(AppConfig):
    name = "khoso.preservation"
    verbose_name = "Bảo quản"
