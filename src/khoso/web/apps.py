from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "khoso.web"
    verbose_name = "Giao diện web"
