"""The REST API (Django REST framework, OpenAPI 3): the web UI's reads and actions for other programs."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "khoso.api"
    verbose_name = "API"

    def ready(self) -> None:
        from khoso.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
