"""Celery tasks of the backup app: thin wrappers over services.

``backup_scheduled`` runs every night from the beat schedule (settings CELERY_BEAT_SCHEDULE);
``insurance_copy_run`` is queued by the staff page once the request commits.
"""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.contrib.auth import get_user_model

from khoso.archive.models import Fonds
from khoso.backup import services


@shared_task(name="khoso.backup.tasks.backup_scheduled")
def backup_scheduled() -> int:
    return services.backup_scheduled().pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def insurance_copy_run(fonds_id: int, target: str, user_id: int | None = None) -> int:
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.insurance_copy(fonds=Fonds.objects.get(pk=fonds_id), target=Path(target), by=by).pk
