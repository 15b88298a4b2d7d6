from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "khoso.capture"
    verbose_name = "Tiếp nhận bản quét"
