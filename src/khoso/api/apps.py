"""The REST API (Django REST framework, OpenAPI 3): the web UI's reads and actions for other programs."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The token scheme's drf-spectacular extension (``khoso.api.schema``) is registered by ``khoso.api.urls``,
    not here: the schema is only ever made from the URL configuration, and importing drf-spectacular and
    REST framework in ``ready`` cost every command and worker ≈ 0.4 CPU-s at start-up."""

    name = "khoso.api"
    verbose_name = "API"
