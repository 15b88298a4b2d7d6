"""Project configuration: settings declared once, the Celery app, URL routes."""

from khoso.config.celery import app as celery_app

__all__ = ["celery_app"]
