"""Celery tasks of the backup app: thin wrappers over services.

``backup_scheduled`` runs every night from the beat schedule (settings CELERY_BEAT_SCHEDULE): one set into
every configured target, each then pruned; it returns the ids of every log row it wrote;
``insurance_copy_run`` is queued by the staff page once the request commits.
"""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.contrib.auth import get_user_model

from khoso.archive.models import Fonds
from khoso.backup import services


@shared_task(name="khoso.backup.tasks.backup_scheduled")
def backup_scheduled() -> list[int]:
    ids: list[int] = []
    for result in services.backup_scheduled():
        ids.append(result.backup.pk)
        if result.prune is not None:
            ids.append(result.prune.pk)
    return ids


@shared_task(acks_late=True, reject_on_worker_lost=True)
def insurance_copy_run(fonds_id: int, target: str, user_id: int | None = None) -> int:
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.insurance_copy(fonds=Fonds.objects.get(pk=fonds_id), target=Path(target), by=by).pk
