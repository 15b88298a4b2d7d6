"""The audit trail app: signal handlers are connected when Django starts."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "khoso.audit"
    verbose_name = "Nhật ký kiểm tra"

    def ready(self) -> None:
        from khoso.audit import signals

        signals.connect()
