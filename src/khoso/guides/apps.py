from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "khoso.guides"
    verbose_name = "Hướng dẫn sử dụng"
