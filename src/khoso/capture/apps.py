from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "khoso.capture"
    verbose_name = "Tiếp nhận bản quét"

    def ready(self) -> None:
        from khoso.capture import checks  # noqa: F401  (registers the system checks)
