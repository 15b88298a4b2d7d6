"""The Celery application. Tasks stay thin: they pass ids to services (HackSoft styleguide)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")

app = Celery("khoso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
