"""The OAI-PMH endpoint: signal handlers keep the published records in step as rows are saved."""

from django.apps import AppConfig


class OaiConfig(AppConfig):
    name = "khoso.oai"
    verbose_name = "OAI-PMH"

    def ready(self) -> None:
        from khoso.oai import signals

        signals.connect()
