"""Celery tasks of the OAI-PMH endpoint: thin wrappers around :mod:`khoso.oai.services`.

``sweep`` runs from the beat schedule every 15 minutes (restrictions start and end by date, with
no save to signal it); ``sync_fonds`` is queued on commit when a fonds, its institution or a
fonds-wide restriction changes, since one fonds may hold many thousand records. An offline
enclave (``KHOSO_ENCLAVE``) has no OAI-PMH endpoint, so it keeps no records.
"""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.conf import settings

from khoso.oai import services


@shared_task
def sweep() -> dict[str, int]:
    if settings.KHOSO_ENCLAVE:  # an offline enclave publishes nothing for harvesting
        return {}
    return asdict(services.sweep())


@shared_task
def sync_fonds(fonds_id: int) -> dict[str, int]:
    return asdict(services.sync_fonds(fonds_id))
